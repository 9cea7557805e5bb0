/**
 * The resources of the Xero Guard Assets node: Xero's Assets API (/assets.xro/1.0): every operation of its document as the operation table has it,
 * each resource described in a bookkeeper's words.
 */
import { xeroApi } from '../../src/xero/operations';
import { assetsSchemas } from '../../src/xero/operations/generated/assets.schemas';
import { tableResources } from '../shared/api-node/table/resource';
import type { ResourceModule } from '../shared/api-node/types';

export const ASSETS = xeroApi('assets');

export const RESOURCES: readonly ResourceModule[] = tableResources(ASSETS, assetsSchemas, {
  Assets: 'A fixed asset: bought, registered and depreciated (draft, registered or disposed)',
  AssetTypes: 'Kinds of asset, with the accounts and depreciation method they use',
  Settings: 'The fixed asset settings: start date, depreciation calculation (read only)',
});
