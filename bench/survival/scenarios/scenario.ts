/** What a survival scenario is: a schedule of work, faults and human acts, run on lanes of both sides. */
import type { Deployment, Host } from '../hosts';
import type { Lane } from '../lanes';
import type { SharedTime } from '../parts';
import type { Expectation } from '../report';

export interface ScenarioContext {
  host: Host;
  time: SharedTime;
}

export interface ScenarioRun {
  lanes: Lane[];
  expectation: Expectation;
  notes: string[];
}

export interface Scenario {
  name: string;
  title: string;
  deployment: Deployment;
  /** For the report: the schedule, as a user would describe it. */
  description: string;
  run(ctx: ScenarioContext): Promise<ScenarioRun>;
}

/** Every lane at once. */
export function eachLane(lanes: Lane[], job: (lane: Lane) => Promise<unknown>): Promise<unknown[]> {
  return Promise.all(lanes.map(job));
}
