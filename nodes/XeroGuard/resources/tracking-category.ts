/** Tracking categories (such as Region) and their options (such as North), each option written below its category. */
import { show } from '../../shared/api-node/common';
import { entityResource } from './entity';
import { required, segment } from '../../shared/api-node/mapping';
import type { Parameters, ResourceModule, SingleRequest } from '../../shared/api-node/types';
import { covered, ID } from './covers';

const categoryId = (p: Parameters) => segment(p, 'trackingCategoryId', 'Tracking Category ID');
const optionId = (p: Parameters) => segment(p, 'trackingOptionId', 'Option ID');
const named = (p: Parameters) => ({ Options: [{ Name: required(p, 'optionName', 'Option Name') }] });
const options = (request: SingleRequest['request']): SingleRequest => ({ kind: 'single', request, envelope: 'Options' });

export const trackingCategory: ResourceModule = entityResource({
  value: 'trackingCategory',
  name: 'Tracking Category',
  noun: 'tracking category',
  description: 'A tracking category (such as Region) and its options',
  plural: 'TrackingCategories',
  idKey: 'TrackingCategoryID',
  idParam: 'trackingCategoryId',
  example: '{"Name": "Region"}',
  create: 'PUT',
  update: true,
  getAll: { where: true, order: true, includeArchived: true, paging: 'none' },
  remove: [{ operation: 'delete', method: 'DELETE', description: 'Delete a tracking category' }],
  extra: {
    createOption: {
      option: {
        name: 'Create Option',
        value: 'createOption',
        description: 'Add an option (such as North) to a tracking category',
        action: 'Create an option of a tracking category',
      },
      plan: (p) => options({ method: 'PUT', path: ['TrackingCategories', categoryId(p), 'Options'], body: named(p) }),
      covers: covered(['PUT', ['TrackingCategories', ID, 'Options']]),
    },
    updateOption: {
      option: {
        name: 'Update Option',
        value: 'updateOption',
        description: 'Rename an option of a tracking category',
        action: 'Update an option of a tracking category',
      },
      plan: (p) => options({ method: 'POST', path: ['TrackingCategories', categoryId(p), 'Options', optionId(p)], body: named(p) }),
      covers: covered(['POST', ['TrackingCategories', ID, 'Options', ID]]),
    },
    deleteOption: {
      option: {
        name: 'Delete Option',
        value: 'deleteOption',
        description: 'Delete an option of a tracking category',
        action: 'Delete an option of a tracking category',
      },
      plan: (p) => options({ method: 'DELETE', path: ['TrackingCategories', categoryId(p), 'Options', optionId(p)] }),
      covers: covered(['DELETE', ['TrackingCategories', ID, 'Options', ID]]),
    },
  },
  extraProperties: [
    {
      displayName: 'Option ID',
      name: 'trackingOptionId',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['updateOption', 'deleteOption']),
      description: 'The Xero ID of the tracking option',
    },
    {
      displayName: 'Option Name',
      name: 'optionName',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['createOption', 'updateOption']),
      description: 'Name of the option, e.g. North',
    },
  ],
});
