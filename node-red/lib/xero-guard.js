'use strict';
/**
 * What the Node-RED nodes share: the compiled core, the settings of a xero-connection node, the
 * ledger's encryption key, one TokenEngine per ledger (and Xero endpoints) per runtime, status dots
 * and the scrubbing of secrets from anything a node shows. Host details (Node-RED's userDir and
 * credentialSecret) are read here and passed to the core as plain options.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const core = require('../../dist/index.js');

/** Always asked for with the authorization-code grant: a refresh token, and who connected. */
const BASE_SCOPES = ['offline_access', 'openid', 'profile', 'email'];

/** The scopes the editor offers; broad ones only for Xero apps created before March 2026. */
const SCOPE_OPTIONS = [
  ['accounting.attachments', 'Accounting: Attachments'],
  ['accounting.attachments.read', 'Accounting: Attachments (read only)'],
  ['accounting.banktransactions', 'Accounting: Bank transactions'],
  ['accounting.banktransactions.read', 'Accounting: Bank transactions (read only)'],
  ['accounting.budgets.read', 'Accounting: Budgets (read only)'],
  ['accounting.contacts', 'Accounting: Contacts'],
  ['accounting.contacts.read', 'Accounting: Contacts (read only)'],
  ['accounting.invoices', 'Accounting: Invoices'],
  ['accounting.invoices.read', 'Accounting: Invoices (read only)'],
  ['accounting.journals.read', 'Accounting: Journals (read only)'],
  ['accounting.manualjournals', 'Accounting: Manual journals'],
  ['accounting.manualjournals.read', 'Accounting: Manual journals (read only)'],
  ['accounting.payments', 'Accounting: Payments'],
  ['accounting.payments.read', 'Accounting: Payments (read only)'],
  ['accounting.reports.aged.read', 'Accounting: Aged reports (read only)'],
  ['accounting.reports.balancesheet.read', 'Accounting: Balance sheet (read only)'],
  ['accounting.reports.banksummary.read', 'Accounting: Bank summary (read only)'],
  ['accounting.reports.budgetsummary.read', 'Accounting: Budget summary (read only)'],
  ['accounting.reports.executivesummary.read', 'Accounting: Executive summary (read only)'],
  ['accounting.reports.profitandloss.read', 'Accounting: Profit and loss (read only)'],
  ['accounting.reports.taxreports.read', 'Accounting: Tax reports (read only)'],
  ['accounting.reports.trialbalance.read', 'Accounting: Trial balance (read only)'],
  ['accounting.settings', 'Accounting: Settings'],
  ['accounting.settings.read', 'Accounting: Settings (read only)'],
  ['assets', 'Assets'],
  ['assets.read', 'Assets (read only)'],
  ['files', 'Files'],
  ['files.read', 'Files (read only)'],
  ['payroll.employees', 'Payroll: Employees'],
  ['payroll.employees.read', 'Payroll: Employees (read only)'],
  ['payroll.payruns', 'Payroll: Pay runs'],
  ['payroll.payruns.read', 'Payroll: Pay runs (read only)'],
  ['payroll.payslip', 'Payroll: Payslips'],
  ['payroll.payslip.read', 'Payroll: Payslips (read only)'],
  ['payroll.settings', 'Payroll: Settings'],
  ['payroll.settings.read', 'Payroll: Settings (read only)'],
  ['payroll.timesheets', 'Payroll: Timesheets'],
  ['payroll.timesheets.read', 'Payroll: Timesheets (read only)'],
  ['projects', 'Projects'],
  ['projects.read', 'Projects (read only)'],
].map(([value, label]) => ({ value, label, broad: false }));
const BROAD_SCOPE_OPTIONS = [
  ['accounting.transactions', 'Transactions (broad, apps before March 2026)'],
  ['accounting.transactions.read', 'Transactions, read only (broad, apps before March 2026)'],
  ['accounting.reports.read', 'Reports, read only (broad, apps before March 2026)'],
].map(([value, label]) => ({ value, label, broad: true }));

/** What a new xero-connection asks for: the granular scopes common flows need. */
const DEFAULT_SCOPES = ['accounting.invoices', 'accounting.payments', 'accounting.banktransactions', 'accounting.contacts', 'accounting.settings'];

const LEDGER_KINDS = ['file', 'postgres', 'redis'];
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Node-RED's editor sends this in place of a password credential it already has. */
const PASSWORD_PLACEHOLDER = '__PWRD__';

const str = (v) => (typeof v === 'string' ? v.trim() : '');

