/**
 * The deployments users run, on the shared clock: one n8n process (the default, SQLite), queue mode
 * (main + 2 workers, PostgreSQL, Redis), and two `n8n start` processes on one PostgreSQL database
 * with no Redis (a second container behind a load balancer, say). Built from the e2e and queue
 * harnesses in tools/.
 */
import { startN8n, type N8nHandle } from '../../tools/n8n/n8n';
import { progress } from '../../tools/n8n/install';
import { createPrivateDatabase, postgresEnv, startQueueStack, type PrivateDatabase, type QueueStack } from '../../tools/queue/stack';
import { faketimeEnv } from './parts';

export type Deployment = 'single' | 'queue' | 'two-mains';

export const DEPLOYMENT_TEXT: Record<Deployment, string> = {
  single: 'one n8n process (regular mode, SQLite: the default)',
  queue: 'queue mode: main + 2 workers (concurrency 20 each), PostgreSQL, Redis',
  'two-mains': 'two `n8n start` processes (regular mode) on one PostgreSQL database, no Redis, webhooks split between them',
};

export interface Host {
  readonly deployment: Deployment;
  /** Imports, activation and the executions API. */
  readonly main: N8nHandle;
  readonly stack: QueueStack | undefined;
  /** Every n8n process that serves webhooks, in the order requests are spread over them. */
  readonly webhookProcesses: N8nHandle[];
  webhookBase(i: number): string;
  activate(workflowId: string): Promise<void>;
  deactivate(workflowId: string): Promise<void>;
  /**
   * Two mains: the second process boots after the workflows are active, as a second container
   * would (n8n activates what is active when it starts; without Redis nothing tells a running
   * process about later activations).
   */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

async function publicActivate(main: N8nHandle, workflowId: string, action: 'activate' | 'deactivate'): Promise<void> {
  const answer = await main.api('POST', `/workflows/${workflowId}/${action}`);
  if (answer.status !== 200) throw new Error(`${action} ${workflowId} answered ${answer.status} ${answer.text.slice(0, 300)}`);
}

export async function startHost(deployment: Deployment, timeFile: string, options: { redis?: { host: string; port: number } } = {}): Promise<Host> {
  const env = faketimeEnv(timeFile);
  const started = Date.now();
  let stack: QueueStack | undefined;
  let database: PrivateDatabase | undefined;
  let main: N8nHandle;
  const processes: N8nHandle[] = [];
  let second: (() => Promise<N8nHandle>) | undefined;
  if (deployment === 'queue') {
    stack = await startQueueStack({ workers: 2, concurrency: 20, label: 'survival', env, ...(options.redis ? { redis: options.redis } : {}) });
    main = stack.main;
    processes.push(main);
  } else if (deployment === 'two-mains') {
    database = await createPrivateDatabase('survival');
    const dbEnv = { ...env, ...postgresEnv(database.name) };
    main = await startN8n({ env: dbEnv });
    processes.push(main);
    second = () => startN8n({ env: dbEnv });
  } else {
    main = await startN8n({ env });
    processes.push(main);
  }
  progress(`survival: ${deployment} n8n up in ${Math.round((Date.now() - started) / 1000)} s`);
  return {
    deployment,
    main,
    stack,
    webhookProcesses: processes,
    webhookBase: (i) => processes[i % processes.length]!.url,
    activate: (id) => publicActivate(main, id, 'activate'),
    deactivate: (id) => publicActivate(main, id, 'deactivate'),
    async ready() {
      if (second && processes.length === 1) {
        const other = await second();
        processes.push(other);
        progress(`survival: second n8n main up on ${other.url}`);
      }
    },
    async stop() {
      for (const p of processes.slice(1)) await p.stop().catch((e: unknown) => progress(`survival: stopping n8n: ${String(e)}`));
      if (stack) await stack.stop().catch((e: unknown) => progress(`survival: stopping the stack: ${String(e)}`));
      else await main.stop().catch((e: unknown) => progress(`survival: stopping n8n: ${String(e)}`));
      await database?.drop().catch(() => undefined);
    },
  };
}
