import { CallBudget, readBudgets } from '../../../../src/check';
import { MemoryLedger } from '../../../../src/ledger';
import { recordLimits } from '../../../../nodes/shared/call-budget';

describe("Xero Guard node: every answer feeds the chain's call budget", () => {
  it('records the figures Xero sent (absent ones stay unknown) into the ledger notes of that chain only', async () => {
    const ledger = new MemoryLedger();
    const budget = new CallBudget({ notes: ledger, key: 'chain-a' });
    recordLimits({ budget }, 'tenant-1', { dayRemaining: 812, minuteRemaining: 57, appMinuteRemaining: null });
    await budget.flush();
    const [stored] = await readBudgets(ledger, 'chain-a');
    expect(stored).toMatchObject({ tenantId: 'tenant-1', dayRemaining: 812, minuteRemaining: 57, appMinuteRemaining: null });
    expect(await readBudgets(ledger, 'chain-b')).toEqual([]);
  });

  it('an answer without budget headers records nothing', async () => {
    const ledger = new MemoryLedger();
    const budget = new CallBudget({ notes: ledger, key: 'chain-c' });
    recordLimits({ budget }, 'tenant-1', { dayRemaining: null, minuteRemaining: null, appMinuteRemaining: null });
    await budget.flush();
    expect(await readBudgets(ledger, 'chain-c')).toEqual([]);
  });

  it('a session without a budget (a ledger without notes) records nothing and does not throw', () => {
    expect(() => recordLimits({ budget: null }, 'tenant-1', { dayRemaining: 5, minuteRemaining: 5, appMinuteRemaining: 5 })).not.toThrow();
  });
});
