// Following long work (a build, a push, a launch…) from a page. Leaving a page only stops the
// page from listening: the work goes on, and the page picks it up again when it comes back.
import { attachJob, detachJob, listJobs } from './commands';
import type { JobEvent } from './bindings/JobEvent';
import type { JobSummary } from './bindings/JobSummary';

/** A page following one job. */
export interface Following {
  job: JobSummary | null;
  /** Stops listening (never stops the job). */
  stop: () => Promise<void>;
}

/**
 * Sends the job's events so far, then each new one, to `onEvent`, under the page's `watcher`
 * name (following again under the same name replaces the earlier listener).
 */
export async function followJob(
  id: string,
  watcher: string,
  onEvent: (event: JobEvent) => void,
): Promise<Following> {
  const job = await attachJob(id, watcher, onEvent);
  return { job, stop: () => detachJob(id, watcher).catch(() => undefined) };
}

/** The newest job of `kind` (on `key`, when given) the app still knows, running or ended. */
export async function findJob(kind: string, key?: string): Promise<JobSummary | undefined> {
  const jobs = await listJobs();
  return jobs.filter((j) => j.kind === kind && (key === undefined || j.key === key)).at(-1);
}
