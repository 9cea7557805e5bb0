import type { Action } from './types';

/**
 * The five things a person or a workflow does about an error, in the order the n8n and Node-RED
 * nodes lay out their outputs: the seven actions fold into these.
 */
export const ACTION_GROUPS = ['retry', 'wait', 'reauthenticate', 'fix', 'alert'] as const;
export type ActionGroup = (typeof ACTION_GROUPS)[number];

export function actionGroupOf(action: Action | string | null | undefined): ActionGroup {
  switch (action) {
    case 'retry':
    case 'refresh_and_retry':
      return 'retry';
    case 'wait_and_retry':
      return 'wait';
    case 'reauthenticate':
      return 'reauthenticate';
    case 'fix_configuration':
    case 'fix_request':
      return 'fix';
    default:
      return 'alert';
  }
}