/** The scopes to ask for: the fixed base, the picked ones and any typed extras, without duplicates. */
function scopesOf(picked) {
  const list = Array.isArray(picked) ? picked : str(picked).split(/[\s,]+/);
  return [...new Set([...BASE_SCOPES, ...list.map(str).filter(Boolean)])];
}

/**
 * The settings of one xero-connection node from its config and credentials, as plain values.
 * `credentials` may hold the editor's password placeholder; `stored` (the deployed credentials) fills those in.
 */
function readSettings(config, credentials, stored) {
  const creds = credentials || {};
  const kept = stored || {};
  const secret = (name) => {
    const v = typeof creds[name] === 'string' ? creds[name] : '';
    return v === PASSWORD_PLACEHOLDER || v === '' ? (typeof kept[name] === 'string' ? kept[name] : '') : v;
  };
  const custom = config.useCustomEndpoints === true || config.useCustomEndpoints === 'true';
  const kind = LEDGER_KINDS.includes(config.ledger) ? config.ledger : 'file';
  return {
    name: str(config.name),
    // A text credential: the editor always sends what is typed, so an empty field means none.
    clientId: typeof creds.clientId === 'string' ? str(creds.clientId) : str(kept.clientId),
    clientSecret: secret('clientSecret'),
    scopes: scopesOf(config.scopes),
    tenantId: str(config.tenantId),
    ledger: { kind, folder: str(config.ledgerFolder), postgresUrl: str(secret('postgresUrl')), redisUrl: str(secret('redisUrl')) },
    endpoints: custom
      ? { authorizeUrl: str(config.authorizeUrl) || undefined, tokenUrl: str(config.tokenUrl) || undefined, apiUrl: str(config.apiUrl) || undefined }
      : {},
  };
}

class SetupError extends Error {
  /** A configuration problem found before anything was sent to Xero: `fix` is the short status text. */
  constructor(code, message, fix) {
    super(message);
    this.name = 'XeroGuardSetupError';
    this.code = code;
    this.retryable = false;
    this.fix = fix;
  }
}

/** The first thing wrong with the settings, or null. Says what to fix, in the node's own words. */
function settingsProblem(settings) {
  if (!settings.clientId) {
    return new SetupError('MISCONFIGURED', 'The xero-connection node has no client id: copy the client id of your app at developer.xero.com/app/manage into the xero-connection node and deploy.', 'no client id: add it in the xero-connection node');
  }
  if (!settings.clientSecret) {
    return new SetupError('MISCONFIGURED', 'The xero-connection node has no client secret: generate one for your app at developer.xero.com/app/manage, paste it into the xero-connection node and deploy.', 'no client secret: add it in the xero-connection node');
  }
  if (settings.tenantId && !TENANT_ID.test(settings.tenantId)) {
    return new SetupError('MISCONFIGURED', `The tenant "${settings.tenantId}" is not a Xero tenant id (a UUID such as a3c3ee1f-4b5b-4c1e-9d4e-0d1c2b3a4f5e): pick one of the organisations listed under "Connect to Xero", or leave the tenant empty.`, 'tenant id is not a UUID: pick one in the xero-connection node');
  }
  if (settings.ledger.kind === 'postgres' && !settings.ledger.postgresUrl) {
    return new SetupError('LEDGER_CONFIG', 'The xero-connection node keeps its tokens in PostgreSQL but has no connection string: enter postgres://user:password@host:5432/database, or choose the file ledger.', 'no PostgreSQL URL: set it in the xero-connection node');
  }
  if (settings.ledger.kind === 'redis' && !settings.ledger.redisUrl) {
    return new SetupError('LEDGER_CONFIG', 'The xero-connection node keeps its tokens in Redis but has no URL: enter redis://host:6379/0, or choose the file ledger.', 'no Redis URL: set it in the xero-connection node');
  }
  try {
    core.resolveEndpoints(settings.endpoints);
  } catch (error) {
    return new SetupError('MISCONFIGURED', `${error.message}: fix the Xero endpoints of the xero-connection node, or switch custom endpoints off.`, 'bad Xero endpoint URL: fix it in the xero-connection node');
  }
  return null;
}

/** Node-RED's user directory, as Node-RED picks it when settings.js names none. */
function userDirOf(RED) {
  const dir = RED.settings && typeof RED.settings.userDir === 'string' && RED.settings.userDir ? RED.settings.userDir : path.join(os.homedir(), '.node-red');
  return dir;
}

function settingsOf(RED) {
  const s = RED.settings && RED.settings.xeroGuard;
  return s && typeof s === 'object' ? s : {};
}

