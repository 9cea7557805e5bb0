/**
 * xero classify error: reads a Xero failure from the message (a Catch node's msg.error, an http
 * request node's response, or a property the user names), classifies it with the core's
 * classifyXeroErrorAsync (and optional JSONata rules), and routes it: one output per action group
 * (retry / wait / reauthenticate / fix / alert), or one output. The original msg is kept, so a
 * retry loop can send it again; the classification goes to msg.classification (configurable).
 * A classification an upstream Xero Guard node attached (xero api, refresh token, check) travels
 * on, with Xero's detail and correlation id, unless one of the user's own rules matches; the
 * texts are in Node-RED's words.
 */
import { ACTION_GROUPS, actionGroupOf, classifyXeroErrorAsync, compileRules, type Classification, type CustomRule } from '../src/classify';
import { classificationInWords } from '../src/host';
import type { NodeConfig, NodeMessage, RED, RuntimeNode } from './lib/red';
import { NODE_RED_WORDS, setStatus } from './lib/status';
import { classificationIn, upstreamOf } from './lib/upstream';

export = function register(red: RED): void {
  function XeroClassifyErrorNode(this: RuntimeNode, config: NodeConfig): void {
    red.nodes.createNode(this, config);
    const source = config.source === 'property' ? 'property' : 'auto';
    const property = (typeof config.property === 'string' ? config.property : '').trim() || 'payload';
    const target = (typeof config.target === 'string' ? config.target : '').trim() || 'classification';
    const grouped = config.outputMode !== 'single';
    let rules: CustomRule[] | undefined;
    try {
      rules = parseRules(config.rules);
      if (rules) compileRules(rules);
      this.status({});
    } catch (error) {
      // The classifier still answers; a broken rule shows up as configurationError and here.
      const message = (error as Error).message;
      setStatus(this, { fill: 'red', shape: 'dot', text: `fix custom rules: ${message}` });
      this.warn(`Custom rules of this node are not usable: ${message}. Fix them in the node; the built-in rules still classify.`);
    }

    this.on('input', async (msg, send, done) => {
      try {
        const input = source === 'property' ? red.util.getMessageProperty(msg, property) : autoInput(msg);
        const own = await classifyXeroErrorAsync(input, rules ? { rules } : undefined);
        const upstream = source === 'property' ? classificationIn(input) : upstreamOf(msg);
        // The user's own rule decides; else what the upstream node knew; else the built-in reading, in Node-RED's words.
        const classification: Classification =
          upstream && !own.matchedRule ? { ...own, ...upstream, matchedRule: null } : classificationInWords(own, NODE_RED_WORDS);
        red.util.setMessageProperty(msg, target, classification, true);
        const group = actionGroupOf(classification.action);
        setStatus(this, {
          fill: classification.severity === 'critical' ? 'red' : classification.retryable ? 'yellow' : 'grey',
          shape: 'dot',
          text: `${classification.category} -> ${group}`,
        });
        if (!grouped) send(msg);
        else send(ACTION_GROUPS.map((g) => (g === group ? msg : null)));
        done();
      } catch (error) {
        done(error as Error);
      }
    });
  }

  red.nodes.registerType('xero classify error', XeroClassifyErrorNode);
};

/** Node-RED's shapes of a failure: an http request response, a Catch node's error, or the payload. */
function autoInput(msg: NodeMessage): unknown {
  if (typeof msg.statusCode === 'number' || (typeof msg.statusCode === 'string' && /^\d{3}$/.test(msg.statusCode))) {
    return { statusCode: Number(msg.statusCode), headers: msg.headers || {}, body: msg.payload, url: msg.responseUrl || msg.url, error: msg.error };
  }
  if (msg.error !== undefined && msg.error !== null) return msg.error;
  return msg.payload;
}

function parseRules(value: unknown): CustomRule[] | undefined {
  const text = value === undefined || value === null ? '' : String(value).trim();
  if (text === '' || text === '[]') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `the rules are not valid JSON (${(error as Error).message}); enter a list like [{"name":"...","expression":"status = 418","category":"teapot","action":"alert"}]`,
    );
  }
  if (!Array.isArray(parsed)) throw new Error('the rules must be a JSON list of {name, expression, category, action}');
  return parsed as CustomRule[];
}
