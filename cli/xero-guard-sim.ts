#!/usr/bin/env node
/**
 * The `xero-guard-sim` command: runs the local Xero simulator from a shell, or seeds a running one.
 * Arguments, the banner and signals live here, above the core, so src/simulator stays a library
 * (`n8n-nodes-xero-guard/simulator`) that tests and tools start in-process.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { OffsetClock } from '../src/clock';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_CUSTOM_CLIENT_ID,
  DEMO_PKCE_CLIENT_ID,
  DEMO_TENANT_ID,
  DEMO_USER_EMAIL,
  demoClients,
} from '../src/simulator/directory';
import { startSimulator } from '../src/simulator/server';
import { GRACE_MODES, type ClientConfig, type GraceMode, type SimulatorOptions } from '../src/simulator/types';
import { escapeControlsInLines } from '../src/terminal-text';
import type { WebhookView } from '../src/simulator/webhooks/webhooks';
import { runCommand } from './run-command';
import { closedEndpoints, parseXeroTier, XERO_TIER_IDS, XERO_TIERS, type XeroTier } from '../src/xero-tiers';

export const HELP = `xero-guard-sim: a local Xero (identity + API) for tests, demos and alert rehearsals

Usage: xero-guard-sim [options]
       xero-guard-sim seed --tenant <id> [--url <simulator url>] [--contacts <n>] [--invoices <n>] [--paid-share <0..1>] [--random-seed <n>]

Options:
  --port <n>               Port to listen on; 0 picks a free one (default 4010)
  --host <address>         Address to bind (default 127.0.0.1)
  --grace-mode <mode>      Reuse of a spent refresh token inside the 30-minute window:
                           same-pair | fresh-pair | fresh-pair-revokes (default same-pair)
  --rate-limits            Enforce Xero's limits (60/min, 5000/day, 5 concurrent per
                           organisation; 10000/min per app). Off by default
  --day-limit <n>          Per-organisation daily limit when --rate-limits is on
                           (apps on a --tier have their tier's)
  --connection-limit <n>   Organisations one app may connect; unlimited by default
  --tier <tier>            Play every app on this Xero tier: starter | core | plus | advanced |
                           enterprise. Sets its connection cap (5, 50, 1000, 10000, none), its
                           day limit per organisation (1000 on starter, else 5000; enforced even
                           without --rate-limits), Journals only from advanced, and one
                           organisation per consent below advanced. No tier by default
  --client-id <id>         Replace the demo clients with this one (needs --client-secret)
  --client-secret <s>      Secret of --client-id
  --redirect-uri <uri>     A redirect URI of --client-id; repeat for more
  --start-time <iso>       Start the clock at this time (it then runs on in real time)
  --seed <n>               Seed for probability faults, to replay a chaos run
  --max-body-bytes <n>     Refuse larger request bodies with 413 (default 65536)
  --tls-key <file>         Serve HTTPS with this PEM key (with --tls-cert)
  --tls-cert <file>        Serve HTTPS with this PEM certificate (with --tls-key)
  --seed-invoices <n>      Fill the demo organisation's books at start: 50 contacts, n invoices,
                           payments (the Accounting API then has data to page through)
  --webhook-url <url>      Send Xero's webhooks (contacts, invoices, credit notes) to this URL,
                           e.g. your n8n trigger's production URL; the intent-to-receive check
                           runs at start (with --webhook-key)
  --webhook-key <key>      The webhook key deliveries are signed with: the same text you put in
                           your receiver (the Xero Guard credential's Webhook Key)
  --webhook-client <id>    The app whose webhook it is (default: --client-id, else the demo client)
  --admin-host <name>      Also accept admin requests sent to this host name (repeatable; loopback
                           names and the --host address are always accepted)
  -h, --help               Show this help

seed: fills a running simulator's organisation with a realistic book (contacts, a year of
invoices and bills, payments) through POST <url>/__admin/accounting/seed.
  --url <url>              The simulator (default http://127.0.0.1:4010)
  --tenant <id>            The organisation's tenant id (required)
  --contacts <n>           Contacts to create (default 50)
  --invoices <n>           Invoices and bills to create (default 3000)
  --paid-share <x>         Share of approved invoices paid, 0 to 1 (default 0.6)
  --random-seed <n>        Makes the book reproducible (default 1)

Control it at <url>/__admin (see docs/simulator.md). Ctrl-C stops it.
`;

class UsageError extends Error {}

/** What the command prints: the seed's answer comes from a server, so control characters are shown escaped (run-command.ts). */
const stdout = (text: string): boolean => process.stdout.write(escapeControlsInLines(text));
const stderr = (text: string): boolean => process.stderr.write(escapeControlsInLines(text));

