import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { ACTION_GROUPS, XeroGuardClassifyError, actionGroupOf, readPath } from '../../../nodes/XeroGuardClassifyError/XeroGuardClassifyError.node';
import { ACTIONS } from '../../../src/classify';
import { fakeContext, type FakeOptions } from './n8n-fixture';

const node = new XeroGuardClassifyError();
const run = (options: FakeOptions) => node.execute.call(fakeContext(options) as unknown as IExecuteFunctions);
const CANARY = 'eyJhbGciOiJSUzI1NiJ9.eyJDQU5BUllfVE9LRU4iOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlQ0FOQVJZ';

/** One n8n error-output item per action group, as the HTTP Request node produces them. */
const items: Record<string, INodeExecutionData> = {
  retry: {
    json: {
      error: {
        message: 'Authorization failed - please check your credentials',
        description: '401 - "{\\"Title\\":\\"Unauthorized\\",\\"Status\\":401,\\"Detail\\":\\"TokenExpired: token expired at 04/29/2020 09:22:02\\"}"',
        httpCode: '401',
      },
    },
  },
  wait: { json: { statusCode: 429, headers: { 'Retry-After': '42', 'X-Rate-Limit-Problem': 'minute' }, body: '' } },
  reauthenticate: { json: { error: { message: 'The credential "Xero account" needs to be reconnected.' } } },
  fix: {
    json: {
      error: {
        message: 'Bad request',
        description:
          '{"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred","Elements":[{"ValidationErrors":[{"Message":"Account code \'999\' is not a valid code"}]}]}',
        httpCode: '400',
      },
    },
  },
  alert: { json: { hello: 'not an error at all' } },
};

describe('Xero Guard Classify Error node', () => {
  it('maps every action to one of five groups', () => {
    expect(ACTIONS.map(actionGroupOf)).toEqual(['retry', 'retry', 'wait', 'reauthenticate', 'fix', 'fix', 'alert']);
    expect(node.description.outputs).toContain('Re-Authenticate');
    expect(node.description.usableAsTool).toBe(true);
    expect(node.description.credentials).toBeUndefined();
  });

  it('routes each kind of error item to its action group output', async () => {
    const input = ACTION_GROUPS.map((g) => items[g] as INodeExecutionData);
    const out = await run({ items: input, parameters: { outputMode: 'perAction' } });
    expect(out).toHaveLength(5);
    ACTION_GROUPS.forEach((group, index) => {
      expect(out[index]).toHaveLength(1);
      expect(out[index]?.[0]?.pairedItem).toEqual({ item: index });
      expect(actionGroupOf((out[index]?.[0]?.json.classification as { action: (typeof ACTIONS)[number] }).action)).toBe(group);
    });
    const wait = out[1]?.[0]?.json.classification as { category: string; retryAfterSeconds: number };
    expect(wait).toMatchObject({ category: 'rate_limit_minute', retryAfterSeconds: 42 });
    expect((out[2]?.[0]?.json.classification as { category: string }).category).toBe('refresh_token_invalid');
  });

  it('puts everything on one output in single mode, keeping the item and adding the classification', async () => {
    const out = await run({
      items: [items.wait as INodeExecutionData, items.alert as INodeExecutionData],
      parameters: { outputMode: 'single', options: { outputField: 'xero' } },
    });
    expect(out).toHaveLength(1);
    expect(out[0]).toHaveLength(2);
    expect(out[0]?.[1]?.json).toMatchObject({ hello: 'not an error at all', xero: { category: 'unknown', action: 'alert' } });
  });

  it('reads a named field', async () => {
    const out = await run({
      items: [{ json: { response: { nested: [{ statusCode: 503, body: 'The Organisation is offline' }] } } }],
      parameters: { outputMode: 'single', errorSource: 'field', errorField: 'response.nested[0]' },
    });
    expect((out[0]?.[0]?.json.classification as { category: string }).category).toBe('organisation_offline');
    expect(readPath({ a: { b: [1, { c: 2 }] } }, '$json.a.b[1].c')).toBe(2);
  });

  it('applies custom JSONata rules before the built-in ones', async () => {
    const out = await run({
      items: [items.fix as INodeExecutionData],
      parameters: {
        outputMode: 'perAction',
        customRules: {
          rules: [
            {
              name: 'Bad account code',
              expression: '$contains(text, "Account code")',
              category: 'bad_account_code',
              action: 'alert',
              advice: 'Ask finance for the right account code.',
            },
          ],
        },
      },
    });
    const c = out[4]?.[0]?.json.classification as { category: string; matchedRule: string; advice: string };
    expect(c).toMatchObject({ category: 'bad_account_code', matchedRule: 'Bad account code', advice: 'Ask finance for the right account code.' });
  });

  it('names a custom rule that does not compile, or routes items to Alert with continueOnFail', async () => {
    const parameters = { customRules: { rules: [{ name: 'Broken', expression: '$contains(text,', category: 'x', action: 'retry' }] } };
    const error = await run({ items: [items.wait as INodeExecutionData], parameters }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect((error as Error).message).toMatch(/Custom rule "Broken"/);
    const out = await run({ items: [items.wait as INodeExecutionData], parameters, continueOnFail: true });
    expect(out[4]?.[0]?.json.error).toMatch(/Custom rule "Broken"/);
  });

  it('never copies a token from the error into the classification', async () => {
    const out = await run({
      items: [
        {
          json: {
            error: {
              message: `Request failed with Authorization: Bearer ${CANARY}`,
              description: `401 - {"Detail":"AuthenticationUnsuccessful","token":"${CANARY}"}`,
              httpCode: '401',
            },
          },
        },
      ],
      parameters: { outputMode: 'single' },
    });
    expect(JSON.stringify(out[0]?.[0]?.json.classification)).not.toContain(CANARY);
  });
});
