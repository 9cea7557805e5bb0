/**
 * The resources of the Xero Guard Projects node: Xero's Projects API (/projects.xro/2.0): every operation of its document as the operation table has it,
 * each resource described in a bookkeeper's words.
 */
import { xeroApi } from '../../src/xero/operations';
import { projectsSchemas } from '../../src/xero/operations/generated/projects.schemas';
import { tableResources } from '../shared/api-node/table/resource';
import type { ResourceModule } from '../shared/api-node/types';

export const PROJECTS = xeroApi('projects');

export const RESOURCES: readonly ResourceModule[] = tableResources(PROJECTS, projectsSchemas, {
  Projects: 'A project for a contact, with its tasks and the time entered against them',
  ProjectsUsers: 'The users who can be assigned to projects and log time (read only)',
});