function integer(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min}, got "${value}"`);
  return n;
}

/** Every option; the test checks each one appears in --help. */
export const CLI_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'grace-mode': { type: 'string' },
  'rate-limits': { type: 'boolean' },
  'day-limit': { type: 'string' },
  'connection-limit': { type: 'string' },
  tier: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'start-time': { type: 'string' },
  seed: { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-cert': { type: 'string' },
  'seed-invoices': { type: 'string' },
  'webhook-url': { type: 'string' },
  'webhook-key': { type: 'string' },
  'webhook-client': { type: 'string' },
  'admin-host': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Options of `xero-guard-sim seed`; the test checks each appears in --help too. */
export const SEED_CLI_OPTIONS = {
  url: { type: 'string' },
  tenant: { type: 'string' },
  contacts: { type: 'string' },
  invoices: { type: 'string' },
  'paid-share': { type: 'string' },
  'random-seed': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The admin request `seed` sends, from its arguments. */
export function seedRequestFromArgs(argv: string[]): { url: string; body: Record<string, number | string> } | 'help' {
  const { values } = parseArgs({ args: argv, strict: true, options: SEED_CLI_OPTIONS });
  if (values.help) return 'help';
  if (!values.tenant) throw new UsageError('seed needs --tenant <tenant id>');
  let base: URL;
  try {
    base = new URL(values.url ?? 'http://127.0.0.1:4010');
  } catch {
    throw new UsageError(`--url must be the simulator's URL, got "${values.url ?? ''}"`);
  }
  const body: Record<string, number | string> = { tenantId: values.tenant };
  const contacts = integer('contacts', values.contacts, 1);
  if (contacts !== undefined) body.contacts = contacts;
  const invoices = integer('invoices', values.invoices, 0);
  if (invoices !== undefined) body.invoices = invoices;
  const seed = integer('random-seed', values['random-seed'], 0);
  if (seed !== undefined) body.seed = seed;
  if (values['paid-share'] !== undefined) {
    const share = Number(values['paid-share']);
    if (!Number.isFinite(share) || share < 0 || share > 1) throw new UsageError(`--paid-share must be between 0 and 1, got "${values['paid-share']}"`);
    body.paidShare = share;
  }
  return { url: new URL('/__admin/accounting/seed', base).toString(), body };
}

/** What `parse` makes of the arguments, or the exit code after answering --help (0) or a usage error (2). */
function parsedOr<T extends object>(parse: () => T | 'help'): T | number {
  try {
    const parsed = parse();
    if (parsed !== 'help') return parsed;
    stdout(HELP);
    return 0;
  } catch (err) {
    stderr(`${err instanceof Error ? err.message : String(err)}\n\n${HELP}`);
    return 2;
  }
}

async function seedCommand(argv: string[]): Promise<number> {
  const request = parsedOr(() => seedRequestFromArgs(argv));
  if (typeof request === 'number') return request;
  let res: Response;
  try {
    res = await fetch(request.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.body) });
  } catch {
    stderr(`No simulator answered at ${new URL(request.url).origin}; start it with xero-guard-sim, or pass --url.\n`);
    return 1;
  }
  const text = await res.text();
  if (!res.ok) {
    stderr(`The simulator refused the seed (HTTP ${res.status}): ${text}\n`);
    return 1;
  }
  const summary = JSON.parse(text) as Record<string, unknown>;
  stdout(
    `Seeded ${String(summary.tenantId)}: ${String(summary.contacts)} contacts, ${String(summary.invoices)} invoices, ${String(summary.payments)} payments, ${String(summary.bankTransactions)} bank transactions, ${String(summary.items)} items.\n`,
  );
  return 0;
}

