/**
 * Issue 14 item 7: the Classify node's "Include Normalised Error" option copied raw bearer and refresh
 * tokens from the error into execution data (normaliseXeroError kept them in `text`). The redaction is
 * in the core, so this goes through the node's own code path with canaries planted where real errors
 * carry them.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { XeroGuardClassifyError } from '../../../nodes/XeroGuardClassifyError/XeroGuardClassifyError.node';
import { normaliseXeroError } from '../../../src/classify';
import { fakeContext, type FakeOptions } from './n8n-fixture';

const node = new XeroGuardClassifyError();
const run = (options: FakeOptions) => node.execute.call(fakeContext(options) as unknown as IExecuteFunctions);

const ACCESS = 'eyJhbGciOiJSUzI1NiJ9.eyJDQU5BUllfTk9STUFMSVNFRCI6IjEyMyJ9.c2lnbmF0dXJlTk9STUFMSVNFRA';
const REFRESH = '9c4e1a7b3d5f8e2a6c0b4d9f1e3a5c7b9d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c';
const OPAQUE = 'CnryOpaque7Hq2Lm9Xw4Zr8Kd3Tb6Vn1';

const item: INodeExecutionData = {
  json: {
    error: {
      message: `Request failed with Authorization: Bearer ${ACCESS}`,
      description: `401 - {"Detail":"AuthenticationUnsuccessful","note":"refresh_token=${REFRESH} was sent"}`,
      httpCode: '401',
      context: { request: `POST https://identity.xero.com/connect/token?code=${OPAQUE}`, body: `grant_type=refresh_token&refresh_token=${REFRESH}` },
    },
  },
};

it('Include Normalised Error adds what rules see, without the tokens the error carried', async () => {
  const out = await run({ items: [item], parameters: { outputMode: 'single', options: { includeNormalised: true } } });
  const json = out[0]?.[0]?.json as Record<string, unknown>;
  const normalised = json.classificationInput as { text: string; status: number };
  // The words a rule needs are still there...
  expect(normalised.status).toBe(401);
  expect(normalised.text).toContain('AuthenticationUnsuccessful');
  expect(normalised.text).toContain('Authorization: [redacted]');
  // ...the credentials are not, anywhere in what the node adds.
  const added = JSON.stringify({ classification: json.classification, classificationInput: json.classificationInput });
  for (const canary of [ACCESS, REFRESH, OPAQUE]) expect(added).not.toContain(canary);
});

it('normaliseXeroError itself is redacted, whichever host calls it', () => {
  const text = JSON.stringify(normaliseXeroError(item.json));
  for (const canary of [ACCESS, REFRESH, OPAQUE]) expect(text).not.toContain(canary);
});