/**
 * The key that seals tokens at rest. A key file written by an earlier start wins (so setting
 * credentialSecret later does not orphan the ledger); else Node-RED's credentialSecret; else a
 * random key generated once and kept in <userDir>/xero-guard.key with mode 0600, next to the
 * default ledger and Node-RED's own flows_cred.json. Node-RED's generated `_credentialSecret`
 * is an internal of its runtime settings file, so it is not borrowed.
 */
function encryptionKey(RED) {
  const file = path.join(userDirOf(RED), 'xero-guard.key');
  const existing = readKeyFile(file);
  if (existing) return { key: existing, source: file };
  const secret = RED.settings ? RED.settings.credentialSecret : undefined;
  if (typeof secret === 'string' && secret !== '') return { key: secret, source: 'credentialSecret' };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, crypto.randomBytes(32).toString('base64url'));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    // link() never replaces: of two processes starting at once, one key wins and both use it.
    fs.linkSync(tmp, file);
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return { key: readKeyFile(file), source: file };
}

function readKeyFile(file) {
  try {
    return fs.readFileSync(file, 'utf8').trim() || null;
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
}

function ledgerFolder(RED, settings) {
  return settings.ledger.folder || path.join(userDirOf(RED), 'xero-guard');
}

/** Options for createLedger (no secret in the returned `where`). */
function ledgerOptions(RED, settings, key) {
  const base = { encryptionKey: key };
  const extra = settingsOf(RED);
  if (extra.clock) base.clock = extra.clock;
  switch (settings.ledger.kind) {
    case 'postgres':
      return { ...base, kind: 'postgres', connectionString: settings.ledger.postgresUrl };
    case 'redis':
      return { ...base, kind: 'redis', redisUrl: settings.ledger.redisUrl };
    default:
      return { ...base, kind: 'file', directory: ledgerFolder(RED, settings) };
  }
}

function fingerprintOf(value) {
  return crypto.createHash('sha256').update(String(value)).digest('hex').slice(0, 16);
}

/** The engines of this runtime, on globalThis so a reloaded copy of this module shares them. */
const REGISTRY = Symbol.for('node-red-xero-guard.engines');
function registry() {
  globalThis[REGISTRY] = globalThis[REGISTRY] || new Map();
  return globalThis[REGISTRY];
}

/**
 * One engine per ledger, encryption key and Xero endpoints in this runtime, shared by every node
 * that uses it, with a count of users: the last release closes the ledger (database pools too), so a
 * runtime stop (every node closed) leaves nothing open. A failed open is forgotten, so fixing the
 * database is enough; no redeploy needed.
 */
async function acquireEngine(RED, settings) {
  const { key } = encryptionKey(RED);
  const options = ledgerOptions(RED, settings, key);
  const endpoints = core.resolveEndpoints(settings.endpoints);
  const where = options.kind === 'file' ? `file ledger at ${options.directory}` : `${options.kind} ledger`;
  const ledgerId = options.kind === 'file' ? `file:${path.resolve(options.directory)}` : `${options.kind}:${fingerprintOf(options.connectionString || options.redisUrl)}`;
  const id = [ledgerId, fingerprintOf(key), endpoints.tokenUrl, endpoints.apiUrl].join('|');
  const engines = registry();
  let entry = engines.get(id);
  if (!entry) {
    const extra = settingsOf(RED);
    entry = { id, refs: 0, where, busy: new Set(), listeners: new Set(), ready: null, engine: null, ledger: null, identity: null, api: null };
    entry.ready = (async () => {
      if (options.kind === 'file') probeFolder(options.directory);
      const ledger = await core.createLedger(options);
      entry.ledger = ledger;
      entry.identity = new core.XeroIdentityClient({ endpoints, clock: extra.clock });
      entry.api = new core.XeroApiClient({ endpoints });
      entry.engine = new core.TokenEngine({
        ledger,
        identity: entry.identity,
        clock: extra.clock,
        policy: extra.policy,
        onEvent: (event) => {
          for (const listener of entry.listeners) {
            try {
              listener(event);
            } catch {
              // a listener's trouble is not the engine's
            }
          }
        },
      });
      return entry;
    })();
    entry.ready.catch(() => {
      if (engines.get(id) === entry) engines.delete(id);
    });
    engines.set(id, entry);
  }
  entry.refs += 1;
  try {
    await entry.ready;
  } catch (error) {
    entry.refs -= 1;
    throw error;
  }
  return entry;
}

/** Gives an engine back; the last user closes its ledger once the work under way is done. */
async function releaseEngine(entry) {
  entry.refs -= 1;
  if (entry.refs > 0) return;
  const engines = registry();
  if (engines.get(entry.id) === entry) engines.delete(entry.id);
  await Promise.allSettled([...entry.busy]);
  if (entry.ledger) await entry.ledger.close().catch(() => undefined);
}

/** Runs `work` counted as work under way on the entry, so a close waits for it. */
function track(entry, promise) {
  entry.busy.add(promise);
  const forget = () => entry.busy.delete(promise);
  promise.then(forget, forget);
  return promise;
}

/** A file ledger's folder must exist and be a folder we can write: say so now, not at the first refresh. */
function probeFolder(directory) {
  try {
    fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
    fs.accessSync(directory, fs.constants.W_OK);
    if (!fs.statSync(directory).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (error) {
    throw new core.LedgerUnavailableError(
      `The Xero Guard file ledger folder ${directory} cannot be used (${error.code || error.message}): set "Ledger folder" in the xero-connection node to a folder Node-RED can write, or leave it empty for <userDir>/xero-guard.`,
    );
  }
}

/**
 * Removes every secret we hold from a text before it is shown: the client secret, database URLs
 * and passwords in URLs, and anything shaped like a bearer token or a JWT.
 */
function scrub(text, secrets) {
  let out = typeof text === 'string' ? text : String(text);
  for (const secret of secrets || []) {
    if (typeof secret === 'string' && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, '$1[redacted]@')
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi, 'Bearer [redacted]')
    .replace(/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted]');
}

function secretsOf(settings) {
  return [settings.clientSecret, settings.ledger.postgresUrl, settings.ledger.redisUrl];
}

const MAX_STATUS = 110;
function short(text) {
  const t = String(text).replace(/\s+/g, ' ').trim();
  return t.length > MAX_STATUS ? `${t.slice(0, MAX_STATUS - 1)}…` : t;
}

/** The status dot for a check result: green connected, yellow degraded, red needs reconnect or fixing. */
function statusForResult(result, fix) {
  if (result.status === 'connected') {
    const n = result.tenants.length;
    return { fill: 'green', shape: 'dot', text: `connected: ${n} organisation${n === 1 ? '' : 's'}` };
  }
  const problem = result.problem || {};
  // A setting of ours to fix (client id, ledger, tenant) is red even when it may pass (a database restarting).
  if (fix) return { fill: 'red', shape: 'dot', text: short(fix) };
  if (result.status === 'degraded') return { fill: 'yellow', shape: 'ring', text: short(`degraded: ${problem.summary || result.reason}`) };
  if (problem.action === 'reauthenticate') return { fill: 'red', shape: 'dot', text: short(`needs reconnect: ${reconnectHint(problem)}`) };
  return { fill: 'red', shape: 'dot', text: short(`fix: ${problem.summary || result.reason}`) };
}

function reconnectHint(problem) {
  if (problem.category === 'tenant_access_denied') return 'organisation not connected; Connect to Xero again and tick it';
  if (problem.category === 'not_connected') return 'never connected; click Connect to Xero in the xero-connection node';
  return 'click Connect to Xero in the xero-connection node';
}

/** The status for an engine or setup error thrown by refresh. */
function statusForError(error) {
  if (error && error.fix) return { fill: 'red', shape: 'dot', text: short(error.fix) };
  const code = error && error.code;
  if (code === 'NEEDS_REAUTH' || code === 'NOT_CONNECTED' || code === 'SUPERSEDED') return { fill: 'red', shape: 'dot', text: short(`needs reconnect: ${code === 'NOT_CONNECTED' ? 'never connected; click Connect to Xero' : 'click Connect to Xero in the xero-connection node'}`) };
  if (code === 'LEDGER_WRONG_KEY') return { fill: 'red', shape: 'dot', text: short('ledger sealed with another key: restore xero-guard.key or credentialSecret') };
  if (code === 'LEDGER_CORRUPT') return { fill: 'red', shape: 'dot', text: short('ledger file damaged: see the Node-RED log, restore or delete it') };
  if (code && String(code).startsWith('LEDGER')) return { fill: 'red', shape: 'dot', text: short('ledger unreachable: check its folder or URL in the xero-connection node') };
  if (error && error.retryable) return { fill: 'yellow', shape: 'ring', text: short(`degraded: ${code === 'BUSY' ? 'another process is refreshing' : 'Xero did not answer; will retry'}`) };
  return { fill: 'red', shape: 'dot', text: short(`fix: ${error && error.message ? error.message : 'unknown error'}`) };
}

/** A check result for a problem found before the engine could run (config, ledger): the core's own shape. */
function resultForError(error, key) {
  const failing = { getAccessToken: () => Promise.reject(error), refresh: () => Promise.reject(error), status: () => Promise.reject(error) };
  const api = { getConnections: () => Promise.reject(error), getOrganisation: () => Promise.reject(error) };
  return core.checkConnection({ engine: failing, key, api });
}

/** Decodes a JWT's claims for display only (the id token names who connected); never verified, never trusted. */
function jwtClaims(token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) return {};
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? claims : {};
  } catch {
    return {};
  }
}

function whoOf(tokenSet) {
  const id = jwtClaims(tokenSet && tokenSet.idToken);
  const access = jwtClaims(tokenSet && tokenSet.accessToken);
  const name = [id.given_name, id.family_name].filter((v) => typeof v === 'string' && v).join(' ');
  return {
    email: typeof id.email === 'string' ? id.email : null,
    name: name || null,
    xeroUserId: typeof access.xero_userid === 'string' ? access.xero_userid : null,
  };
}

/** Action groups of the classifier's outputs, in output order: one definition, in the core. */
const ACTION_GROUPS = core.ACTION_GROUPS;
const groupOf = core.actionGroupOf;

/** The editor URL a human opens to reconnect, for alerts: settings.xeroGuard.editorUrl, else Node-RED's own host and port. */
function editorUrl(RED) {
  const extra = settingsOf(RED);
  if (typeof extra.editorUrl === 'string' && extra.editorUrl) return extra.editorUrl.replace(/\/+$/, '');
  const s = RED.settings || {};
  const host = !s.uiHost || s.uiHost === '0.0.0.0' || s.uiHost === '::' ? 'localhost' : s.uiHost;
  const protocol = s.https ? 'https' : 'http';
  const root = typeof s.httpAdminRoot === 'string' ? s.httpAdminRoot.replace(/\/+$/, '') : '';
  return `${protocol}://${host}${s.uiPort ? `:${s.uiPort}` : ''}${root}`;
}

module.exports = {
  core,
  BASE_SCOPES,
  SCOPE_OPTIONS,
  BROAD_SCOPE_OPTIONS,
  DEFAULT_SCOPES,
  PASSWORD_PLACEHOLDER,
  ACTION_GROUPS,
  SetupError,
  readSettings,
  settingsProblem,
  scopesOf,
  userDirOf,
  settingsOf,
  encryptionKey,
  acquireEngine,
  releaseEngine,
  track,
  scrub,
  secretsOf,
  short,
  statusForResult,
  statusForError,
  resultForError,
  whoOf,
  groupOf,
  editorUrl,
};

/**
 * The dot a node shows right after deploy, before any check: red for a setup or ledger problem
 * (what to fix), red for a chain that needs reconnecting, a green ring for a stored, active chain.
 */
function showInitialStatus(node, conn) {
  if (!conn) {
    node.status({ fill: 'red', shape: 'dot', text: 'no xero-connection: pick or add one in this node' });
    return;
  }
  if (conn.problem) {
    node.status(statusForError(conn.problem));
    return;
  }
  conn.chainStatus().then(
    (status) => {
      if (status.state === 'active' || status.state === 'refreshing') node.status({ fill: 'green', shape: 'ring', text: 'ready (not checked yet)' });
      else if (status.state === 'not_connected') node.status({ fill: 'red', shape: 'dot', text: 'not connected: click Connect to Xero in the xero-connection node' });
      else if (status.state === 'misconfigured') node.status({ fill: 'red', shape: 'dot', text: short(`fix: ${status.reason || 'client id or secret refused by Xero'}`) });
      else node.status({ fill: 'red', shape: 'dot', text: 'needs reconnect: click Connect to Xero in the xero-connection node' });
    },
    (error) => node.status(statusForError(error)),
  );
}

/** The config node a node points at, or null (none chosen, or deleted). */
function connectionOf(RED, config) {
  const conn = config.connection ? RED.nodes.getNode(config.connection) : null;
  return conn && typeof conn.check === 'function' ? conn : null;
}

/** The error a node reports when it has no config node. */
function noConnectionError() {
  return new SetupError('MISCONFIGURED', 'This node has no xero-connection: open it, pick or add a xero-connection, and deploy.', 'no xero-connection: pick or add one in this node');
}

module.exports.showInitialStatus = showInitialStatus;
module.exports.connectionOf = connectionOf;
module.exports.noConnectionError = noConnectionError;
