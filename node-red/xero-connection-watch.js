'use strict';
/**
 * xero connection watch: checks the connection on an interval (which also keeps the refresh token
 * alive: the engine rotates it once it is older than the keep-alive age) and sends a message only
 * when the state changes: connected -> problem, problem -> connected, one problem -> another. The
 * change detector is the core's, the same the n8n trigger uses. Any input message checks now.
 */
const lib = require('./lib/xero-guard');

const { core } = lib;
const UNIT_MS = { seconds: 1000, minutes: 60 * 1000, hours: 60 * 60 * 1000 };
/** setTimeout's limit; longer intervals are clamped. */
const MAX_TIMER_MS = 2 ** 31 - 1;

module.exports = function (RED) {
  function XeroConnectionWatchNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const conn = lib.connectionOf(RED, config);
    const amount = Number(config.interval);
    const unit = UNIT_MS[config.intervalUnits] ? config.intervalUnits : 'minutes';
    const periodMs = Math.min(MAX_TIMER_MS, Number.isFinite(amount) && amount > 0 ? amount * UNIT_MS[unit] : 5 * UNIT_MS.minutes);
    const emitEveryPoll = config.emitEveryPoll === true || config.emitEveryPoll === 'true';
    const tenantId = () => (config.tenantId || '').trim() || (conn ? conn.settings.tenantId : '');
    const context = node.context();
    let state = core.isWatchState(context.get('watchState')) ? context.get('watchState') : null;
    let timer = null;
    let closed = false;
    /** Polls run one at a time: an input while the timer's poll runs waits for it. */
    let queue = Promise.resolve();

    async function pollOnce() {
      let result;
      let fix = null;
      if (!conn) {
        const error = lib.noConnectionError();
        result = await lib.resultForError(error, node.id);
        fix = error.fix;
      } else {
        result = await conn.check(tenantId());
        fix = result.fix || (tenantId() && result.tenants.length > 0 && !result.tenants.some((t) => t.tenantId === tenantId()) ? 'wrong tenant: it is not connected; pick one from Connect to Xero' : null);
      }
      if (closed) return;
      const { event, state: next } = core.detectStateChange(state, result, { emitEveryPoll });
      state = next;
      context.set('watchState', next);
      const dot = lib.statusForResult(result, fix);
      node.status({ ...dot, text: lib.short(`${dot.text} (${new Date().toISOString().slice(11, 19)})`) });
      if (event) node.send({ topic: `xero/connection/${event.kind}`, payload: alertOf(result, event, conn) });
    }

    function alertOf(result, event, connection) {
      const problem = result.problem || null;
      return {
        ...result,
        event,
        connection: connection ? { id: connection.id, name: connection.name || connection.settings.name || null } : null,
        summary: problem ? problem.summary : result.reason,
        advice: problem ? problem.advice : null,
        reconnect:
          problem && problem.action === 'reauthenticate' && connection
            ? { how: `Open the xero-connection node "${connection.name || connection.id}" in the Node-RED editor and click "Connect to Xero".`, url: `${lib.editorUrl(RED)}/#node/${connection.id}` }
            : null,
      };
    }

    function poll() {
      queue = queue.then(pollOnce).catch((error) => node.error(conn ? conn.scrub(error.message) : error.message));
      return queue;
    }

    function schedule() {
      if (closed) return;
      timer = setTimeout(() => {
        poll().then(schedule);
      }, periodMs);
    }

    lib.showInitialStatus(node, conn);
    if (config.checkOnStart !== false && config.checkOnStart !== 'false') poll().then(schedule);
    else schedule();

    node.on('input', function (_msg, _send, done) {
      poll().then(() => done());
    });

    node.on('close', function (_removed, done) {
      closed = true;
      if (timer) clearTimeout(timer);
      queue.then(() => done(), () => done());
    });
  }

  RED.nodes.registerType('xero connection watch', XeroConnectionWatchNode);
};
