/**
 * A simulator with a state file is the same Xero after a restart: the tokens it issued (live, spent,
 * and the key that signed them), the connections, the books of every API and the clock's lead come
 * back; a file it cannot read stops it with the file's name and the way out, never a silent fresh start.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { MINUTE, OffsetClock } from '../../../src/clock';
import { DEMO_CLIENT_ID, DEMO_TENANT_ID, startSimulator, type Simulator } from '../../../src/simulator';
import { admin, call, getConnections, refresh, type Answer } from './helpers';

const SCOPES = ['openid', 'profile', 'email', 'offline_access', 'accounting.settings', 'accounting.contacts', 'accounting.invoices', 'projects'];

let dir: string;
let file: string;
const running: Simulator[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xero-guard-sim-state-'));
  file = join(dir, 'xero', 'state.bin');
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  const sim = await startSimulator({ clock: new OffsetClock(), stateFile: file, ...options });
  running.push(sim);
  return sim;
}

function xero<T = unknown>(sim: Simulator, token: string, method: string, path: string, body?: unknown): Promise<Answer<T>> {
  return call<T>(`${sim.apiUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'xero-tenant-id': DEMO_TENANT_ID,
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

it('comes back after a restart with its tokens, signing key, connections, books and clock', async () => {
  const first = await start();
  const seeded = first.seedGrant({ scopes: SCOPES });
  const rotated = (await refresh(first, seeded.refresh_token as string)).json;
  expect(rotated.refresh_token).toEqual(expect.any(String));
  const contact = await xero<{ Contacts: Array<{ ContactID: string }> }>(first, rotated.access_token, 'PUT', '/api.xro/2.0/Contacts', {
    Contacts: [{ Name: 'Kept Ltd' }],
  });
  expect(contact.status).toBe(200);
  const contactId = contact.json.Contacts[0].ContactID;
  const invoice = await xero(first, rotated.access_token, 'PUT', '/api.xro/2.0/Invoices', {
    Invoices: [
      { Type: 'ACCREC', Contact: { ContactID: contactId }, LineItems: [{ Description: 'Kept work', Quantity: 1, UnitAmount: 10, AccountCode: '200' }] },
    ],
  });
  expect(invoice.status).toBe(200);
  const project = await xero(first, rotated.access_token, 'POST', '/projects.xro/2.0/Projects', { contactId, name: 'Kept project' });
  expect(project.status).toBe(201);
  expect((await admin(first, 'POST', '/clock', { advanceMs: 10 * MINUTE })).status).toBe(200);
  expect((await admin(first, 'POST', '/grace-mode', { mode: 'fresh-pair' })).status).toBe(200);
  const connectionIds = first.connections().map((c) => c.id);
  await first.close();
  expect(statSync(file).mode & 0o777).toBe(0o600);

  const second = await start();
  // The clock still runs 10 minutes ahead of real time (give or take the milliseconds of the restart).
  expect(Math.abs(second.clock.now() - Date.now() - 10 * MINUTE)).toBeLessThan(MINUTE);
  expect(second.graceMode).toBe('fresh-pair');
  expect(second.connections().map((c) => c.id)).toEqual(connectionIds);
  // The access token issued before the restart still verifies (same key, same record) and sees the books.
  const invoices = await xero<{ Invoices: Array<{ Contact: { Name: string } }> }>(second, rotated.access_token, 'GET', '/api.xro/2.0/Invoices');
  expect(invoices.status).toBe(200);
  expect(invoices.json.Invoices.map((i) => i.Contact.Name)).toEqual(['Kept Ltd']);
  const projects = await xero<{ items: Array<{ name: string }> }>(second, rotated.access_token, 'GET', '/projects.xro/2.0/Projects');
  expect(projects.json.items.map((p) => p.name)).toContain('Kept project');
  expect((await getConnections(second, rotated.access_token)).json.map((c) => c.id)).toEqual(
    second
      .connections()
      .filter((c) => c.clientId === DEMO_CLIENT_ID)
      .map((c) => c.id),
  );
  // The chain goes on: the spent token is in its grace window, the live one rotates.
  expect(second.refreshTokenState(seeded.refresh_token as string)).toBe('grace');
  expect(second.refreshTokenState(rotated.refresh_token)).toBe('live');
  const next = await refresh(second, rotated.refresh_token);
  expect(next.status).toBe(200);
  expect(second.deadTokenUses()).toBe(0);

  // Without the file, the same refresh token is one this Xero never issued.
  const forgetful = await startSimulator({ clock: new OffsetClock() });
  running.push(forgetful);
  expect((await refresh(forgetful, next.json.refresh_token)).json).toEqual({ error: 'invalid_grant' });
});

it('seeds invoices only into a fresh Xero, not again into a kept one', async () => {
  const first = await start({ seedInvoices: 3 });
  const counts = first.accounting.counts(DEMO_TENANT_ID);
  expect(counts.Invoices).toBe(3);
  await first.close();
  const second = await start({ seedInvoices: 3 });
  expect(second.accounting.counts(DEMO_TENANT_ID)).toEqual(counts);
});

it('refuses to start on a file it cannot read, naming the file and the way out', async () => {
  await (await start()).close();
  writeFileSync(file, 'not a state file');
  await expect(start()).rejects.toThrow(`The Xero simulator's state file ${file} cannot be read`);
  await expect(start()).rejects.toThrow(/delete it to start with a fresh Xero/);
  writeFileSync(file, serialize({ format: 'xero-guard simulator state', version: 99 }));
  await expect(start()).rejects.toThrow('it is in format 99, and this simulator reads format 1');
  writeFileSync(file, serialize({ format: 'something else' }));
  await expect(start()).rejects.toThrow('it is not a state file of this simulator');
});
