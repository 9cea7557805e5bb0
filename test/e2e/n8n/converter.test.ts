/**
 * The converter on real n8n 2.41.1 (one boot) with the packed tarball installed the way n8n installs community
 * packages, against the simulator (issue 27 item 6, issue 25 item 4): an export that mixes n8n's Xero node and an
 * HTTP Request node on n8n's own Xero credential is converted by the command docs/n8n.md gives for n8n's own
 * folder, run exactly as written in n8n's user folder (without the registry); the result is imported into n8n
 * by name of the credential, and run: the Xero Guard node and the HTTP Request node both call the simulator on the
 * guarded credential's chain, and nothing still names n8n's Xero credential.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SIMULATOR_DEFAULT_SCOPES, DEMO_TENANT_ID, type Simulator } from '../../../src/simulator';
import { e2eTest } from '../harness/diagnostics';
import { npmEnv, run } from '../../../tools/n8n/install';
import { startN8n, type N8nHandle } from '../../../tools/n8n/n8n';
import { REPO_ROOT } from '../../../tools/n8n/pack';
import { CREDENTIAL_TYPE, PACKAGE, credentialFor, startE2eSimulator } from '../../../tools/n8n/xero';

jest.setTimeout(300_000);

const CREDENTIAL_NAME = 'Xero (guarded)';
const N8N_XERO = { xeroOAuth2Api: { id: 'n8n-xero-1', name: 'Xero account' } };

/** The command docs/n8n.md gives for n8n's own folder, as written there. */
function docsCommandForN8nFolder(): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'n8n.md'), 'utf8');
  const line = doc.split('\n').find((l) => l.startsWith('node ~/.n8n/nodes/node_modules/n8n-nodes-xero-guard/dist/cli/xero-guard-n8n.js convert-workflows'));
  if (!line) throw new Error("docs/n8n.md no longer gives the command for n8n's own folder");
  return line;
}

