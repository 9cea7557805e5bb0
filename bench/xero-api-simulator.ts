/**
 * The simulator for bench/xero-api.bench.ts, in its own process: the bench process then holds only
 * the client, so its heap figures are the client's and not the simulator's store and buffers.
 * Started with fork(); sends { apiUrl, token, tenantId } once seeded and exits when the bench
 * disconnects.
 */
import { DEMO_TENANT_ID, startSimulator } from '../src/simulator';

const SCOPES = ['offline_access', 'accounting.transactions', 'accounting.contacts', 'accounting.settings'];

export interface BenchSimulatorReady {
  apiUrl: string;
  token: string;
  tenantId: string;
}

async function main(): Promise<void> {
  const invoices = Number(process.argv[2]);
  if (!Number.isSafeInteger(invoices) || invoices <= 0) throw new Error(`usage: xero-api-simulator <invoices>, got "${process.argv[2]}"`);
  if (!process.send) throw new Error('xero-api-simulator runs as a child of the bench (fork), with an IPC channel');
  const sim = await startSimulator();
  const token = sim.seedGrant({ scopes: SCOPES }).access_token;
  sim.accounting.seed(DEMO_TENANT_ID, { contacts: 200, invoices, seed: 15 });
  process.once('disconnect', () => {
    void sim.close().finally(() => process.exit(0));
  });
  const ready: BenchSimulatorReady = { apiUrl: sim.apiUrl, token, tenantId: DEMO_TENANT_ID };
  process.send(ready);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
