/**
 * The n8n editor in headless Chromium, shared by the browser suites (test/e2e/browser/) and the
 * demo's (test/e2e/demo/): the machine's Chromium on a fresh profile, the owner's sign-in, a
 * workflow run from the editor's "Execute workflow" button, and a screenshot when a step fails.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, selectors, type BrowserContext, type Page } from 'playwright-core';
import { OWNER, nodeOutput, waitFor, type N8nExecution } from '../../../tools/n8n/n8n';
import { REPO_ROOT } from '../../../tools/n8n/pack';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from '../../helpers/chromium';

/** Where the browser suites put their screenshots (never tracked). */
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'browser');

// n8n marks its elements with data-test-id (playwright's default is data-testid).
selectors.setTestIdAttribute('data-test-id');

export interface EditorBrowser {
  context: BrowserContext;
  page: Page;
  /** Closes Chromium and deletes its profile. */
  close(): Promise<void>;
}

/** Chromium on a profile of its own (deleted by close()), one page, 60 s for each step. */
export async function openBrowser(viewport: { width: number; height: number } = { width: 1400, height: 820 }): Promise<EditorBrowser> {
  if (!existsSync(CHROMIUM_EXECUTABLE)) throw new Error(`${CHROMIUM_EXECUTABLE} is missing: apt-get install -y chromium`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'xero-guard-chromium-'));
  let context: BrowserContext;
  try {
    // playwright wants the fresh profile as launchPersistentContext's userDataDir, not as --user-data-dir.
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_EXECUTABLE, headless: true, viewport, args: [...CHROMIUM_ARGS] });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(60_000);
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The owner signs in on n8n's sign-in page, as a user does. */
export async function signInToEditor(page: Page, n8nUrl: string): Promise<void> {
  await page.goto(`${n8nUrl}/signin`);
  await page.locator('input[name="emailOrLdapLoginId"]').fill(OWNER.email);
  await page.locator('input[name="password"]').fill(OWNER.password);
  await page.getByTestId('form-submit-button').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
}

/** A workflow's executions, newest first (n8n's public API: GET /executions?workflowId=&includeData=true). */
export type ListExecutions = (workflowId: string) => Promise<N8nExecution[]>;

/** The first item a node gave in an execution (its first run, first output). */
export function firstItem(execution: N8nExecution, node: string): Record<string, unknown> {
  const item = nodeOutput(execution, node)[0]?.json;
  if (item === undefined) throw new Error(`execution ${execution.id}: node "${node}" gave no item`);
  return item;
}

/** Waits for an execution of the workflow newer than the `before` ones to finish; returns it. */
export async function nextExecution(executions: ListExecutions, workflowId: string, before: number): Promise<N8nExecution> {
  return waitFor(
    'the execution to finish',
    async () => {
      const runs = await executions(workflowId);
      const newest = runs[0];
      return runs.length > before && newest !== undefined && newest.status !== 'running' && newest.status !== 'new' ? newest : undefined;
    },
    120_000,
    500,
  );
}

/**
 * Opens the workflow in the editor, clicks "Execute workflow" and waits for its execution to
 * succeed (its error, if any, is in the failure); a screenshot of the canvas after the run goes to `screenshot`.
 */
export async function executeInEditor(page: Page, n8nUrl: string, workflowId: string, executions: ListExecutions, screenshot: string): Promise<N8nExecution> {
  const before = (await executions(workflowId)).length;
  await page.goto(`${n8nUrl}/workflow/${workflowId}`);
  await page.getByTestId('execute-workflow-button').first().click();
  const finished = await nextExecution(executions, workflowId, before);
  await page.screenshot({ path: screenshot });
  expect({ status: finished.status, error: finished.data.resultData.error?.message ?? null }).toEqual({ status: 'success', error: null });
  return finished;
}

/** `fn`, and when it fails a full-page screenshot of where the page stood, named in the error. */
export async function screenshotOnFailure(page: () => Page | undefined, name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    const shot = join(ARTIFACTS, `${name.slice(0, 60).replace(/[^a-z0-9]+/gi, '-')}.png`);
    const open = page();
    await open?.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
    if (error instanceof Error) error.message = `${error.message}\n(screenshot: ${shot}; page: ${open?.url() ?? '-'})`;
    throw error;
  }
}
