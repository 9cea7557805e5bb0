/** The Xero Guard Trigger's parameters, as the n8n editor shows them (read by settings.ts). */
import type { INodeProperties } from 'n8n-workflow';

const webhook = { show: { mode: ['webhook'] } };
const polling = { show: { mode: ['poll'] } };

export const TRIGGER_PROPERTIES: INodeProperties[] = [
  {
    displayName: 'Listen To',
    name: 'mode',
    type: 'options',
    options: [
      {
        name: 'Xero Webhooks (Instant)',
        value: 'webhook',
        description: 'Xero pushes contact, invoice, bill and credit note changes to this n8n (needs a public URL)',
      },
      { name: 'Polling', value: 'poll', description: 'Asks Xero for changes on an interval: every resource and named events, no public URL needed' },
    ],
    default: 'webhook',
  },
  {
    displayName:
      'Paste the Production URL above into your app\'s Webhooks page at developer.xero.com, and its "Webhooks key" into the Xero credential\'s Webhook Key. One URL per app: other workflows with a Xero Guard Trigger on the same app read the same events and need no URL at Xero. Leave "Poll Times" at Every Minute: in this mode it does nothing.',
    name: 'webhookNotice',
    type: 'notice',
    default: '',
    displayOptions: webhook,
  },
  {
    displayName: 'Organisation Names or IDs',
    name: 'organisations',
    type: 'multiOptions',
    typeOptions: { loadOptionsMethod: 'getOrganisations' },
    default: [],
    description:
      'Only these organisations. Leave empty for every organisation the app is connected to. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
  },
  {
    displayName: 'Categories',
    name: 'categories',
    type: 'multiOptions',
    options: [
      { name: 'Contacts', value: 'CONTACT' },
      { name: 'Credit Notes', value: 'CREDITNOTE' },
      { name: 'Invoices and Bills', value: 'INVOICE' },
    ],
    default: ['CONTACT', 'INVOICE', 'CREDITNOTE'],
    description: 'What Xero sends webhooks for',
    displayOptions: webhook,
  },
  {
    displayName: 'Event Types',
    name: 'eventTypes',
    type: 'multiOptions',
    options: [
      { name: 'Created', value: 'CREATE' },
      { name: 'Updated', value: 'UPDATE' },
    ],
    default: ['CREATE', 'UPDATE'],
    displayOptions: webhook,
  },
  {
    displayName: 'Invoices',
    name: 'invoiceDirection',
    type: 'options',
    options: [
      { name: 'Sales and Bills', value: 'both' },
      { name: 'Sales Invoices Only', value: 'sales' },
      { name: 'Bills Only', value: 'purchases' },
    ],
    default: 'both',
    description: 'Which invoices (and credit notes) start the workflow; telling them apart needs Fetch Records',
    displayOptions: webhook,
  },
  {
    displayName: 'Fetch Records',
    name: 'fetchRecords',
    type: 'boolean',
    default: true,
    description:
      'Whether to read the records the events name (in batches, through the guarded credential) and emit one item per record with its events beside it, instead of the bare events',
    displayOptions: webhook,
  },
  {
    displayName: 'Catch-Up Every (Minutes)',
    name: 'catchUpMinutes',
    type: 'number',
    typeOptions: { minValue: 0 },
    default: 60,
    description:
      'How often to ask Xero what changed, so a delivery lost while n8n was down (or while Xero had switched the webhook off) still arrives, once. 0 turns it off.',
    displayOptions: webhook,
  },
  {
    displayName: 'Watch',
    name: 'watch',
    type: 'multiOptions',
    options: [
      { name: 'Bank Transactions (New or Updated)', value: 'bank_transactions' },
      { name: 'Bill Due', value: 'bill_due' },
      { name: 'Bills (New or Updated)', value: 'bills' },
      { name: 'Contacts (New or Updated)', value: 'contacts' },
      { name: 'Credit Notes (New or Updated)', value: 'credit_notes' },
      { name: 'Invoice Overdue', value: 'invoice_overdue' },
      { name: 'Invoice Paid', value: 'invoice_paid' },
      { name: 'Items (New or Updated)', value: 'items' },
      { name: 'Manual Journals (New or Updated)', value: 'manual_journals' },
      { name: 'Payments (New or Updated)', value: 'payments' },
      { name: 'Purchase Orders (New or Updated)', value: 'purchase_orders' },
      { name: 'Quote Accepted', value: 'quote_accepted' },
      { name: 'Quotes (New or Updated)', value: 'quotes' },
      { name: 'Sales Invoices (New or Updated)', value: 'sales_invoices' },
    ],
    default: ['sales_invoices'],
    description: 'Each is one Xero call per organisation per poll (more only when over 500 records changed)',
    displayOptions: polling,
  },
  {
    displayName: 'Poll Every (Minutes)',
    name: 'intervalMinutes',
    type: 'number',
    typeOptions: { minValue: 1 },
    default: 15,
    description: 'Leave n8n\'s "Poll Times" at Every Minute: this decides when Xero is read',
    displayOptions: polling,
  },
  {
    displayName: 'Slow Down To (Minutes)',
    name: 'ceilingMinutes',
    type: 'number',
    typeOptions: { minValue: 1 },
    default: 60,
    description: 'While nothing changes, each quiet poll doubles the wait up to this; the first change brings it back to Poll Every',
    displayOptions: polling,
  },
  {
    displayName: 'Backfill From',
    name: 'backfillFrom',
    type: 'dateTime',
    default: '',
    description: 'On first activation, also emit what changed since this date. Leave empty to start from now.',
    displayOptions: polling,
  },
  {
    displayName: 'Time Zone',
    name: 'timeZone',
    type: 'string',
    default: '',
    placeholder: 'Pacific/Auckland',
    description: "The organisations' time zone (IANA name) for Invoice Overdue and Bill Due; empty: UTC",
    displayOptions: polling,
  },
  {
    displayName: 'Bill Due Within (Days)',
    name: 'dueInDays',
    type: 'number',
    typeOptions: { minValue: 0 },
    default: 0,
    description: 'Bill Due: bills due within this many days count (0: due today or before)',
    displayOptions: polling,
  },
];
