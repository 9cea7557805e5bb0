/** Credit notes: the usual collection, plus an allocation of part or all of one to an invoice. */
import type { IDataObject } from 'n8n-workflow';
import { show } from '../../shared/api-node/common';
import { entityResource } from './entity';
import { BASIC_LIST_FILTERS, required, segment } from '../../shared/api-node/mapping';
import type { ResourceModule } from '../../shared/api-node/types';
import { covered, ID } from './covers';

export const creditNote: ResourceModule = entityResource({
  value: 'creditNote',
  name: 'Credit Note',
  noun: 'credit note',
  description: 'A credit note (ACCRECCREDIT or ACCPAYCREDIT), allocated against invoices',
  plural: 'CreditNotes',
  idKey: 'CreditNoteID',
  idParam: 'creditNoteId',
  example:
    '{"Type": "ACCRECCREDIT", "Contact": {"ContactID": "..."}, "LineItems": [{"Description": "Refund", "Quantity": 1, "UnitAmount": 20, "AccountCode": "200"}]}',
  create: 'PUT',
  update: true,
  getAll: { ...BASIC_LIST_FILTERS, paging: 'page' },
  remove: [
    { operation: 'void', status: 'VOIDED', description: 'Void an approved credit note' },
    { operation: 'delete', status: 'DELETED', description: 'Delete a draft or submitted credit note' },
  ],
  downloadPdf: true,
  extra: {
    allocate: {
      option: {
        name: 'Allocate',
        value: 'allocate',
        description: 'Allocate part or all of a credit note to an invoice',
        action: 'Allocate a credit note to an invoice',
      },
      plan: (p) => {
        const allocation: IDataObject = {
          Invoice: { InvoiceID: required(p, 'allocationInvoiceId', 'Invoice ID') },
          Amount: Number(required(p, 'allocationAmount', 'Amount')),
        };
        if (typeof p.allocationDate === 'string' && p.allocationDate) allocation.Date = p.allocationDate;
        return {
          kind: 'single',
          request: { method: 'PUT', path: ['CreditNotes', segment(p, 'creditNoteId', 'Credit Note ID'), 'Allocations'], body: { Allocations: [allocation] } },
          envelope: 'Allocations',
        };
      },
      covers: covered(['PUT', ['CreditNotes', ID, 'Allocations']]),
    },
  },
  extraProperties: [
    {
      displayName: 'Invoice ID',
      name: 'allocationInvoiceId',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['allocate']),
      description: 'The invoice the credit goes to',
    },
    {
      displayName: 'Amount',
      name: 'allocationAmount',
      type: 'number',
      typeOptions: { minValue: 0, numberPrecision: 2 },
      default: 0,
      required: true,
      displayOptions: show(['allocate']),
      description: 'How much of the credit note to allocate',
    },
    {
      displayName: 'Date',
      name: 'allocationDate',
      type: 'dateTime',
      default: '',
      displayOptions: show(['allocate']),
      description: 'Date of the allocation (today if empty)',
    },
  ],
});
