/** One Markdown table and one JSON file per scenario run, under bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../tools/n8n/pack';
import { DEPLOYMENT_TEXT, type Deployment } from './hosts';
import type { LaneResult } from './lanes';

export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

/** What our side must show in every scenario and grace mode (issue 19), and what this run allows. */
export interface Expectation {
  /** Watchdog messages per lane of ours: 0 where nothing breaks, 2 (problem, works again) for one incident. */
  alerts: number;
  /** Executions of ours that may fail for auth: those run while the connection is revoked. */
  authFailuresAllowed: number;
}

export interface ScenarioReport {
  scenario: string;
  title: string;
  command: string;
  /** The commit the run was made from, with "+changes" when the work tree differed from it. */
  commit: string;
  deployment: Deployment;
  n8nVersion: string;
  startedAt: string;
  realSeconds: number;
  description: string;
  expectation: Expectation;
  lanes: LaneResult[];
  /** Empty when every lane of ours met the expectation. */
  oursFailures: string[];
  notes: string[];
}

export function oursFailures(lanes: LaneResult[], expect: Expectation): string[] {
  const failures: string[] = [];
  for (const l of lanes.filter((x) => x.side === 'ours')) {
    if (l.deadTokenPresentations !== 0) failures.push(`${l.label}: ${l.deadTokenPresentations} dead-token presentations`);
    if (!l.aliveAtEnd) failures.push(`${l.label}: connection not alive at the end`);
    if (l.alerts !== expect.alerts) failures.push(`${l.label}: ${l.alerts ?? 0} alerts, expected ${expect.alerts}`);
    if (l.failedForAuth > expect.authFailuresAllowed)
      failures.push(`${l.label}: ${l.failedForAuth} executions failed for auth (allowed ${expect.authFailuresAllowed})`);
  }
  return failures;
}

const ROWS: Array<[string, (l: LaneResult) => string]> = [
  ['executions answered / failed', (l) => `${l.answered} / ${l.failed}`],
  ['executions failed for auth', (l) => String(l.failedForAuth)],
  ['token-endpoint requests', (l) => String(l.tokenRequests)],
  ['spent refresh token presented again (grace window)', (l) => String(l.spentTokenReuses)],
  ['dead-token presentations', (l) => String(l.deadTokenPresentations)],
  ['revoked token presented after a revocation', (l) => String(l.revokedTokenPresentations)],
  ['connection alive at the end', (l) => (l.aliveAtEnd ? 'yes' : '**no**')],
  ['alerts', (l) => (l.alerts === null ? 'none (no alerting)' : String(l.alerts))],
  ['time to first alert', (l) => (l.firstAlertAfterS === null ? '-' : `${l.firstAlertAfterS} s`)],
  ['time to "works again"', (l) => (l.recoveredAfterS === null ? '-' : `${l.recoveredAfterS} s`)],
  ['human actions needed', (l) => String(l.humanActions)],
];

export function markdownTable(lanes: LaneResult[]): string {
  const header = ['', ...lanes.map((l) => l.label)];
  const rows = ROWS.map(([label, f]) => [label, ...lanes.map(f)]);
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** Plain sentences per grace mode: where n8n's side survives too, and where ours does worse. */
export function comparison(lanes: LaneResult[]): string[] {
  const lines: string[] = [];
  const graces = [...new Set(lanes.map((l) => l.grace))];
  for (const grace of graces) {
    const ours = lanes.find((l) => l.side === 'ours' && l.grace === grace);
    if (!ours) continue;
    for (const n8n of lanes.filter((l) => l.side === 'n8n' && l.grace === grace)) {
      const who = n8n.variant ? `n8n's own credential + ${n8n.variant}` : "n8n's own credential";
      if (n8n.aliveAtEnd && n8n.deadTokenPresentations === 0) lines.push(`${grace}: ${who} survives too (alive, 0 dead-token presentations).`);
      else
        lines.push(
          `${grace}: ${who} ${n8n.aliveAtEnd ? 'stays alive but' : 'loses the connection:'} ${n8n.deadTokenPresentations} dead-token presentations, ${n8n.failedForAuth} executions failed for auth, ${n8n.humanActions} human actions.`,
        );
      const worse: string[] = [];
      if (ours.failed > n8n.failed) worse.push(`${ours.failed} failed executions against ${n8n.failed}`);
      if (ours.tokenRequests > n8n.tokenRequests) worse.push(`${ours.tokenRequests} token requests against ${n8n.tokenRequests}`);
      if (ours.humanActions > n8n.humanActions) worse.push(`${ours.humanActions} human actions against ${n8n.humanActions}`);
      if (worse.length > 0) lines.push(`${grace}: Xero Guard does worse than ${who} on ${worse.join(', ')} (why: see the notes below).`);
    }
  }
  return lines;
}

export function writeReport(report: ScenarioReport): { md: string; json: string } {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-').slice(0, 19);
  const base = join(RESULTS_DIR, `survival-${report.scenario}-${stamp}`);
  const notes = [
    ...report.notes,
    ...report.lanes.flatMap((l) => l.notes.map((n) => `${l.label}: ${n}`)),
    ...report.lanes.flatMap((l) => l.failureMessages.map((m) => `${l.label}, a failed execution: ${m}`)),
    ...report.lanes.flatMap((l) => l.alertTexts.map((t) => `${l.label}, alert: ${t}`)),
    ...report.lanes.flatMap((l) => l.failedAnswers.map((a) => `${l.label}, an answer to the webhook caller: ${a}`)),
  ];
  const md = `# Survival scenario: ${report.title}

\`${report.command}\` at commit ${report.commit}, on ${report.startedAt}, n8n ${report.n8nVersion}, ${DEPLOYMENT_TEXT[report.deployment]}; ${report.realSeconds} s of real time.

${report.description}

${markdownTable(report.lanes)}

${comparison(report.lanes)
  .map((l) => `- ${l}`)
  .join('\n')}

Our side's bar (0 dead-token presentations, alive at the end, ${report.expectation.alerts} alerts, at most ${report.expectation.authFailuresAllowed} executions failing for auth): ${
    report.oursFailures.length === 0 ? 'met in every grace mode.' : `**not met**: ${report.oursFailures.join('; ')}.`
  }

${notes.map((n) => `- ${n}`).join('\n')}
`;
  writeFileSync(`${base}.md`, md);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  return { md: `${base}.md`, json: `${base}.json` };
}
