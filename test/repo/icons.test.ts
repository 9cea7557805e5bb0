/**
 * Every icon the package ships is a self-contained SVG that n8n's and Node-RED's editors draw the
 * same everywhere: well-formed XML with an <svg> root in the SVG namespace and a viewBox (square for
 * n8n, 2:3 for Node-RED's palette), nothing a browser would fetch (no outside href, url() or
 * @import) and nothing it would run (no script, no event attribute, no foreignObject). Every n8n
 * icon has its dark twin.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const N8N_ICONS = 'icons';
const NODE_RED_ICONS = join('node-red', 'icons');
const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

interface Element {
  name: string;
  attributes: Map<string, string>;
  children: Element[];
  text: string;
}

const NAME = '[A-Za-z_][\\w.:-]*';
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

/** A strict reader for the XML an icon needs (elements, attributes, text, comments): anything else is an error. */
export function parseXml(source: string): Element {
  const text = source.replace(/^\uFEFF/, '').replace(/^<\?xml[^?]*\?>/, '');
  const root: Element = { name: '#document', attributes: new Map(), children: [], text: '' };
  const open: Element[] = [root];
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at character ${at}`);
  };
  const checkText = (chunk: string): void => {
    if (chunk.replace(ENTITY, '').includes('&')) fail('a bare "&" (not an entity)');
  };
  while (at < text.length) {
    const next = text.indexOf('<', at);
    const chunk = text.slice(at, next < 0 ? text.length : next);
    checkText(chunk);
    if (open.length === 1 && chunk.trim() !== '') fail('text outside the root element');
    open[open.length - 1]!.text += chunk;
    if (next < 0) break;
    at = next;
    if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at + 4);
      if (end < 0 || text.slice(at + 4, end).includes('--')) fail('a malformed comment');
      at = end + 3;
      continue;
    }
    if (text.startsWith('<!', at) || text.startsWith('<?', at)) fail('a DOCTYPE, CDATA section or processing instruction');
    const closing = new RegExp(`^</(${NAME})\\s*>`).exec(text.slice(at));
    if (closing) {
      const current = open.pop();
      if (!current || current === root || current.name !== closing[1]) fail(`</${closing[1]}> where <${current?.name ?? 'nothing'}> is open`);
      at += closing[0].length;
      continue;
    }
    const tag = new RegExp(`^<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`).exec(text.slice(at));
    if (!tag) fail('a malformed tag');
    const [whole, name, attributeText, selfClosing] = tag as RegExpExecArray;
    const attributes = new Map<string, string>();
    for (const m of (attributeText ?? '').matchAll(new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g'))) {
      if (attributes.has(m[1]!)) fail(`the attribute ${m[1]} twice`);
      const value = m[2] ?? m[3] ?? '';
      checkText(value);
      attributes.set(m[1]!, value);
    }
    const element: Element = { name: name!, attributes, children: [], text: '' };
    if (open.length === 1 && root.children.length > 0) fail('a second root element');
    open[open.length - 1]!.children.push(element);
    if (selfClosing !== '/') open.push(element);
    at += whole.length;
  }
  if (open.length !== 1) fail(`<${open[open.length - 1]!.name}> is never closed`);
  if (root.children.length !== 1) fail('no root element');
  return root.children[0]!;
}

/** Everything that makes an icon fetch or run something, or not an SVG a browser sizes by itself. */
export function iconProblems(source: string, shape: 'square' | 'palette'): string[] {
  let svg: Element;
  try {
    svg = parseXml(source);
  } catch (error) {
    return [`not well-formed XML: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  if (svg.name !== 'svg') problems.push(`the root is <${svg.name}>, not <svg>`);
  if (svg.attributes.get('xmlns') !== SVG_NAMESPACE) problems.push(`the root is not in the SVG namespace (xmlns="${SVG_NAMESPACE}")`);
  const box = (svg.attributes.get('viewBox') ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  if (box.length !== 4 || box.some((n) => !Number.isFinite(n)) || box[2]! <= 0 || box[3]! <= 0) {
    problems.push('no viewBox of four numbers with a positive width and height');
  } else if (shape === 'square' ? box[2] !== box[3] : box[2]! * 3 !== box[3]! * 2) {
    problems.push(`the viewBox is ${box[2]} x ${box[3]}, not ${shape === 'square' ? 'square (n8n)' : '2:3 (Node-RED)'}`);
  }
  const visit = (element: Element): void => {
    if (['script', 'foreignObject', 'image', 'iframe', 'a', 'feImage', 'handler'].includes(element.name)) problems.push(`a <${element.name}> element`);
    if (element.name === 'style' && /@import|url\(\s*['"]?(?!#)/i.test(element.text)) problems.push('a style that loads something');
    for (const [name, value] of element.attributes) {
      if (/^on/i.test(name)) problems.push(`an event attribute ${name}`);
      if (/(^|:)href$/.test(name) && !value.startsWith('#')) problems.push(`${name}="${value}" points outside the file`);
      if (/url\(\s*['"]?(?!#)/i.test(value)) problems.push(`${name} uses url() outside the file`);
      if (/javascript:|data:/i.test(value)) problems.push(`${name} holds a javascript: or data: URL`);
      if (/^xmlns(:|$)/.test(name) === false && /https?:/i.test(value)) problems.push(`${name} names a web address`);
    }
    element.children.forEach(visit);
  };
  visit(svg);
  return problems;
}

const svgsIn = (folder: string): string[] =>
  readdirSync(join(ROOT, folder))
    .filter((file) => file.endsWith('.svg'))
    .sort();

describe('the shipped icons', () => {
  const n8nIcons = svgsIn(N8N_ICONS);
  const nodeRedIcons = svgsIn(NODE_RED_ICONS);

  it.each(n8nIcons)('icons/%s is a self-contained square SVG', (file) => {
    expect(iconProblems(readFileSync(join(ROOT, N8N_ICONS, file), 'utf8'), 'square')).toEqual([]);
  });

  it.each(nodeRedIcons)('node-red/icons/%s is a self-contained 2:3 SVG', (file) => {
    expect(iconProblems(readFileSync(join(ROOT, NODE_RED_ICONS, file), 'utf8'), 'palette')).toEqual([]);
  });

  it('pairs every n8n icon with its dark twin, and names the family xero-guard-<what>', () => {
    expect(n8nIcons.length).toBeGreaterThanOrEqual(26);
    const light = n8nIcons.filter((file) => !file.endsWith('.dark.svg'));
    const dark = n8nIcons.filter((file) => file.endsWith('.dark.svg'));
    expect(dark.map((file) => file.replace(/\.dark\.svg$/, '.svg'))).toEqual(light);
    expect(light.filter((file) => !/^xero-guard-[a-z]+\.svg$/.test(file))).toEqual([]);
    // Node-RED looks icons up by file name across every installed module: ours carry the family's prefix.
    expect(nodeRedIcons.length).toBeGreaterThan(0);
    expect(nodeRedIcons.filter((file) => !/^xero-guard-[a-z]+\.svg$/.test(file))).toEqual([]);
  });
});

describe('the check itself', () => {
  const good = `<svg xmlns="${SVG_NAMESPACE}" viewBox="0 0 64 64"><!-- a disc --><circle cx="32" cy="32" r="31" fill="#13B5EA"/></svg>`;

  it('passes a plain icon', () => {
    expect(iconProblems(good, 'square')).toEqual([]);
    expect(iconProblems(good.replace('0 0 64 64', '0 0 40 60'), 'palette')).toEqual([]);
  });

  it('finds what a browser would run or fetch', () => {
    expect(iconProblems(good.replace('<!-- a disc -->', '<script>alert(1)</script>'), 'square')).toEqual(['a <script> element']);
    expect(iconProblems(good.replace('fill="#13B5EA"', 'fill="#13B5EA" onload="alert(1)"'), 'square')).toEqual(['an event attribute onload']);
    expect(iconProblems(good.replace('<!-- a disc -->', '<use href="https://example.com/x.svg#a"/>'), 'square')).toEqual([
      'href="https://example.com/x.svg#a" points outside the file',
      'href names a web address',
    ]);
    expect(iconProblems(good.replace('fill="#13B5EA"', 'fill="url(https://example.com/p.svg#g)"'), 'square')).toEqual([
      'fill uses url() outside the file',
      'fill names a web address',
    ]);
    expect(iconProblems(good.replace('<!-- a disc -->', '<style>@import "x.css";</style>'), 'square')).toEqual(['a style that loads something']);
    expect(iconProblems(good.replace('<!-- a disc -->', '<foreignObject></foreignObject>'), 'square')).toEqual(['a <foreignObject> element']);
    expect(iconProblems(good.replace('fill="#13B5EA"', 'fill="url(#gradient)"'), 'square')).toEqual([]);
  });

  it('finds what is not a well-formed SVG with a viewBox of the right shape', () => {
    expect(iconProblems(good.replace('/></svg>', '></svg>'), 'square')[0]).toMatch(/^not well-formed XML: <\/svg> where <circle> is open/);
    expect(iconProblems(`${good}<svg/>`, 'square')[0]).toMatch(/a second root element/);
    expect(iconProblems(good.replace('fill="#13B5EA"', 'fill="a & b"'), 'square')[0]).toMatch(/a bare "&"/);
    expect(iconProblems(`<!DOCTYPE svg>${good}`, 'square')[0]).toMatch(/DOCTYPE/);
    expect(iconProblems(good.replace(' viewBox="0 0 64 64"', ''), 'square')).toEqual(['no viewBox of four numbers with a positive width and height']);
    expect(iconProblems(good.replace(`xmlns="${SVG_NAMESPACE}" `, ''), 'square')).toEqual([`the root is not in the SVG namespace (xmlns="${SVG_NAMESPACE}")`]);
    expect(iconProblems(good, 'palette')).toEqual(['the viewBox is 64 x 64, not 2:3 (Node-RED)']);
    expect(iconProblems(good.replace('0 0 64 64', '0 0 40 60'), 'square')).toEqual(['the viewBox is 40 x 60, not square (n8n)']);
  });
});

describe('where the icons are drawn', () => {
  /** Every `file:` icon a node or the credential names, resolved from its own folder. */
  const n8nSources = [
    ...readdirSync(join(ROOT, 'nodes'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'shared')
      .flatMap((entry) =>
        readdirSync(join(ROOT, 'nodes', entry.name))
          .filter((file) => file.endsWith('.node.ts'))
          .map((file) => join('nodes', entry.name, file)),
      ),
    ...readdirSync(join(ROOT, 'credentials'))
      .filter((file) => file.endsWith('.credentials.ts'))
      .map((file) => join('credentials', file)),
  ];

  it.each(n8nSources)('%s names a light and a dark icon of the family, both shipped', (source) => {
    const text = readFileSync(join(ROOT, source), 'utf8');
    const icon = /icon(?::\s*Icon)?\s*[:=]\s*\{\s*light:\s*'file:([^']+)',\s*dark:\s*'file:([^']+)'\s*\}/.exec(text);
    expect(icon).not.toBeNull();
    const [light, dark] = [icon![1]!, icon![2]!].map((file) => join(source, '..', file));
    expect(light).toMatch(/^icons\/xero-guard-[a-z]+\.svg$/);
    expect(dark).toBe(light.replace(/\.svg$/, '.dark.svg'));
    expect(n8nIconFiles()).toEqual(expect.arrayContaining([light.slice('icons/'.length), dark.slice('icons/'.length)]));
  });

  const nodeRedPages = readdirSync(join(ROOT, 'node-red')).filter((file) => file.endsWith('.html'));

  it.each(nodeRedPages)('node-red/%s draws its palette icons from node-red/icons', (page) => {
    const text = readFileSync(join(ROOT, 'node-red', page), 'utf8');
    const icons = [...text.matchAll(/\bicon:\s*'([^']+)'/g)].map((m) => m[1]!);
    for (const icon of icons) expect(readdirSync(join(ROOT, NODE_RED_ICONS))).toContain(icon);
  });

  function n8nIconFiles(): string[] {
    return readdirSync(join(ROOT, N8N_ICONS));
  }
});
