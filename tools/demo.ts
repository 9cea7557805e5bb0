/**
 * `npm start`: the demo on one machine. Builds and packs this package, starts the local Xero
 * simulator, a Slack stand-in and a real n8n (the pinned version, on Node 24, installed once into
 * ~/.cache/xero-guard) with the package installed as a community package, a connected Xero
 * credential and the example workflows; prints the editor URL, the login and three things to try.
 * Ctrl-C stops everything it started.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY, OffsetClock } from '../src/clock';
import { DEMO_TENANT_ID, DEMO_USER_EMAIL, startSimulator, type Simulator } from '../src/simulator';
import { progress } from './n8n/install';
import { OWNER, startN8n, type N8nHandle } from './n8n/n8n';
import { REPO_ROOT } from './n8n/pack';
import { startSlackStandIn, type SlackStandIn } from './services/slack';
import { CREDENTIAL_TYPE, credentialFor } from './n8n/xero';

const SLACK_PLACEHOLDER = 'https://hooks.slack.com/services/REPLACE/WITH/YOUR-WEBHOOK';
const EXAMPLES = [
  { file: 'watchdog-slack.json', activate: true },
  { file: 'keep-alive.json', activate: true },
  { file: 'retry-loop.json', activate: false },
];

interface Running {
  sim?: Simulator;
  slack?: SlackStandIn;
  n8n?: N8nHandle;
  timer?: NodeJS.Timeout;
}

const running: Running = {};

async function main(): Promise<void> {
  const simPort = port('XERO_GUARD_SIM_PORT', 4010);
  const n8nPort = port('N8N_PORT', 5678);
  progress('starting the Xero simulator');
  running.sim = await startSimulator({ host: '127.0.0.1', port: simPort, clock: new OffsetClock() });
  running.slack = await startSlackStandIn();
  progress('starting n8n with the packed package (the first run installs Node 24 and n8n: a few minutes)');
  running.n8n = await startN8n({ port: n8nPort });
  const { sim, slack, n8n } = running;

  const credential = credentialFor(sim, sim.seedGrant(), { name: 'Xero (local simulator)' });
  await n8n.importCredentials([credential]);
  const replacements = { [SLACK_PLACEHOLDER]: slack.url, 'https://api.xero.com': sim.apiUrl, REPLACE_WITH_YOUR_TENANT_ID: DEMO_TENANT_ID };
  const names: string[] = [];
  for (const example of EXAMPLES) {
    const workflow = wire(example.file, credential, replacements);
    const id = await n8n.importWorkflow(workflow);
    if (example.activate) await n8n.activate(id);
    names.push(String(workflow.name));
  }
  running.timer = echoSlack(slack);

  const admin = sim.adminUrl;
  console.log(`
Xero Guard demo ready.

  n8n editor      ${n8n.url}
  login           ${OWNER.email} / ${OWNER.password}
  Xero simulator  ${sim.url} (admin API ${admin})
  workflows       ${names.join('; ')}
  Slack messages  are printed here as they arrive.

Three things to try:
  1. Revoke the connection at "Xero", and watch the Watchdog post one alert here (it polls every minute):
       curl -s -XPOST -H 'content-type: application/json' ${admin}/revoke-user -d '{"user":"${DEMO_USER_EMAIL}"}'
  2. Jump Xero's clock 61 days, past the idle limit of an unused refresh token:
       curl -s -XPOST -H 'content-type: application/json' ${admin}/clock -d '{"advanceMs": ${61 * DAY}}'
     (the Keep-alive workflow rotates tokens weekly so a real connection never gets there)
  3. Open "${names[2]}" in the editor: a Xero call whose errors are classified and routed to retry, wait or re-authenticate.

Ctrl-C stops n8n, the simulator and the Slack stand-in.`);
}

function wire(file: string, credential: { id: string; name: string }, replacements: Record<string, string>): Record<string, unknown> {
  let text = readFileSync(join(REPO_ROOT, 'examples', file), 'utf8');
  for (const [from, to] of Object.entries(replacements)) text = text.split(from).join(to);
  const workflow = JSON.parse(text) as {
    nodes: Array<{ type?: string; credentials?: Record<string, unknown>; parameters?: Record<string, unknown> }>;
  } & Record<string, unknown>;
  for (const node of workflow.nodes) {
    if (node.credentials?.[CREDENTIAL_TYPE]) node.credentials[CREDENTIAL_TYPE] = { id: credential.id, name: credential.name };
    // The example checks every 15 minutes, as a user would; the demo checks every minute so you see the alert soon.
    if (node.type?.endsWith('.xeroGuardConnectionTrigger') && node.parameters) node.parameters.pollTimes = { item: [{ mode: 'everyMinute' }] };
  }
  return workflow;
}

function echoSlack(slack: SlackStandIn): NodeJS.Timeout {
  let shown = 0;
  return setInterval(() => {
    for (; shown < slack.messages.length; shown++) {
      const body = slack.messages[shown].body as { text?: unknown } | undefined;
      console.log(`\n[slack] ${typeof body?.text === 'string' ? body.text : slack.messages[shown].raw}`);
    }
  }, 500);
}

function port(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${variable}=${JSON.stringify(raw)} is not a port number: use a whole number from 0 to 65535, or unset it for ${fallback}`);
  }
  return value;
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  progress('stopping');
  if (running.timer) clearInterval(running.timer);
  await running.n8n?.stop().catch(() => undefined);
  await running.sim?.close().catch(() => undefined);
  await running.slack?.close().catch(() => undefined);
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
main().catch((error: unknown) => {
  console.error(`\nThe demo could not start: ${error instanceof Error ? error.message : String(error)}`);
  if (running.n8n) console.error(`\nLast lines of n8n's log:\n${running.n8n.logTail(40)}`);
  void stop(1);
});