export function optionsFromArgs(argv: string[]): SimulatorOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: CLI_OPTIONS,
  });
  if (values.help) return 'help';
  const graceMode = values['grace-mode'];
  if (graceMode !== undefined && !(GRACE_MODES as readonly string[]).includes(graceMode)) {
    throw new UsageError(`--grace-mode must be one of ${GRACE_MODES.join(', ')}, got "${graceMode}"`);
  }
  const options: SimulatorOptions = { port: integer('port', values.port, 0) ?? 4010, host: values.host ?? '127.0.0.1' };
  if (graceMode) options.graceMode = graceMode as GraceMode;
  const dayLimit = integer('day-limit', values['day-limit'], 1);
  if (values['rate-limits']) options.rateLimits = dayLimit === undefined ? true : { perDay: dayLimit };
  else if (dayLimit !== undefined) throw new UsageError('--day-limit needs --rate-limits');
  const connectionLimit = integer('connection-limit', values['connection-limit'], 0);
  if (connectionLimit !== undefined) options.connectionLimit = connectionLimit;
  if (values.tier !== undefined) {
    const tier = parseXeroTier(values.tier);
    if (tier === null) throw new UsageError(`--tier must be one of ${XERO_TIER_IDS.join(', ')}, got "${values.tier}"`);
    options.tier = tier;
  }
  if (values['client-id'] !== undefined) {
    if (!values['client-secret']) throw new UsageError('--client-id needs --client-secret');
    const client: ClientConfig = { clientId: values['client-id'], clientSecret: values['client-secret'], redirectUris: values['redirect-uri'] ?? [] };
    options.clients = [client, ...demoClients()];
  } else if (values['client-secret'] !== undefined || values['redirect-uri'] !== undefined) {
    throw new UsageError('--client-secret and --redirect-uri need --client-id');
  }
  if (values['start-time'] !== undefined) {
    const start = Date.parse(values['start-time']);
    if (!Number.isFinite(start)) throw new UsageError(`--start-time must be an ISO date, got "${values['start-time']}"`);
    const clock = new OffsetClock();
    clock.set(start);
    options.clock = clock;
  }
  const seed = integer('seed', values.seed, 0);
  if (seed !== undefined) options.randomSeed = seed;
  const maxBody = integer('max-body-bytes', values['max-body-bytes'], 1);
  if (maxBody !== undefined) options.maxBodyBytes = maxBody;
  const seedInvoices = integer('seed-invoices', values['seed-invoices'], 0);
  if (seedInvoices !== undefined) options.seedInvoices = seedInvoices;
  if ((values['tls-key'] === undefined) !== (values['tls-cert'] === undefined)) throw new UsageError('--tls-key and --tls-cert go together');
  if (values['tls-key'] && values['tls-cert']) options.tls = { key: readFileSync(values['tls-key'], 'utf8'), cert: readFileSync(values['tls-cert'], 'utf8') };
  const webhookUrl = values['webhook-url'];
  if ((webhookUrl === undefined) !== (values['webhook-key'] === undefined)) throw new UsageError('--webhook-url and --webhook-key go together');
  if (webhookUrl !== undefined && values['webhook-key'] !== undefined) {
    const clientId = values['webhook-client'] ?? values['client-id'] ?? DEMO_CLIENT_ID;
    const known = (options.clients ?? demoClients()).map((c) => c.clientId);
    if (!known.includes(clientId)) throw new UsageError(`--webhook-client must be one of the simulator's apps (${known.join(', ')}), got "${clientId}"`);
    if (!/^https?:\/\/[^\s]+$/.test(webhookUrl)) throw new UsageError(`--webhook-url must be an http:// or https:// URL, got "${webhookUrl}"`);
    options.webhooks = [{ clientId, url: webhookUrl, key: values['webhook-key'] }];
  } else if (values['webhook-client'] !== undefined) throw new UsageError('--webhook-client needs --webhook-url and --webhook-key');
  if (values['admin-host'] !== undefined) options.adminHosts = values['admin-host'];
  return options;
}

