import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ACCOUNTING_ADMIN_PREFIX, ACCOUNTING_READ_LIMIT, AccountingApi, bookAnswers, handleAccountingAdmin, seedBook } from './accounting';
import { apisForPath, simulatedApi } from './apis/catalogue';
import { GenericApis } from './apis/handler';
import { handleAdmin } from './admin-api';
import { HOME_PATH, homePage } from './home-page';
import { BadInput, decodePathSegment } from './bad-input';
import { deleteConnection, getConnections, getOrganisation, type ApiRequest } from './api-endpoints';
import { AUTHORIZE_PATH, CONNECTION_LIMIT_PATH, connectionLimitPage, showConsent, submitConsent } from './consent-page';
import { SimulatorCore, rateLimitSettings, type SeedGrantInput } from './core';
import { StateFile } from './state-file';
import { DISCOVERY_PATH, JWKS_PATH, discoveryDocument, jwksDocument, publicBase } from './discovery';
import { DEMO_TENANT_ID } from './directory';
import { connectionDate } from './formats';
import type { Fault } from './faults';
import { BodyTooLarge, json, readBody, readRawBody, text, type SimResponse } from './http-kit';
import { newId } from './formats';
import type { SimEvent, SimulatorStats } from './observation';
import type { GrantCounts } from './tokens';
import { handleRevocation, handleToken } from './grants';
import type { AppView, ConnectionView, Simulator, SimulatorAccounting } from './simulator';
import { closedEndpoints, XERO_TIERS, type XeroTier } from '../xero-tiers';
import type { Endpoint, GraceMode, RateLimitSettings, SimulatorClock, SimulatorOptions, TokenResponse } from './types';
import { notFound, serviceUnavailable, tooManyRequests, validationException } from './xero-errors';

export const ADMIN_PREFIX = '/__admin';
const READS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

type Route = { endpoint: Endpoint; handle: (body: string, raw: Buffer) => SimResponse };

/** Every request to one of Xero's APIs: the body may be an upload, and each route applies its own limit. */
const API_ENDPOINTS: ReadonlySet<Endpoint> = new Set(['accounting', 'payroll', 'projects', 'files', 'assets', 'finance']);

