import { claimListener } from '../../../nodes/XeroGuardTrigger/listener-claim';

describe('one running listener per trigger in a process (n8n 2.41 can start a trigger twice and close only the later start)', () => {
  test('a later start stops the earlier one; closing the later frees the slot for the next', () => {
    const stopped: string[] = [];
    const first = claimListener('n8n:wf1:node1');
    first.onSuperseded(() => stopped.push('first'));
    const second = claimListener('n8n:wf1:node1');
    second.onSuperseded(() => stopped.push('second'));
    expect(stopped).toEqual(['first']);
    expect([first.superseded, second.superseded]).toEqual([true, false]);

    // n8n closes the start it kept: the earlier one's late release does not free the later one's slot.
    first.release();
    const third = claimListener('n8n:wf1:node1');
    expect(stopped).toEqual(['first', 'second']);
    second.release();
    third.release();
    const fourth = claimListener('n8n:wf1:node1');
    fourth.onSuperseded(() => stopped.push('fourth'));
    expect(stopped).toEqual(['first', 'second']);
    fourth.release();
  });

  test('a start superseded while it was still setting up is stopped as soon as it says how', () => {
    const early = claimListener('n8n:wf2:node1');
    const late = claimListener('n8n:wf2:node1');
    let stopped = false;
    early.onSuperseded(() => (stopped = true));
    expect(stopped).toBe(true);
    late.release();
  });

  test('other triggers, and the test run of the same trigger, keep their own listener', () => {
    const stopped: string[] = [];
    const active = claimListener('n8n:wf3:node1');
    active.onSuperseded(() => stopped.push('active'));
    claimListener('n8n:wf3:node1:test').release();
    claimListener('n8n:wf3:node2').release();
    claimListener('n8n:wf4:node1').release();
    expect(stopped).toEqual([]);
    active.release();
  });
});
