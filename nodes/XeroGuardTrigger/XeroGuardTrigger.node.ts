/**
 * The Xero Guard Trigger: what happens in the books starts the workflow (docs/design/events.md),
 * on the guarded credential, in one of two ways the user chooses:
 * - Webhooks: Xero's signed deliveries reach this node's production URL (webhook(): checked over
 *   the raw bytes, answered at once, appended to the app's inbox in the credential's ledger), and
 *   every trigger of the app reads that inbox with its own position (trigger(): listen.ts), plus
 *   the catch-up sweep. n8n 2.41 runs both parts of one node: it registers the webhooks of an
 *   active workflow and, separately, starts every node that has a trigger() or poll() method.
 * - Polling: n8n's poll() reads what changed (poll.ts), cursor in the workflow's static data.
 * The app's webhook key is a field of the credential, never of the workflow, and appears in no
 * item, log line or error.
 */
import type {
  ICredentialDataDecryptedObject,
  IHookFunctions,
  ILoadOptionsFunctions,
  INodeExecutionData,
  INodePropertyOptions,
  INodeType,
  INodeTypeDescription,
  IPollFunctions,
  ITriggerFunctions,
  ITriggerResponse,
  IWebhookFunctions,
  IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { DEFAULT_MAX_WEBHOOK_BYTES, EventsConfigError, XERO_SIGNATURE_HEADER, declaredTooLarge } from '../../src/events';
import { CREDENTIAL_TYPE } from '../shared/guarded-session';
import { openNodeSession, toNodeError } from '../shared/node-support';
import { guardedOptions } from '../shared/editor-guard';
import { safeErrorMessage } from '../shared/safe-error';
import { loadTenantOptions } from '../shared/tenants';
import { TRIGGER_PROPERTIES } from './description';
import { listen } from './listen';
import { pollChanges } from './poll';
import { inboxOf, judgeDelivery, storeDelivery } from './receive';
import { claimListener } from './listener-claim';
import { consumerIdOf, readTriggerSettings, type TriggerSettings } from './settings';
import { appended } from './wake';

/** The path after n8n's /webhook/<webhookId>/: the production URL Xero is given. */
export const WEBHOOK_PATH = 'xero-guard';

export class XeroGuardTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Xero Guard Trigger',
    name: 'xeroGuardTrigger',
    icon: { light: 'file:../../icons/xero-guard-events.svg', dark: 'file:../../icons/xero-guard-events.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{ $parameter["mode"] === "poll" ? "Polling" : "Xero webhooks" }}',
    description: 'Starts the workflow when something changes in Xero: signed webhooks or budget-aware polling, each change once',
    defaults: { name: 'Xero Guard Trigger' },
    polling: true,
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: CREDENTIAL_TYPE, required: true }],
    webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: WEBHOOK_PATH }],
    properties: TRIGGER_PROPERTIES,
  };

  /**
   * Xero has no API to set an app's webhook: the user pastes the production URL at
   * developer.xero.com once per app. So there is nothing to create, check or delete at Xero.
   */
  webhookMethods = {
    default: {
      async checkExists(this: IHookFunctions): Promise<boolean> {
        return true;
      },
      async create(this: IHookFunctions): Promise<boolean> {
        return true;
      },
      async delete(this: IHookFunctions): Promise<boolean> {
        return true;
      },
    },
  };

  methods = {
    loadOptions: {
      // Guarded here too: the filter below would drop the no-credential hint along with the "(None)" entry.
      getOrganisations: guardedOptions(async function (this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        return (await loadTenantOptions.call(this)).filter((option) => option.value !== '');
      }),
    },
  };

  /** A delivery: judged on its raw bytes and answered at once; a verified one goes to the app's inbox. No execution starts here. */
  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    const req = this.getRequestObject();
    const res = this.getResponseObject();
    const mode = this.getNodeParameter('mode', 'webhook') === 'poll' ? 'poll' : 'webhook';
    let credentials: ICredentialDataDecryptedObject | undefined;
    try {
      credentials = await this.getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_TYPE);
    } catch (error) {
      this.logger.error(`Xero Guard Trigger: the Xero credential could not be read, so the delivery was refused: ${safeErrorMessage(error)}`);
    }
    const keyText = typeof credentials?.webhookSecret === 'string' ? credentials.webhookSecret : '';
    const say = (text: unknown): string => safeErrorMessage(text, credentials, [keyText, keyText.trim()]);
    const contentLength = req.headers['content-length'];
    let body: Buffer | null = null;
    // n8n has usually read the body already (JSON up to N8N_PAYLOAD_SIZE_MAX, kept as rawBody); if not, it is read
    // here, and not at all when its declared size is over the cap or the trigger polls.
    if (mode === 'webhook' && !declaredTooLarge(contentLength, DEFAULT_MAX_WEBHOOK_BYTES)) {
      try {
        if (!req.rawBody) await req.readRawBody();
        body = Buffer.isBuffer(req.rawBody) ? req.rawBody : null;
      } catch {
        body = null;
      }
    }
    const verdict = judgeDelivery({ mode, contentLength, body, signature: req.headers[XERO_SIGNATURE_HEADER], keyText });
    // Answered before anything else happens: Xero waits about 5 seconds.
    res.status(verdict.status).end();
    for (const problem of verdict.problems) this.logger.warn(`Xero Guard Trigger: ${say(problem)}`);
    if (verdict.status === 200 && verdict.delivery && verdict.delivery.events.length > 0 && credentials) {
      try {
        const warning = await storeDelivery(credentials, keyText, verdict.delivery);
        if (warning) this.logger.warn(`Xero Guard Trigger: ${say(warning)}`);
        appended(inboxOf(keyText));
      } catch (error) {
        this.logger.error(`Xero Guard Trigger: a verified Xero delivery could not be stored (the catch-up sweep brings its changes later): ${say(error)}`);
      }
    }
    return { noWebhookResponse: true };
  }

  /** Webhook mode: reads the app's inbox for this workflow (and runs the catch-up). Polling mode: nothing (poll() works). */
  async trigger(this: ITriggerFunctions): Promise<ITriggerResponse | undefined> {
    const settings = settingsOf(this);
    if (settings.mode !== 'webhook') return {};
    const manual = this.getMode() === 'manual';
    const consumerId = consumerIdOf(this.getWorkflow().id, this.getNode().id) + (manual ? ':test' : '');
    // Claimed before anything is awaited: of two starts, the later is the one n8n keeps.
    const claim = claimListener(consumerId);
    let credentials: ICredentialDataDecryptedObject | undefined;
    try {
      const opened = await openNodeSession(this);
      credentials = opened.credentials;
      const keyText = typeof credentials.webhookSecret === 'string' ? credentials.webhookSecret : '';
      if (keyText.trim() === '') {
        throw toNodeError(
          this.getNode(),
          new EventsConfigError(
            'The Xero credential has no Webhook Key: copy the "Webhooks key" from your app\'s Webhooks page at developer.xero.com into the credential\'s Webhook Key field, or set this trigger to Polling.',
          ),
        );
      }
      return await listen({ context: this, settings, session: opened.session, credentials, keyText, consumerId, manual, claim });
    } catch (error) {
      claim.release();
      throw toNodeError(this.getNode(), error, credentials);
    }
  }

  /** Polling mode: what changed since the last poll, each change once. Webhook mode: nothing. */
  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
    const settings = settingsOf(this);
    if (settings.mode !== 'poll') return null;
    let credentials: ICredentialDataDecryptedObject | undefined;
    try {
      const opened = await openNodeSession(this);
      credentials = opened.credentials;
      const secrets = credentials;
      return await pollChanges({
        context: this,
        settings,
        session: opened.session,
        consumerId: consumerIdOf(this.getWorkflow().id, this.getNode().id),
        warn: (text) => this.logger.warn(`Xero Guard Trigger: ${safeErrorMessage(text, secrets)}`),
      });
    } catch (error) {
      throw toNodeError(this.getNode(), error, credentials);
    }
  }
}

function settingsOf(context: ITriggerFunctions | IPollFunctions): TriggerSettings {
  try {
    return readTriggerSettings((name, fallback) => context.getNodeParameter(name, fallback));
  } catch (error) {
    throw toNodeError(context.getNode(), error);
  }
}
