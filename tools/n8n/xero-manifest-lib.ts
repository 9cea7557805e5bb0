/** The shape of n8n's Xero node description the manifest keeps: names, types, defaults, option values. */
export interface RawProperty {
  name: string;
  type: string;
  default?: unknown;
  required?: boolean;
  displayOptions?: { show?: Record<string, unknown[]> };
  options?: Array<RawProperty | { name: string; value?: unknown; values?: RawProperty[] }>;
  values?: RawProperty[];
}

export interface ManifestField {
  type: string;
  default: unknown;
  required?: true;
  /** Values an options or multiOptions field offers. */
  values?: unknown[];
  /** Fields inside a collection, or the groups of a fixedCollection (each with its fields). */
  fields?: Record<string, ManifestField>;
}

export interface XeroManifest {
  source: string;
  nodeType: 'n8n-nodes-base.xero';
  resource: { default: string; values: string[] };
  /** Per resource: the operation field's default and values. */
  operations: Record<string, { default: string; values: string[] }>;
  /** Per "resource.operation": the top-level fields that operation shows. */
  fields: Record<string, Record<string, ManifestField>>;
}

function fieldOf(p: RawProperty): ManifestField {
  const f: ManifestField = { type: p.type, default: p.default ?? null };
  if (p.required) f.required = true;
  if ((p.type === 'options' || p.type === 'multiOptions') && Array.isArray(p.options)) f.values = p.options.map((o) => (o as { value?: unknown }).value);
  if (p.type === 'collection' && Array.isArray(p.options)) f.fields = Object.fromEntries((p.options as RawProperty[]).map((o) => [o.name, fieldOf(o)]));
  if (p.type === 'fixedCollection' && Array.isArray(p.options))
    f.fields = Object.fromEntries(
      (p.options as Array<{ name: string; values?: RawProperty[] }>).map((g) => [
        g.name,
        { type: 'group', default: null, fields: Object.fromEntries((g.values ?? []).map((v) => [v.name, fieldOf(v)])) },
      ]),
    );
  return f;
}

export function manifestOf(properties: RawProperty[], version: string): XeroManifest {
  const resourceProp = properties.find((p) => p.name === 'resource');
  if (!resourceProp?.options) throw new Error('n8n Xero description has no resource field');
  const resources = resourceProp.options.map((o) => String((o as { value?: unknown }).value));
  const manifest: XeroManifest = {
    source: `n8n-nodes-base ${version}, dist/nodes/Xero (parameter names, types, defaults and values only)`,
    nodeType: 'n8n-nodes-base.xero',
    resource: { default: String(resourceProp.default), values: resources },
    operations: {},
    fields: {},
  };
  for (const resource of resources) {
    const op = properties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource));
    if (!op?.options) throw new Error(`n8n Xero description has no operation field for ${resource}`);
    const values = op.options.map((o) => String((o as { value?: unknown }).value));
    manifest.operations[resource] = { default: String(op.default), values };
    for (const operation of values) {
      const shown = properties.filter(
        (p) =>
          p.name !== 'resource' &&
          p.name !== 'operation' &&
          p.displayOptions?.show?.resource?.includes(resource) &&
          p.displayOptions.show.operation?.includes(operation),
      );
      manifest.fields[`${resource}.${operation}`] = Object.fromEntries(shown.map((p) => [p.name, fieldOf(p)]));
    }
  }
  return manifest;
}
