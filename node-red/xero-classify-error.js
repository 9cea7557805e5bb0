'use strict';
/**
 * xero classify error: reads a Xero failure from the message (a Catch node's msg.error, an http
 * request node's response, or a property the user names), classifies it with the core's
 * classifyXeroError (and optional JSONata rules), and routes it: one output per action group
 * (retry / wait / reauthenticate / fix / alert), or one output. The original msg is kept, so a
 * retry loop can send it again; the classification goes to msg.classification (configurable).
 */
const lib = require('./lib/xero-guard');

const { core } = lib;

module.exports = function (RED) {
  function XeroClassifyErrorNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const source = config.source === 'property' ? 'property' : 'auto';
    const property = (config.property || 'payload').trim();
    const target = (config.target || 'classification').trim();
    const grouped = config.outputMode !== 'single';
    let rules;
    try {
      rules = parseRules(config.rules);
      if (rules) core.compileRules(rules);
      node.status({});
    } catch (error) {
      // The classifier still answers; a broken rule shows up as configurationError and here.
      node.status({ fill: 'red', shape: 'dot', text: lib.short(`fix custom rules: ${error.message}`) });
      node.warn(`Custom rules of this node are not usable: ${error.message}. Fix them in the node; the built-in rules still classify.`);
    }

    node.on('input', async function (msg, send, done) {
      try {
        const input = source === 'property' ? RED.util.getMessageProperty(msg, property) : autoInput(msg);
        const classification = await core.classifyXeroErrorAsync(input, rules ? { rules } : undefined);
        RED.util.setMessageProperty(msg, target, classification, true);
        const group = lib.groupOf(classification.action);
        node.status({ fill: classification.severity === 'critical' ? 'red' : classification.retryable ? 'yellow' : 'grey', shape: 'dot', text: lib.short(`${classification.category} -> ${group}`) });
        if (!grouped) send(msg);
        else send(lib.ACTION_GROUPS.map((g) => (g === group ? msg : null)));
        done();
      } catch (error) {
        done(error);
      }
    });
  }

  RED.nodes.registerType('xero classify error', XeroClassifyErrorNode);
};

/** Node-RED's shapes of a failure: an http request response, a Catch node's error, or the payload. */
function autoInput(msg) {
  if (typeof msg.statusCode === 'number' || (typeof msg.statusCode === 'string' && /^\d{3}$/.test(msg.statusCode))) {
    return { statusCode: Number(msg.statusCode), headers: msg.headers || {}, body: msg.payload, url: msg.responseUrl || msg.url, error: msg.error };
  }
  if (msg.error !== undefined && msg.error !== null) return msg.error;
  return msg.payload;
}

function parseRules(text) {
  if (text === undefined || text === null || String(text).trim() === '' || String(text).trim() === '[]') return undefined;
  let parsed;
  try {
    parsed = JSON.parse(String(text));
  } catch (error) {
    throw new Error(`the rules are not valid JSON (${error.message}); enter a list like [{"name":"...","expression":"status = 418","category":"teapot","action":"alert"}]`);
  }
  if (!Array.isArray(parsed)) throw new Error('the rules must be a JSON list of {name, expression, category, action}');
  return parsed;
}

module.exports.autoInput = autoInput;
