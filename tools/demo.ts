/**
 * `npm start`: the demo on one machine. Builds and packs this package, starts the local Xero
 * simulator, a Slack stand-in and a real n8n (the pinned version, on Node 24, installed once into
 * ~/.cache/xero-guard) with the package installed as a community package; the first start adds a
 * connected Xero credential and the example workflows. Prints the editor URL, the login and three
 * things to try. What the user builds is kept (tools/demo/home.ts says where) and comes back at the
 * next start; `npm start -- --reset` starts afresh. Ctrl-C (or SIGINT/SIGTERM to npm) stops everything it started.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY, OffsetClock } from '../src/clock';
import { BASE_SCOPES, DEFAULT_XERO_SCOPES } from '../src/host';
import { DEMO_TENANT_ID, DEMO_USER_EMAIL, startSimulator, type Simulator } from '../src/simulator';
import { claim, DEMO_MARKER_VARIABLE, demoHome, pruneLogs, readKept, reset, stopLeftovers, writeKept, type DemoHome, type KeptDemo } from './demo/home';
import { progress, setProgressLabel } from './n8n/install';
import { OWNER, startN8n, type N8nHandle } from './n8n/n8n';
import { REPO_ROOT } from './n8n/pack';
import { startSlackStandIn, type SlackStandIn } from './services/slack';
import { CREDENTIAL_TYPE, credentialFor } from './n8n/xero';

const SLACK_PLACEHOLDER = 'https://hooks.slack.com/services/REPLACE/WITH/YOUR-WEBHOOK';
const EXAMPLES = [
  { file: 'watchdog-slack.json', activate: true },
  { file: 'keep-alive.json', activate: true },
  { file: 'retry-loop.json', activate: false },
  // Imported for the user to open and activate (the webhook one needs the app's key in the credential).
  { file: 'invoice-paid-slack.json', activate: false },
  { file: 'overdue-digest-slack.json', activate: false },
  { file: 'new-contact-crm.json', activate: false },
];
const CREDENTIAL_NAME = 'Xero (local simulator)';

const USAGE = `npm start [-- --reset]

Starts the Xero Guard demo: the local Xero simulator, a Slack stand-in and n8n with this package.
What you build in it is kept in ~/.cache/xero-guard/demo (or XERO_GUARD_DEMO_DIR) and comes back at the next start.

  --reset   delete the kept demo (n8n's workflows, credentials and executions, the token ledger,
            the simulator's Xero) and start afresh
  --help    this text

Ports: N8N_PORT (default 5678), XERO_GUARD_SIM_PORT (default 4010; a kept demo keeps its own).`;

interface Running {
  home?: DemoHome;
  release?: () => void;
  sim?: Simulator;
  slack?: SlackStandIn;
  n8n?: N8nHandle;
  timer?: NodeJS.Timeout;
}

const running: Running = {};
setProgressLabel('xero-guard demo');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => !['--reset', '--help', '-h'].includes(arg));
  if (unknown.length > 0) throw new Error(`${unknown.join(' ')}: not an option of the demo.\n\n${USAGE}`);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  const home = demoHome();
  running.home = home;
  // Every process started from here on (installs, n8n, its task runner) carries the folder: leftovers can be found.
  process.env[DEMO_MARKER_VARIABLE] = home.dir;
  running.release = await claim(home);

  if (args.includes('--reset')) {
    const deleted = reset(home);
    progress(deleted.length === 0 ? `--reset: nothing kept in ${home.dir} yet` : `--reset: deleted the kept demo:\n  ${deleted.join('\n  ')}`);
  }
  let kept = readKept(home);
  if (kept === undefined && (existsSync(home.n8nFolder) || existsSync(home.simulatorState))) {
    reset(home);
    progress(`the first start in ${home.dir} did not finish last time: starting afresh`);
  }
  pruneLogs(home);

  const n8nPort = port('N8N_PORT', 5678);
  const simPort = kept ? keptPort(kept.simulatorPort, home) : port('XERO_GUARD_SIM_PORT', 4010);
  progress(kept ? `starting the demo kept in ${home.dir}` : `starting a new demo in ${home.dir}`);
  progress('starting the Xero simulator');
  running.sim = await listening(
    startSimulator({ host: '127.0.0.1', port: simPort, clock: new OffsetClock(), stateFile: home.simulatorState }),
    simPort,
    kept ? 'the kept credential and workflows call the simulator there' : 'set XERO_GUARD_SIM_PORT to a free port',
  );
  running.slack = await listening(startSlackStandIn(kept?.slackPort ?? 0), kept?.slackPort ?? 0, 'the kept workflows post their Slack messages there');
  progress('starting n8n with the packed package (the first run installs Node 24 and n8n: a few minutes)');
  running.n8n = await startN8n({
    port: n8nPort,
    userFolder: home.n8nFolder,
    apiKeyLabel: 'xero-guard demo',
    env: { [DEMO_MARKER_VARIABLE]: home.dir, N8N_LOG_LEVEL: 'info' },
  });
  const { sim, slack, n8n } = running;
  const fresh = kept === undefined;
  kept ??= await firstStart(home, sim, slack, n8n);
  running.timer = echoSlack(slack);

  const admin = sim.adminUrl;
  const names = EXAMPLES.map((example) => String(readExample(example.file).name));
  console.log(`
Xero Guard demo ready.

  n8n editor      ${n8n.url}
  login           ${OWNER.email} / ${OWNER.password}
  Xero simulator  ${sim.url} (what it is, its consent page, its admin pages)
  workflows       ${fresh ? `${names.join('; ')} (credential "${kept.credential.name}")` : 'yours and the examples, as you left them'}
  kept in         ${home.dir} (the next \`npm start\` brings it back; \`npm start -- --reset\` starts afresh)
  Slack messages  are printed here as they arrive.

Three things to try:
  1. Revoke the connection at "Xero", and watch the Watchdog post one alert here (it polls every minute):
       curl -s -XPOST -H 'content-type: application/json' ${admin}/revoke-user -d '{"user":"${DEMO_USER_EMAIL}"}'
  2. Jump Xero's clock 61 days, past the idle limit of an unused refresh token:
       curl -s -XPOST -H 'content-type: application/json' ${admin}/clock -d '{"advanceMs": ${61 * DAY}}'
     (the Keep-alive workflow rotates tokens weekly so a real connection never gets there)
  3. Open "${names[2]}" in the editor and execute it: a Xero call whose errors are classified and routed to retry, wait or re-authenticate.

Ctrl-C stops n8n, the simulator and the Slack stand-in; the demo stays in ${home.dir}.`);
}

/** The credential (connected, with the scopes the examples use) and the example workflows, once per kept demo. */
async function firstStart(home: DemoHome, sim: Simulator, slack: SlackStandIn, n8n: N8nHandle): Promise<KeptDemo> {
  const scopes = DEFAULT_XERO_SCOPES;
  const credential = credentialFor(sim, sim.seedGrant({ scopes: [...BASE_SCOPES, ...scopes] }), { name: CREDENTIAL_NAME, scopes });
  await n8n.importCredentials([credential]);
  const replacements = { [SLACK_PLACEHOLDER]: slack.url, 'https://api.xero.com': sim.apiUrl, REPLACE_WITH_YOUR_TENANT_ID: DEMO_TENANT_ID };
  for (const example of EXAMPLES) {
    const id = await n8n.importWorkflow(wire(readExample(example.file), credential, replacements));
    if (example.activate) await n8n.activate(id);
  }
  // Written last: a first start that did not get here is started afresh next time.
  const kept: KeptDemo = {
    version: 1,
    simulatorPort: sim.port,
    slackPort: slack.port,
    credential: { id: credential.id, name: credential.name },
    createdAt: new Date().toISOString(),
  };
  writeKept(home, kept);
  return kept;
}

