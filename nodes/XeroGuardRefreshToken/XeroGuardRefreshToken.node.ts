import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { RefreshResult } from '../../src/engine';
import type { ConnectionSession } from '../../src/host';
import { CREDENTIAL_TYPE } from '../shared/guarded-session';
import { errorJson, openNodeSession, toNodeError } from '../shared/node-support';

const DAY = 86_400_000;

export class XeroGuardRefreshToken implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard Refresh Token',
    name: 'xeroGuardRefreshToken',
    icon: { light: 'file:../../icons/xero-guard-refresh.svg', dark: 'file:../../icons/xero-guard-refresh.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{ $parameter["mode"] === "force" ? "Force a refresh" : "Refresh if needed" }}',
    description: "Rotates a Xero connection's tokens through Xero Guard's engine, keeping the refresh token alive",
    defaults: { name: 'Refresh Xero Token' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: CREDENTIAL_TYPE, required: true }],
    properties: [
      {
        displayName: 'Mode',
        name: 'mode',
        type: 'options',
        options: [
          {
            name: 'If Needed',
            value: 'ifNeeded',
            description:
              'Rotate only when the access token is about to expire or the refresh token was last rotated more than 7 days ago (Xero expires refresh tokens unused for 60 days)',
          },
          { name: 'Force', value: 'force', description: 'Rotate now; also retries a connection marked as needing reconnection once' },
        ],
        default: 'ifNeeded',
      },
      {
        displayName: 'Include Tokens in Output (Unsafe)',
        name: 'includeTokens',
        type: 'boolean',
        default: false,
        description:
          'Whether to add the access and refresh tokens to the output. Anyone who can see executions can then use them; the refresh token must never be used outside Xero Guard or the chain breaks.',
      },
      {
        displayName:
          "Unsafe: the tokens will be stored in the execution data. Never refresh with this refresh token elsewhere: Xero would rotate it and Xero Guard's chain would break (invalid_grant).",
        name: 'includeTokensNotice',
        type: 'notice',
        default: '',
        displayOptions: { show: { includeTokens: [true] } },
      },
    ],
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const items = this.getInputData();
    const results: INodeExecutionData[] = [];
    let credentials: ICredentialDataDecryptedObject | undefined;
    let session: ConnectionSession | undefined;
    // One rotation per execution, whatever the number of items: n items would otherwise force n rotations.
    let outcome: { value: IDataObject } | { error: unknown } | undefined;
    for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
      try {
        if (!outcome) {
          try {
            const opened = await openNodeSession(this);
            credentials = opened.credentials;
            session = opened.session;
            const force = this.getNodeParameter('mode', itemIndex, 'ifNeeded') === 'force';
            const includeTokens = this.getNodeParameter('includeTokens', itemIndex, false) === true;
            outcome = { value: await refreshOnce(session, force, includeTokens) };
          } catch (error) {
            outcome = { error };
          }
        }
        if ('error' in outcome) throw outcome.error;
        results.push({ json: { ...outcome.value }, pairedItem: { item: itemIndex } });
      } catch (error) {
        if (this.continueOnFail()) {
          results.push({ json: errorJson(error, credentials), pairedItem: { item: itemIndex } });
          continue;
        }
        throw toNodeError(this.getNode(), error, credentials, itemIndex);
      }
    }
    return [results];
  }
}

async function refreshOnce(session: ConnectionSession, force: boolean, includeTokens: boolean): Promise<IDataObject> {
  const result: RefreshResult = await session.refresh({ force });
  const status = await session.status();
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const rotatedDaysAgo = status.lastRotationAt === null ? null : Math.floor((Date.now() - status.lastRotationAt) / DAY);
  const json: IDataObject = {
    refreshed: result.refreshed,
    mode: force ? 'force' : 'ifNeeded',
    message: result.refreshed
      ? `Rotated the Xero tokens: the new access token is valid until ${iso(result.accessTokenExpiresAt)}, and the 60-day idle clock restarted.`
      : `No rotation was needed: the access token is valid until ${iso(result.accessTokenExpiresAt)} and the refresh token was rotated ${rotatedDaysAgo === null ? 'recently' : `${rotatedDaysAgo} day(s) ago`}.`,
    accessTokenExpiresAt: iso(result.accessTokenExpiresAt),
    lastRotationAt: iso(result.lastRotationAt),
    daysLeftBeforeIdleExpiry: status.daysLeftBeforeIdleExpiry,
    chainState: status.state,
    grant: status.grant,
    scopes: status.scopes,
  };
  if (includeTokens) {
    const tokens = await session.storedTokens();
    json.accessToken = tokens?.accessToken ?? null;
    json.refreshToken = tokens?.refreshToken ?? null;
    json.warning = 'These tokens are secrets. Do not refresh with this refresh token outside Xero Guard.';
  }
  return json;
}
