export { AccountingApi, ACCOUNTING_READ_LIMIT } from './handler';
export { handleAccountingAdmin, ACCOUNTING_ADMIN_PREFIX } from './admin';
export { seedBook, type SeedOptions, type SeedSummary } from './seed';
export { RESOURCE_NAMES } from './resources';
export { REPORTS } from './reports';
export { bookAnswers } from './modelled';