/** What a user exports before the switch: Webhook -> n8n's Xero node -> HTTP Request on n8n's Xero credential -> Code that takes Xero's /Date(...)/ apart. */
function exported(sim: Simulator, path: string): Record<string, unknown> {
  const node = (
    name: string,
    type: string,
    typeVersion: number,
    position: number,
    parameters: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => ({
    id: randomUUID(),
    name,
    type,
    typeVersion,
    position: [position * 240, 0],
    parameters,
    ...extra,
  });
  return {
    name: 'Before the switch',
    nodes: [
      node(
        'Webhook',
        'n8n-nodes-base.webhook',
        2,
        0,
        { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
        { webhookId: randomUUID() },
      ),
      node(
        'Create Contact',
        'n8n-nodes-base.xero',
        1,
        1,
        { resource: 'contact', operation: 'create', organizationId: DEMO_TENANT_ID, name: '={{ $json.body.name }}' },
        { credentials: N8N_XERO },
      ),
      node(
        'Organisation',
        'n8n-nodes-base.httpRequest',
        4.2,
        2,
        {
          method: 'GET',
          url: `${sim.apiUrl}/api.xro/2.0/Organisation`,
          authentication: 'predefinedCredentialType',
          nodeCredentialType: 'xeroOAuth2Api',
          sendHeaders: true,
          headerParameters: {
            parameters: [
              { name: 'xero-tenant-id', value: DEMO_TENANT_ID },
              { name: 'Accept', value: 'application/json' },
            ],
          },
          options: {},
        },
        { credentials: N8N_XERO },
      ),
      node('Summary', 'n8n-nodes-base.code', 2, 3, {
        jsCode:
          "const contact = $('Create Contact').first().json;\nreturn [{ json: { contact: contact.Name, updated: String(contact.UpdatedDateUTC).replace('/Date(', ''), organisation: $json.Organisations[0].Name } }];",
      }),
    ],
    connections: {
      Webhook: { main: [[{ node: 'Create Contact', type: 'main', index: 0 }]] },
      'Create Contact': { main: [[{ node: 'Organisation', type: 'main', index: 0 }]] },
      Organisation: { main: [[{ node: 'Summary', type: 'main', index: 0 }]] },
    },
    settings: { executionOrder: 'v1' },
  };
}

describe('the converter on real n8n', () => {
  let n8n: N8nHandle | undefined;
  let sim: Simulator | undefined;
  let work: string;
  const test = e2eTest(() => ({ n8n, sim }));

  beforeAll(async () => {
    ({ sim } = await startE2eSimulator());
    n8n = await startN8n();
    const grant = sim.seedGrant({ email: 'switch@xero-guard.test', scopes: [...SIMULATOR_DEFAULT_SCOPES, 'accounting.contacts'], tenants: [DEMO_TENANT_ID] });
    await n8n.importCredentials([credentialFor(sim, grant, { name: CREDENTIAL_NAME })]);
    work = mkdtempSync(join(tmpdir(), 'xg-convert-e2e-'));
  }, 1_800_000);

  afterAll(async () => {
    await n8n?.stop();
    await sim?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("the docs' command in n8n's folder converts the export; n8n imports it and runs both nodes on the guarded credential", async () => {
    mkdirSync(join(work, 'my-workflows'));
    writeFileSync(join(work, 'my-workflows', 'workflows.json'), JSON.stringify([exported(sim!, 'after-the-switch')], null, 2));
    const converted = await run('bash', ['-c', docsCommandForN8nFolder()], {
      cwd: work,
      env: npmEnv({ HOME: n8n!.userFolder, npm_config_registry: 'http://127.0.0.1:9/' }),
      allowFailure: true,
    });
    expect({ code: converted.code, stderr: converted.stderr }).toEqual({ code: 0, stderr: '' });
    expect(converted.stdout.split('\n').map((l) => l.trim().split(':')[0])).toEqual([
      expect.stringContaining('workflows.json'),
      'converted',
      'moved',
      'warning',
      '',
    ]);
    expect(converted.stdout).toContain('node "Summary", field "parameters.jsCode" runs after "Create Contact" and parses');

    const [workflow] = JSON.parse(readFileSync(join(work, 'my-workflows', 'workflows.xero-guard.json'), 'utf8')) as Array<Record<string, unknown>>;
    expect(JSON.stringify(workflow)).not.toContain('xeroOAuth2Api');
    const id = await n8n!.importWorkflow(workflow);
    // n8n resolved the credential by its name: the stored nodes carry its id.
    const stored = (await n8n!.api('GET', `/workflows/${id}`)).json as {
      nodes: Array<{ name: string; type: string; credentials?: Record<string, { id: string }> }>;
    };
    const byName = (name: string) => stored.nodes.find((n) => n.name === name)!;
    expect(byName('Create Contact').type).toBe(`${PACKAGE}.xeroGuard`);
    for (const name of ['Create Contact', 'Organisation']) expect(byName(name).credentials?.[CREDENTIAL_TYPE]?.id).toEqual(expect.any(String));

    await n8n!.activate(id);
    const answer = await n8n!.webhook('after-the-switch', { name: 'Totara Plumbing' });
    expect(answer.status).toBe(200);
    expect((answer.json as Array<Record<string, unknown>>)[0]).toMatchObject({ contact: 'Totara Plumbing', organisation: expect.any(String) });
    // ISO from the Xero Guard node: the old parsing in the Code node had nothing to take apart (what the warning says).
    expect((answer.json as Array<{ updated: unknown }>)[0].updated).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const requests = sim!.log().filter((e) => e.type === 'request');
    expect(requests.some((e) => e.method === 'PUT' || e.method === 'POST')).toBe(true);
    expect(requests.filter((e) => e.endpoint === 'organisation' && e.status === 200).length).toBeGreaterThan(0);
  });
});
