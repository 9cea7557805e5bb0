/** Xero's financial reports, run by name with the options each takes; the rows come back as Xero lays them out. */
import { XERO_REPORTS, type XeroQuery } from '../../../src/xero/accounting';
import { show, words } from '../../shared/api-node/common';
import { collection, required } from '../../shared/api-node/mapping';
import { MappingError, type ResourceModule } from '../../shared/api-node/types';
import { covered } from './covers';

/** Xero's reports as the core knows them. */
export const REPORTS: readonly string[] = XERO_REPORTS;

const REPORT_OPTIONS: Array<[string, string, 'string' | 'dateTime' | 'number' | 'boolean', string]> = [
  ['contactID', 'Contact ID', 'string', 'For the aged reports: the contact'],
  ['date', 'Date', 'dateTime', 'The report date (balance sheet, trial balance, aged reports, budget summary, executive summary)'],
  ['fromDate', 'From Date', 'dateTime', 'Start of the period (profit and loss, bank summary, aged reports)'],
  ['toDate', 'To Date', 'dateTime', 'End of the period'],
  ['periods', 'Periods', 'number', 'Number of periods to compare'],
  ['timeframe', 'Timeframe', 'string', 'MONTH, QUARTER or YEAR'],
  ['trackingCategoryID', 'Tracking Category ID', 'string', 'Split the report by this tracking category'],
  ['paymentsOnly', 'Payments Only', 'boolean', 'Whether to include only cash transactions'],
  ['standardLayout', 'Standard Layout', 'boolean', 'Whether to ignore custom report layouts'],
];

const isoDay = (v: string) => (/^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : v);

export const report: ResourceModule = {
  value: 'report',
  table: 'Reports',
  name: 'Report',
  description: 'A financial report: profit and loss, balance sheet, trial balance, aged receivables and payables, bank, budget and executive summaries',
  operations: {
    get: {
      option: { name: 'Get', value: 'get', description: 'Run a report and return its rows', action: 'Get a report' },
      plan: (p) => {
        const name = required(p, 'reportName', 'Report');
        if (!REPORTS.includes(name))
          throw new MappingError(`Report "${name}" is not one Xero Guard runs: choose one of ${REPORTS.join(', ')} (or use Custom API Call).`);
        const options = collection(p, 'reportOptions');
        const query: XeroQuery = {};
        for (const [key, , type] of REPORT_OPTIONS) {
          const v = options[key];
          if (v === undefined || v === '' || v === null || v === false) continue;
          query[key] = type === 'dateTime' ? isoDay(String(v)) : String(v);
        }
        return { kind: 'single', request: { method: 'GET', path: ['Reports', name], query }, envelope: 'Reports' };
      },
      covers: covered(...REPORTS.map((r): [string, string[]] => ['GET', ['Reports', r]])),
    },
  },
  properties: [
    {
      displayName: 'Report',
      name: 'reportName',
      type: 'options',
      options: REPORTS.map((r) => ({ name: words(r).replace('And', 'and'), value: r })),
      default: 'ProfitAndLoss',
      required: true,
      displayOptions: show(['get']),
    },
    {
      displayName: 'Report Options',
      name: 'reportOptions',
      type: 'collection',
      placeholder: 'Add option',
      default: {},
      displayOptions: show(['get']),
      options: REPORT_OPTIONS.map(([name, displayName, type, description]) => ({
        displayName,
        name,
        type,
        default: type === 'boolean' ? false : type === 'number' ? 1 : '',
        description,
      })),
    },
  ],
};
