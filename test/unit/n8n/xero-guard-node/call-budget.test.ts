import { readBudgets } from '../../../../src/check';
import { MemoryLedger } from '../../../../src/ledger';
import { budgetFor, recordLimits } from '../../../../nodes/XeroGuard/call-budget';

describe("Xero Guard node: every answer feeds the chain's call budget", () => {
  it('records the figures Xero sent (absent ones stay unknown) into the ledger notes, one budget per chain', async () => {
    const ledger = new MemoryLedger();
    const budget = budgetFor(ledger, 'chain-a')!;
    expect(budgetFor(ledger, 'chain-a')).toBe(budget);
    recordLimits(budget, 'tenant-1', { dayRemaining: 812, minuteRemaining: 57, appMinuteRemaining: null });
    await budget.flush();
    const [stored] = await readBudgets(ledger, 'chain-a');
    expect(stored).toMatchObject({ tenantId: 'tenant-1', dayRemaining: 812, minuteRemaining: 57, appMinuteRemaining: null });
    expect(await readBudgets(ledger, 'chain-b')).toEqual([]);
  });

  it('an answer without budget headers records nothing', async () => {
    const ledger = new MemoryLedger();
    const budget = budgetFor(ledger, 'chain-c')!;
    recordLimits(budget, 'tenant-1', { dayRemaining: null, minuteRemaining: null, appMinuteRemaining: null });
    await budget.flush();
    expect(await readBudgets(ledger, 'chain-c')).toEqual([]);
  });
});