function readExample(file: string): Record<string, unknown> & { nodes: Array<Record<string, unknown>> } {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'examples', file), 'utf8')) as Record<string, unknown> & { nodes: Array<Record<string, unknown>> };
}

function wire(example: Record<string, unknown>, credential: { id: string; name: string }, replacements: Record<string, string>): Record<string, unknown> {
  let text = JSON.stringify(example);
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

/** A kept demo's simulator port: its credential and workflows call it, so XERO_GUARD_SIM_PORT may only repeat it. */
function keptPort(kept: number, home: DemoHome): number {
  const asked = port('XERO_GUARD_SIM_PORT', kept);
  if (asked !== kept) {
    throw new Error(
      `The demo kept in ${home.dir} calls its simulator on port ${kept} (its credential and workflows point there): unset XERO_GUARD_SIM_PORT or set it to ${kept}, or start afresh on ${asked} with \`npm start -- --reset\`.`,
    );
  }
  return kept;
}

/** A port already taken is said with the port, what needs it and the way out. */
async function listening<T>(started: Promise<T>, at: number, why: string): Promise<T> {
  try {
    return await started;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new Error(`Port ${at} is in use (${why}): stop what uses it, or start afresh with \`npm start -- --reset\`.`);
  }
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  progress('stopping');
  if (running.timer) clearInterval(running.timer);
  await running.n8n?.stop().catch(() => undefined);
  // Whatever started but has no handle yet (n8n still booting, an install under way) carries the demo's marker.
  if (running.home) await stopLeftovers(running.home).catch(() => undefined);
  await running.sim?.close().catch(() => undefined);
  await running.slack?.close().catch(() => undefined);
  running.release?.();
  if (running.home && existsSync(running.home.keptFile)) progress(`stopped; the demo is kept in ${running.home.dir}`);
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
main().catch((error: unknown) => {
  console.error(`\nThe demo could not start: ${error instanceof Error ? error.message : String(error)}`);
  if (running.n8n) console.error(`\nLast lines of n8n's log:\n${running.n8n.logTail(40)}`);
  void stop(1);
});
