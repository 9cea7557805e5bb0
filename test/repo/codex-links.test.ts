/**
 * The Docs links n8n shows (each node's codex file, the credential's documentationUrl) reach the
 * pack's own docs: the repository package.json names, a file under docs/ that exists, and a heading
 * of that file (GitHub's anchor for it), never the npm page.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { homepage: string; repository: { url: string } };
const REPO = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

/** GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

function anchorsIn(file: string): Set<string> {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1]!)));
}

function docsLinks(): Array<[string, string]> {
  const codex = readdirSync(join(ROOT, 'nodes'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) =>
      readdirSync(join(ROOT, 'nodes', entry.name))
        .filter((file) => file.endsWith('.node.json'))
        .map((file) => join('nodes', entry.name, file)),
    );
  const links: Array<[string, string]> = codex.flatMap((file) => {
    const resources = (JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { resources?: Record<string, Array<{ url: string }>> }).resources ?? {};
    return Object.values(resources).flatMap((list) => list.map((link): [string, string] => [file, link.url]));
  });
  const credential = readFileSync(join(ROOT, 'credentials', 'XeroGuardOAuth2Api.credentials.ts'), 'utf8');
  links.push(['credentials/XeroGuardOAuth2Api.credentials.ts', /documentationUrl = '([^']+)'/.exec(credential)![1]!]);
  return links;
}

describe("n8n's Docs links", () => {
  const links = docsLinks();

  it('every node has a primary documentation link', () => {
    expect(links.filter(([file]) => file.endsWith('.node.json')).length).toBeGreaterThanOrEqual(13);
  });

  it.each(links)('%s links %s: a heading of a doc in the repository package.json names', (_file, url) => {
    expect(pkg.homepage.startsWith(REPO)).toBe(true);
    const match = new RegExp(`^${REPO.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/blob/main/(docs/[\\w./-]+\\.md)#(.+)$`).exec(url);
    expect(match).not.toBeNull();
    expect(anchorsIn(match![1]!)).toContain(match![2]);
  });
});
