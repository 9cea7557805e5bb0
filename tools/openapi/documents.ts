/**
 * Which of Xero's OpenAPI documents (openapi/) the operation table covers, under which id, and why the
 * others are left out. Deciding this is the only judgement the generator takes from us rather than
 * from the documents; everything else it reads.
 */
import type { XeroApiId } from '../../src/xero/operations/types';

export interface IncludedDocument {
  file: string;
  id: XeroApiId;
  label: string;
  region?: 'AU' | 'NZ' | 'GB';
}

export interface ExcludedDocument {
  file: string;
  reason: string;
}

export const INCLUDED: readonly IncludedDocument[] = [
  { file: 'xero_accounting.yaml', id: 'accounting', label: 'Accounting' },
  { file: 'xero-payroll-au.yaml', id: 'payroll-au', label: 'Payroll AU', region: 'AU' },
  { file: 'xero-payroll-au-v2.yaml', id: 'payroll-au-v2', label: 'Payroll AU (v2)', region: 'AU' },
  { file: 'xero-payroll-nz.yaml', id: 'payroll-nz', label: 'Payroll NZ', region: 'NZ' },
  { file: 'xero-payroll-uk.yaml', id: 'payroll-uk', label: 'Payroll UK', region: 'GB' },
  { file: 'xero-projects.yaml', id: 'projects', label: 'Projects' },
  { file: 'xero_files.yaml', id: 'files', label: 'Files' },
  { file: 'xero_assets.yaml', id: 'assets', label: 'Assets' },
  { file: 'xero-finance.yaml', id: 'finance', label: 'Finance' },
];

export const EXCLUDED: readonly ExcludedDocument[] = [
  {
    file: 'xero_bankfeeds.yaml',
    reason:
      'Bank Feeds is for financial institutions that Xero has approved to push statements into their customers’ organisations (the bankfeeds scope is granted only to them); an accounting practice using this pack cannot use it.',
  },
  {
    file: 'xero-app-store.yaml',
    reason:
      'App Store subscriptions are for an app sold on the Xero App Store, called with its own client-credentials token (marketplace.billing) and no organisation; a workflow acting for an organisation has no use for it.',
  },
  {
    file: 'xero-identity.yaml',
    reason: 'GET and DELETE /connections are the core’s own connection tools (src/xero), used by every node’s organisation list and disconnect.',
  },
  { file: 'xero-webhooks.yaml', reason: 'Describes webhook deliveries Xero sends, not operations a client calls (issue 26 models them).' },
];
