/**
 * The editor's side of the Node-RED wing: what the browser runs cannot import the core, so the one
 * place it repeats the core's knowledge (a new node's default scopes) is held to the core here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_XERO_SCOPES } from '../../src/host';

const html = readFileSync(join(__dirname, '..', '..', 'node-red', 'xero-connection.html'), 'utf8');

test("a new xero-connection node asks for the core's default scopes, the same n8n's credential asks for", () => {
  const defaults = /scopes:\s*\{\s*value:\s*'([^']*)'/.exec(html);
  expect(defaults?.[1].split(' ')).toEqual([...DEFAULT_XERO_SCOPES]);
});