/** The webhook's state at start, and what to do when the intent-to-receive check failed (the receiver was not listening yet). */
function webhookLine(webhook: WebhookView, adminUrl: string): string {
  const check = webhook.intentToReceive;
  if (check?.passed) return `  webhooks:    ${webhook.url} for ${webhook.clientId} (intent to receive passed; sending)`;
  const why = (check?.checks ?? []).map((c) => `${c.signature}ly signed got ${c.status ?? c.error}, wanted ${c.expected}`).join('; ');
  return [
    `  webhooks:    ${webhook.url} for ${webhook.clientId}: intent to receive FAILED (${why}); nothing is sent until it passes.`,
    `               Start the receiver, then: curl -s -XPOST -H 'content-type: application/json' ${adminUrl}/webhooks/intent-to-receive -d '{"clientId":"${webhook.clientId}"}'`,
  ].join('\n');
}

/** What a tier set with --tier means for every app, said once at start. */
export function tierLine(tier: XeroTier): string {
  const t = XERO_TIERS[tier];
  const closed = closedEndpoints(tier).map((g) => g.endpoint);
  return [
    `  tier:        ${t.name} for every app: ${t.connectionCap === null ? 'no connection cap' : `${t.connectionCap.toLocaleString('en')} connections`}`,
    `${t.dayLimit.toLocaleString('en')} calls per organisation a day`,
    closed.length > 0 ? `${closed.join(', ')} refused` : 'every endpoint open',
    t.severalOrganisationsPerConsent ? 'several organisations per consent' : 'one organisation per consent',
  ].join(', ');
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'seed') return seedCommand(argv.slice(1));
  const options = parsedOr(() => optionsFromArgs(argv));
  if (typeof options === 'number') return options;
  const sim = await startSimulator(options);
  if (options.seedInvoices !== undefined) {
    const counts = sim.accounting.counts(DEMO_TENANT_ID);
    stdout(`Seeded ${DEMO_TENANT_ID}: ${counts.Contacts ?? 0} contacts, ${counts.Invoices ?? 0} invoices, ${counts.Payments ?? 0} payments.\n`);
  }
  const custom = options.clients?.[0];
  stdout(
    [
      `Xero simulator listening on ${sim.url} (grace mode ${sim.graceMode})`,
      `  authorize:   ${sim.authorizeUrl}`,
      `  token:       ${sim.tokenUrl}`,
      `  revocation:  ${sim.revocationUrl}`,
      `  API:         ${sim.apiUrl}  (${sim.apiUrl}/connections, ${sim.apiUrl}/api.xro/2.0/Organisation)`,
      `  discovery:   ${sim.discoveryUrl}`,
      `  admin:       ${sim.adminUrl}`,
      ...sim.webhooks.list().map((w) => webhookLine(w, sim.adminUrl)),
      options.tier ? tierLine(options.tier) : '',
      custom ? `  your client: ${custom.clientId}` : '',
      `  demo client: ${DEMO_CLIENT_ID} / ${DEMO_CLIENT_SECRET}`,
      `  PKCE client: ${DEMO_PKCE_CLIENT_ID} (no secret)`,
      `  Custom Connection client: ${DEMO_CUSTOM_CLIENT_ID} / ${DEMO_CLIENT_SECRET}`,
      `  demo user:   ${DEMO_USER_EMAIL} (any password)`,
      'Ctrl-C to stop.',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n') + '\n',
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
  stdout('Xero simulator stopped.\n');
  return 0;
}

if (require.main === module) runCommand(main);
