import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { DEMO_TENANT_ID, SECOND_TENANT_ID, type Simulator } from '../../../src/simulator';
import { getConnections, getOrganisation, manualSim } from './helpers';
import type { OpenApiDocument, SchemaObject } from './support/openapi';

/**
 * What the simulator serves, checked against Xero's own OpenAPI documents. The documents are
 * permissive (no additionalProperties: false), so the item schemas are also checked closed, which
 * catches any field the simulator invented.
 */
/** Xero's own OpenAPI documents (MIT, licence beside them), copied into the repository's openapi/ folder. */
const OPENAPI = join(__dirname, '..', '..', '..', 'openapi');
const load = (file: string): OpenApiDocument => parse(readFileSync(join(OPENAPI, file), 'utf8')) as OpenApiDocument;

function closed(schema: SchemaObject): SchemaObject {
  return { ...schema, additionalProperties: false };
}

let ajv: Ajv;
let connections: ValidateFunction;
let connectionClosed: ValidateFunction;
let organisations: ValidateFunction;
let organisationClosed: ValidateFunction;
let error: ValidateFunction;

beforeAll(() => {
  ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // Xero's documents say date-time, but Xero sends /connections dates with no zone
  // (its own example: 2019-12-07T18:46:19.5165400), which RFC 3339 date-time refuses.
  // Validate them as ISO date-times with an optional zone, as Xero's SDKs parse them.
  ajv.addFormat('date-time', { validate: (s: string) => ajv.getSchema('iso-date-time-check')?.(s) === true });
  ajv.addSchema({ $id: 'iso-date-time-check', type: 'string', format: 'iso-date-time' });
  const identity = load('xero-identity.yaml');
  const accounting = load('xero_accounting.yaml');
  ajv.addSchema({ $id: 'identity', components: identity.components });
  ajv.addSchema({ $id: 'accounting', components: { schemas: accounting.components.schemas } });
  const getConnectionsSchema = identity.paths['/Connections'].get!.responses['200'].content!['application/json'].schema;
  connections = ajv.compile({ $id: 'connections-response', ...getConnectionsSchema, items: { $ref: 'identity#/components/schemas/Connection' } });
  connectionClosed = ajv.compile(closed(identity.components.schemas.Connection));
  organisations = ajv.getSchema('accounting#/components/schemas/Organisations') as ValidateFunction;
  const orgSchema = accounting.components.schemas.Organisation;
  organisationClosed = ajv.compile({
    $id: 'org-closed',
    ...closed(orgSchema),
    properties: Object.fromEntries(Object.keys(orgSchema.properties!).map((k) => [k, {}])),
  });
  error = ajv.getSchema('accounting#/components/schemas/Error') as ValidateFunction;
});

let sim: Simulator;
beforeEach(async () => {
  ({ sim } = await manualSim());
});
afterEach(() => sim.close());

const expectValid = (validate: ValidateFunction, value: unknown): void => {
  const ok = validate(value);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
};

describe('against xero-identity.yaml', () => {
  it('GET /connections matches Connection[] and invents no fields', async () => {
    const t = sim.seedGrant({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
    const body = (await getConnections(sim, t.access_token)).json;
    expectValid(connections, body);
    for (const c of body) expectValid(connectionClosed, c);
    for (const c of body) expect(c.createdDateUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$/);
    // The validators bite: a wrong date, a wrong id, an invented field.
    expect(connections([{ ...body[0], createdDateUtc: 'yesterday' }])).toBe(false);
    expect(connections([{ ...body[0], tenantId: 'not-a-uuid' }])).toBe(false);
    expect(connectionClosed({ ...body[0], expiresAt: 1 })).toBe(false);
  });

  it('token responses carry only AccessToken fields plus scope', async () => {
    const identity = load('xero-identity.yaml');
    const known = [...Object.keys(identity.components.schemas.AccessToken.properties!), 'scope'];
    const t = sim.seedGrant();
    for (const key of Object.keys(t)) expect(known).toContain(key);
  });
});

describe('against xero_accounting.yaml', () => {
  it('GET Organisation matches Organisations and every organisation field is a documented one', async () => {
    const t = sim.seedGrant({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
    for (const tenant of [DEMO_TENANT_ID, SECOND_TENANT_ID]) {
      const body = (await getOrganisation(sim, t.access_token, tenant)).json;
      expectValid(organisations, body);
      expectValid(organisationClosed, body.Organisations[0]);
    }
    const body = (await getOrganisation(sim, t.access_token, DEMO_TENANT_ID)).json;
    expect(organisations({ ...body, Organisations: [{ ...body.Organisations[0], Version: 'XX' }] })).toBe(false);
    expect(organisationClosed({ ...body.Organisations[0], Invented: true })).toBe(false);
  });

  it('the ValidationException fault matches Error', async () => {
    const t = sim.seedGrant();
    sim.faults.add({ kind: 'validation-error', message: 'A bad thing', endpoint: 'organisation' });
    expectValid(error, (await getOrganisation(sim, t.access_token, DEMO_TENANT_ID)).json);
  });

  it('the 401/403 bodies are RFC 7807 problem details, not the Error schema (Type is null), as Xero sends them', async () => {
    const t = sim.seedGrant();
    const r = await getOrganisation(sim, t.access_token, SECOND_TENANT_ID);
    expect(Object.keys(r.json)).toEqual(['Type', 'Title', 'Status', 'Detail', 'Instance', 'Extensions']);
    expect(error(r.json)).toBe(false);
  });
});
