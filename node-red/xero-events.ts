/**
 * xero events: what happens in the books, one message per event, over the events core
 * (docs/design/events.md), the same the n8n Xero Guard Trigger runs. Two ways to hear Xero:
 * - webhook (lib/events-listen.ts): Xero's signed deliveries on a route of Node-RED's HTTP node
 *   server, checked over the raw bytes (lib/events-route.ts), into the app's inbox in the
 *   connection's ledger, read by each node with its own position, plus the catch-up sweep;
 * - poll (lib/events-poll.ts): If-Modified-Since reads on an adaptive interval, each change claimed
 *   in the ledger so it is emitted once, the cursor in the node's context store.
 * The webhook key is this node's own credential, not the xero-connection's: only these nodes need
 * it, and it names the app's inbox (a keyed fingerprint), so only who holds the key reads what Xero
 * delivered. It appears in no message, log line or status.
 */
import { systemClock } from '../src/clock';
import { EventsConfigError, WebhookKey } from '../src/events';
import { connectionOf } from './lib/connection-handle';
import { listen, type InboxReaders } from './lib/events-listen';
import { poll } from './lib/events-poll';
import { readEventsSettings } from './lib/events-settings';
import { NodeWork } from './lib/events-work';
import type { NodeConfig, RED, RuntimeNode } from './lib/red';
import { runtimeOptions } from './lib/settings';
import { showInitialStatus } from './lib/status';

export = function register(red: RED): void {
  const readers: InboxReaders = new Map();
  function XeroEventsNode(this: RuntimeNode, config: NodeConfig): void {
    red.nodes.createNode(this, config);
    start(red, this, config, readers);
  }
  red.nodes.registerType('xero events', XeroEventsNode, { credentials: { webhookKey: { type: 'password' } } });
};

function start(red: RED, node: RuntimeNode, config: NodeConfig, readers: InboxReaders): void {
  const conn = connectionOf(red, config);
  const keyText = typeof node.credentials?.webhookKey === 'string' ? node.credentials.webhookKey : '';
  const work = new NodeWork(node, [keyText, keyText.trim(), ...(conn?.secrets ?? [])]);
  node.on('close', (_removed: boolean, done: () => void) => {
    work.close().then(done, done);
  });
  const clock = runtimeOptions(red).clock ?? systemClock;
  try {
    const settings = readEventsSettings(config);
    if (!conn) throw new EventsConfigError('This node has no xero-connection: open it, pick or add a xero-connection, and deploy.');
    if (settings.mode === 'poll') {
      showInitialStatus(node, conn);
      poll({ work, conn, settings, clock });
      return;
    }
    if (keyText.trim() === '') {
      throw new EventsConfigError(
        'This node has no webhook key: copy it from your app\'s Webhooks page at developer.xero.com ("Webhooks key") into this node\'s Webhook key, and deploy.',
      );
    }
    showInitialStatus(node, conn);
    listen({ red, work, conn, settings, key: new WebhookKey(keyText), clock, readers });
  } catch (error) {
    work.broken(error);
  }
}
