/**
 * Issue 14 item 3 through the n8n Classify node's own code path: a custom rule that is a V8 fatal
 * error ended the n8n process. With the sandbox the node answers every item, names the rule, and the
 * built-in classification still routes the item.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { XeroGuardClassifyError } from '../../../nodes/XeroGuardClassifyError/XeroGuardClassifyError.node';
import { fakeContext, type FakeOptions } from './n8n-fixture';

const node = new XeroGuardClassifyError();
const run = (options: FakeOptions) => node.execute.call(fakeContext(options) as unknown as IExecuteFunctions);

it('a memory-bomb rule is stopped and named; every item is still classified and routed', async () => {
  const items: INodeExecutionData[] = [
    { json: { statusCode: 429, headers: { 'Retry-After': '42', 'X-Rate-Limit-Problem': 'minute' }, body: '' } },
    { json: { error: { message: 'The credential "Xero account" needs to be reconnected.' } } },
  ];
  const out = await run({
    items,
    parameters: {
      outputMode: 'perAction',
      customRules: { rules: [{ name: 'Pad and split', expression: "$count($split($pad('', 150000002, 'z'), '')) > 0", category: 'bomb', action: 'alert' }] },
    },
  });
  const wait = out[1]?.[0]?.json.classification as { category: string; configurationError: string };
  const reauth = out[2]?.[0]?.json.classification as { category: string; configurationError: string };
  expect(wait).toMatchObject({
    category: 'rate_limit_minute',
    configurationError: expect.stringMatching(/^Custom rule "Pad and split" was stopped: it (?:used more memory|ran longer)/),
  });
  expect(reauth).toMatchObject({ category: 'refresh_token_invalid', configurationError: expect.stringContaining('switched off until the rule is changed') });
});
