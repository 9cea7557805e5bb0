/**
 * A node's execute(): the credential's session client, then the one executor; a session that cannot
 * open fails every item the same way (or gives each an error item, with Continue On Fail).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { errorItemJson, errorOutputJson, toXeroNodeError } from './errors';
import { executeApiNode } from './execute';
import type { ApiNode } from './node';
import { openSessionClient, type SessionClient } from './session-client';

export async function runApiNode(context: IExecuteFunctions, node: ApiNode): Promise<INodeExecutionData[][]> {
  let session: SessionClient;
  try {
    session = await openSessionClient(context);
  } catch (error) {
    const nodeError = toXeroNodeError(context.getNode(), error);
    if (!context.continueOnFail()) throw nodeError;
    const json = context.getNode().onError === 'continueErrorOutput' ? errorOutputJson(nodeError) : errorItemJson(nodeError);
    return [context.getInputData().map((_, item) => ({ json, pairedItem: { item } }))];
  }
  return executeApiNode(context, session, node);
}
