/** The simulator's log (sim.log()) as the tests read it. */
import type { SimEvent } from '../../src/simulator';

/** One HTTP request the simulator logged: narrow a log entry to it with `(e): e is SimRequest => e.type === 'request' && ...`. */
export type SimRequest = Extract<SimEvent, { type: 'request' }>;