function route(core: SimulatorCore, sim: RunningSimulator, req: IncomingMessage, url: URL, api: ApiRequest, base: string): Route | undefined {
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const lower = path.toLowerCase();
  if (method === 'GET' && path === HOME_PATH)
    return { endpoint: 'other', handle: () => homePage(core, url, { base, adminPath: ADMIN_PREFIX, stateFile: sim.statePath }) };
  if (method === 'GET' && path === DISCOVERY_PATH) return { endpoint: 'discovery', handle: () => discoveryDocument(core, base) };
  if (method === 'GET' && path === JWKS_PATH) return { endpoint: 'discovery', handle: () => jwksDocument(core) };
  if (path === AUTHORIZE_PATH && method === 'GET') return { endpoint: 'authorize', handle: () => showConsent(core, url) };
  if (path === AUTHORIZE_PATH && method === 'POST') return { endpoint: 'authorize', handle: (body) => submitConsent(core, body) };
  if (path === CONNECTION_LIMIT_PATH && method === 'GET') return { endpoint: 'authorize', handle: () => connectionLimitPage(core, url) };
  if (path === '/connect/token' && method === 'POST') return { endpoint: 'token', handle: (body) => handleToken(core, req.headers, body) };
  if (path === '/connect/revocation' && method === 'POST') return { endpoint: 'revocation', handle: (body) => handleRevocation(core, req.headers, body) };
  // Xero's API paths are case-insensitive (the OpenAPI document says /Connections, SDKs send /connections).
  if (lower === '/connections' && method === 'GET') return { endpoint: 'connections', handle: () => getConnections(core, api) };
  const del = /^\/connections\/([^/]+)$/.exec(lower);
  if (del?.[1] && method === 'DELETE')
    return { endpoint: 'connections', handle: () => deleteConnection(core, api, decodePathSegment(del[1] as string, 'connection id')) };
  if (lower === '/api.xro/2.0/organisation' && method === 'GET') return { endpoint: 'organisation', handle: () => getOrganisation(core, api) };
  const family = apisForPath(path);
  if (family) {
    const segments = family.rest.split('/').map((s) => safeDecode(s));
    if (family.ids.includes('accounting')) {
      // The book answers what it models (accounting/modelled.ts); the rest of the document goes to the generic store.
      const op = simulatedApi('accounting').matcher.match(method, segments)?.operation;
      if (op && !bookAnswers(op)) return { endpoint: 'accounting', handle: (_body, raw) => sim.apis.handle(api, raw, family.ids, segments) };
      return { endpoint: 'accounting', handle: (_body, raw) => sim.accountingApi.handle(api, raw, segments) };
    }
    return { endpoint: family.endpoint, handle: (_body, raw) => sim.apis.handle(api, raw, family.ids, segments) };
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function faultAnswer(fault: Fault): SimResponse | 'reset' | undefined {
  switch (fault.kind) {
    case 'reset':
      return 'reset';
    case 'server-error':
      return text(fault.status ?? 500, 'An error occurred in Xero. Please try again later.');
    case 'rate-limit': {
      const problem = fault.problem ?? 'minute';
      return tooManyRequests(problem, fault.retryAfter ?? (problem === 'concurrent' ? 1 : 60), {
        'X-MinLimit-Remaining': problem === 'minute' ? '0' : '59',
        'X-DayLimit-Remaining': problem === 'day' ? '0' : '4999',
        'X-AppMinLimit-Remaining': problem === 'appminute' ? '0' : '9999',
      });
    }
    case 'maintenance':
    case 'unavailable':
    case 'organisation-offline':
      return serviceUnavailable(fault.kind);
    case 'validation-error':
      return validationException(fault.message ?? 'A validation error occurred');
    default:
      return undefined;
  }
}

class RunningSimulator implements Simulator {
  url = '';
  port = 0;
  authorizeUrl = '';
  tokenUrl = '';
  revocationUrl = '';
  apiUrl = '';
  discoveryUrl = '';
  adminUrl = '';
  readonly faults: Simulator['faults'];
  readonly accounting: SimulatorAccounting;
  readonly apis: GenericApis;
  readonly otherApis: Simulator['otherApis'];
  readonly webhooks: Simulator['webhooks'];

  constructor(
    readonly core: SimulatorCore,
    private readonly server: Server,
    readonly accountingApi: AccountingApi,
    private readonly stateFile: StateFile | undefined,
  ) {
    this.apis = new GenericApis(core, accountingApi);
    this.webhooks = core.webhooks;
    this.otherApis = {
      counts: (tenantId, api) => this.apis.store.book(api, tenantId).counts(),
      reset: (tenantId) => this.apis.store.reset(tenantId),
    };
    this.accounting = {
      seed: (tenantId, options) => seedBook(accountingApi, tenantId, core.clock.now(), options),
      counts: (tenantId) => accountingApi.store.book(tenantId).counts(),
      setTenantRateLimits: (tenantId, limits) => {
        if (limits === undefined) core.rateLimiter.tenantOverrides.delete(tenantId);
        else core.rateLimiter.tenantOverrides.set(tenantId, limits);
      },
      reset: (tenantId) => accountingApi.store.reset(tenantId),
    };
    this.faults = {
      add: (spec) => core.faults.add(spec),
      list: () => core.faults.list(),
      remove: (id) => core.faults.remove(id),
      clear: () => core.faults.clear(),
    };
  }

  get statePath(): string | undefined {
    return this.stateFile?.path;
  }

  /** Loads the state file, if there is one; false for a fresh Xero. */
  loadState(): boolean {
    return this.stateFile?.load(this.keptParts()) ?? false;
  }

  /** Writes the state file, if there is one (after a request that may have changed something, a seeded grant, at close). */
  saveState(): void {
    this.stateFile?.saveOrSay(this.keptParts());
  }

  private keptParts(): { core: SimulatorCore; accounting: AccountingApi['store']; apis: GenericApis['store'] } {
    return { core: this.core, accounting: this.accountingApi.store, apis: this.apis.store };
  }

  setAddress(base: string, port: number): void {
    this.url = base;
    this.port = port;
    this.authorizeUrl = `${base}${AUTHORIZE_PATH}`;
    this.tokenUrl = `${base}/connect/token`;
    this.revocationUrl = `${base}/connect/revocation`;
    this.apiUrl = base;
    this.discoveryUrl = `${base}${DISCOVERY_PATH}`;
    this.adminUrl = `${base}${ADMIN_PREFIX}`;
  }

  get clock(): SimulatorClock {
    return this.core.clock;
  }

  get graceMode(): GraceMode {
    return this.core.graceMode;
  }

  set graceMode(mode: GraceMode) {
    this.core.graceMode = mode;
  }

  setRateLimits(option: boolean | Partial<RateLimitSettings>): void {
    const { enabled, settings } = rateLimitSettings(option);
    this.core.rateLimiter.enabled = enabled;
    this.core.rateLimiter.settings = settings;
  }

  setConnectionLimit(limit: number | undefined): void {
    this.core.connectionLimit = limit;
  }

  setTier(clientId: string, tier: XeroTier | undefined): void {
    this.core.setTier(clientId, tier);
  }

  apps(): AppView[] {
    return [...this.core.directory.clients.values()].map((c) => {
      const tier = c.tier === undefined ? null : XERO_TIERS[c.tier];
      return {
        clientId: c.clientId,
        name: c.name,
        tier: tier?.id ?? null,
        connectionCap: this.core.connectionCap(c.clientId) ?? null,
        connected: this.core.directory.tenantsOfClient(c.clientId).size,
        dayLimit: tier?.dayLimit ?? null,
        severalOrganisationsPerConsent: !this.core.oneOrganisationPerConsent(c),
        closedEndpoints: tier === null ? [] : closedEndpoints(tier.id).map((g) => g.endpoint),
      };
    });
  }

  seedGrant(input?: SeedGrantInput): TokenResponse {
    const tokens = this.core.seedGrant(input);
    this.saveState();
    return tokens;
  }

  revokeUser(userIdOrEmail: string): { grantsRevoked: number; connectionsRemoved: number } {
    return this.core.revokeUser(userIdOrEmail);
  }

  removeConnection(connectionId: string): void {
    this.core.removeConnection(connectionId);
  }

  expireRefreshToken(refreshToken: string): void {
    this.core.expireRefreshToken(refreshToken);
  }

  rotateClientSecret(clientId: string, newSecret?: string): string {
    return this.core.rotateClientSecret(clientId, newSecret);
  }

  resetOrganisation(tenantId: string): { connectionsRemoved: number } {
    return this.core.resetOrganisation(tenantId);
  }

  refuseTenant(tenantId: string, on: boolean): void {
    this.core.refuseTenant(tenantId, on);
  }

  connections(): ConnectionView[] {
    return this.core.directory.all().map((c) => ({
      id: c.id,
      tenantId: c.tenantId,
      tenantName: this.core.directory.organisations.get(c.tenantId)?.name ?? '',
      userId: c.userId,
      clientId: c.clientId,
      authEventId: c.authEventId,
      createdDateUtc: connectionDate(c.createdAt),
      updatedDateUtc: connectionDate(c.updatedAt),
    }));
  }

  grants(): GrantCounts[] {
    return this.core.tokens.grantCounts();
  }

  refreshTokenState(refreshToken: string): string | undefined {
    return this.core.tokens.refreshTokenState(refreshToken);
  }

  stats(): SimulatorStats {
    return this.core.recorder.stats();
  }

  log(sinceSeq?: number): SimEvent[] {
    return this.core.recorder.log(sinceSeq);
  }

  deadTokenUses(refreshTokenOrGrantId?: string): number {
    const stats = this.core.recorder.stats();
    if (refreshTokenOrGrantId === undefined) return stats.deadTokenUses;
    const grantId = this.core.tokens.grantOf(refreshTokenOrGrantId)?.grantId ?? refreshTokenOrGrantId;
    return stats.deadTokenUsesByGrant[grantId] ?? 0;
  }

  close(): Promise<void> {
    this.core.webhooks.close();
    return new Promise((resolve) => {
      this.server.close(() => {
        this.saveState();
        resolve();
      });
      this.server.closeAllConnections();
    });
  }
}

async function serve(core: SimulatorCore, sim: RunningSimulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const correlationId = newId();
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const finishers: Array<() => void> = [];
  res.on('close', () => finishers.forEach((fn) => fn()));
  const send = (r: SimResponse): void => {
    res.writeHead(r.status, { ...r.headers, 'Xero-Correlation-Id': correlationId, 'Content-Length': String(Buffer.byteLength(r.body)) });
    res.end(r.body);
  };

  const isAccountingAdmin = url.pathname === ACCOUNTING_ADMIN_PREFIX || url.pathname.startsWith(`${ACCOUNTING_ADMIN_PREFIX}/`);
  if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
    const refused = core.adminGuard.refusal(req.method ?? 'GET', req.headers);
    if (refused) {
      req.resume();
      send(json(403, { error: refused }));
      return;
    }
    let body = '';
    try {
      body = await readBody(req, core.maxBodyBytes);
    } catch (err) {
      send(err instanceof BodyTooLarge ? text(413, 'Request body too large') : text(400, 'Could not read the request body'));
      if (err instanceof BodyTooLarge) res.once('finish', () => req.destroy());
      return;
    }
    send(
      isAccountingAdmin
        ? handleAccountingAdmin(core, sim.accountingApi, req.method ?? 'GET', url, body)
        : await handleAdmin(sim, req.method ?? 'GET', url, body),
    );
    return;
  }

  const api: ApiRequest = { method: req.method ?? 'GET', headers: req.headers, url, correlationId, onFinish: (fn) => finishers.push(fn) };
  const matched = route(core, sim, req, url, api, publicBase(req, sim.url));
  const endpoint: Endpoint = matched?.endpoint ?? 'other';
  const log = (status: number | 'dropped' | 'reset', fault?: string): void =>
    core.recorder.record({ type: 'request', method: api.method, path: url.pathname, endpoint, status, correlationId, ...(fault ? { fault } : {}) });

  let raw: Buffer = Buffer.alloc(0);
  try {
    // API writes may be 3.5 MB and attachments and files 10 MB; each handler applies its own limit.
    raw = await readRawBody(req, API_ENDPOINTS.has(endpoint) ? Math.max(core.maxBodyBytes, ACCOUNTING_READ_LIMIT) : core.maxBodyBytes);
  } catch (err) {
    const tooLarge = err instanceof BodyTooLarge;
    send(tooLarge ? text(413, 'Request body too large') : text(400, 'Could not read the request body'));
    if (tooLarge) res.once('finish', () => req.destroy());
    log(tooLarge ? 413 : 400);
    return;
  }

  const before = core.faults.take(endpoint, 'before');
  const firedKinds: string[] = [];
  for (const f of before) {
    core.recorder.record({ type: 'fault', faultId: f.id, kind: f.kind, endpoint });
    firedKinds.push(f.kind);
    if (f.kind === 'delay') await core.clock.sleep(f.ms ?? 0);
  }
  const answering = before.find((f) => f.kind !== 'delay');
  if (answering) {
    const answer = faultAnswer(answering);
    if (answer === 'reset') {
      log('reset', firedKinds.join(','));
      req.socket.destroy();
      return;
    }
    if (answer) {
      send(answer);
      log(answer.status, firedKinds.join(','));
      return;
    }
  }

  let response: SimResponse;
  try {
    response = matched ? matched.handle(raw.toString('utf8'), raw) : notFound();
  } catch (err) {
    // A bug in the simulator must not take down the server every other test is using.
    response = err instanceof BadInput ? text(400, err.message) : text(500, `Simulator error: ${err instanceof Error ? err.message : String(err)}`);
  }

  const after = core.faults.take(endpoint, 'after');
  let dropped = false;
  for (const f of after) {
    core.recorder.record({ type: 'fault', faultId: f.id, kind: f.kind, endpoint });
    firedKinds.push(f.kind);
    if (f.kind === 'delay') await core.clock.sleep(f.ms ?? 0);
    else dropped = true;
  }
  if (dropped) {
    // The 2018 incident: the work is done and counted, the answer never arrives.
    log('dropped', firedKinds.join(','));
    req.socket.destroy();
    return;
  }
  send(response);
  log(response.status, firedKinds.length > 0 ? firedKinds.join(',') : undefined);
}

/** Starts a simulator; `await sim.close()` when done. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const core = new SimulatorCore(options);
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }) : createHttpServer();
  const sim = new RunningSimulator(core, server, new AccountingApi(core), options.stateFile === undefined ? undefined : new StateFile(options.stateFile));
  const kept = sim.loadState();
  if (options.seedInvoices !== undefined && !kept) sim.accounting.seed(DEMO_TENANT_ID, { invoices: options.seedInvoices });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    serve(core, sim, req, res)
      .catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'Xero-Correlation-Id': newId() });
          res.end(`Simulator error: ${err instanceof Error ? err.message : String(err)}`);
        }
      })
      // Reading changes nothing Xero would remember; anything else may have (a token rotated, a record written, the clock moved).
      .finally(() => {
        if (!READS.has(req.method ?? 'GET')) sim.saveState();
      });
  });
  // Clients that send garbage instead of HTTP get a 400 from Node; nothing may crash the process.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end(`HTTP/1.1 400 Bad Request\r\nXero-Correlation-Id: ${newId()}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    else socket.destroy();
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  sim.setAddress(`${options.tls ? 'https' : 'http'}://${shownHost}:${port}`, port);
  try {
    for (const webhook of options.webhooks ?? []) await sim.webhooks.configure(webhook);
  } catch (err) {
    await sim.close();
    throw err;
  }
  return sim;
}
