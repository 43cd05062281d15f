// Following long work (a build, a push, a launch…) from a page. Leaving a page only stops the
// page from listening: the work goes on, and the page picks it up again when it comes back.
import { Requests } from '../kit/latest.svelte';
import { attachJob, cancelJob, detachJob, listJobs } from './commands';
import type { JobEvent } from './bindings/JobEvent';
import type { BerthError } from './bindings/BerthError';
import type { JobSummary } from './bindings/JobSummary';

/** A page following one job. */
export interface Following {
  job: JobSummary | null;
  /** Stops listening (never stops the job). */
  stop: () => Promise<void>;
}

/** Detaches on their way, by watcher name: attaching under the same name waits for them, so a
 * page that is left and entered again at once is not cut off by its own late detach. */
const detaching = new Map<string, Promise<void>>();

/** Jobs a page was following when it was left, while they still ran: a page that comes back
 * shows how they ended (once). */
const leftRunning = new Set<string>();

function detach(id: string, watcher: string): Promise<void> {
  const done = detachJob(id, watcher).catch(() => undefined);
  detaching.set(watcher, done);
  void done.then(() => {
    if (detaching.get(watcher) === done) detaching.delete(watcher);
  });
  return done;
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
  await detaching.get(watcher);
  const job = await attachJob(id, watcher, onEvent);
  return { job, stop: () => detach(id, watcher) };
}

/** The newest job of `kind` (on `key`, when given) the app still knows, running or ended. */
export async function findJob(kind: string, key?: string): Promise<JobSummary | undefined> {
  const jobs = await listJobs();
  return jobs.filter((j) => j.kind === kind && (key === undefined || j.key === key)).at(-1);
}

/**
 * The job a page coming back should show: the newest of `kinds` (on `key`, when given) that
 * still runs, or else one that ended after a page following it was left.
 */
export async function jobToResume(kinds: string | string[], key?: string): Promise<JobSummary | undefined> {
  const wanted = typeof kinds === 'string' ? [kinds] : kinds;
  const jobs = (await listJobs()).filter((j) => wanted.includes(j.kind) && (key === undefined || j.key === key));
  return jobs.filter((j) => j.running).at(-1) ?? jobs.filter((j) => leftRunning.has(j.id)).at(-1);
}

/**
 * What one page (or panel) uses to follow its long work: one watcher name, one job at a time.
 * `follow` a job the page started, `resume` the one it left running; `close` when the page goes
 * (it only detaches: the job runs on). Events of a job the page let go of never reach it.
 */
export class JobWatch {
  readonly #watcher: string;
  #id: string | null = null;
  #ended = false;
  #closed = false;
  /** Following a job is a request: a newer one (or letting go) makes the older one's events stale. */
  readonly #requests = new Requests();

  constructor(watcher: string) {
    this.#watcher = watcher;
  }

  /** The job followed now. */
  get id(): string | null {
    return this.#id;
  }

  /** Follows job `id`, letting go of the one followed before. null when the app no longer knows
   * the job, or the page was closed or moved on meanwhile. */
  async follow(id: string, onEvent: (event: JobEvent) => void): Promise<JobSummary | null> {
    if (this.#closed) return null;
    this.#release();
    const ticket = this.#requests.next();
    this.#id = id;
    this.#ended = false;
    const current = () => ticket.current && !this.#closed;
    try {
      const { job } = await followJob(id, this.#watcher, (event) => {
        if (!current()) return;
        if (event.type === 'done') {
          this.#ended = true;
          leftRunning.delete(id);
        }
        onEvent(event);
      });
      if (!current()) {
        // Let go of while attaching: make sure the listener is gone.
        void detach(id, this.#watcher);
        return null;
      }
      if (job === null) this.#id = null;
      return job;
    } catch (reason) {
      if (current()) this.#id = null;
      throw reason;
    }
  }

  /**
   * Picks up the job of `kind` on `key` that runs, or that ended after the page was left (see
   * `jobToResume`); `found` hears of it before its past is replayed (to show it as running).
   * null when there is none.
   */
  async resume(
    kind: string | string[],
    key: string | undefined,
    onEvent: (event: JobEvent) => void,
    found?: (job: JobSummary) => void,
  ): Promise<JobSummary | null> {
    const ticket = this.#requests.same();
    const job = await jobToResume(kind, key);
    if (!job || this.#closed || !ticket.current) return null;
    found?.(job);
    return this.follow(job.id, onEvent);
  }

  /** Cancels the job followed (a Cancel button); false when none runs. */
  async cancel(): Promise<boolean> {
    if (this.#id === null || this.#ended) return false;
    return cancelJob(this.#id).catch(() => false);
  }

  /** Stops listening to the job followed, which runs on. */
  release(): void {
    this.#release();
  }

  /** The page goes: stop listening. A job still running is shown again when the page returns. */
  close(): void {
    if (this.#id !== null && !this.#ended) leftRunning.add(this.#id);
    this.#closed = true;
    this.#release();
  }

  #release() {
    this.#requests.drop();
    if (this.#id === null) return;
    const id = this.#id;
    this.#id = null;
    void detach(id, this.#watcher);
  }
}

/** Tests start from a clean state with it. */
export function forgetLeftJobs(): void {
  leftRunning.clear();
  detaching.clear();
}

/** The id of the job that runs already, when starting one was refused because of it (a second
 * build, or a launch of an app being torn down): the page can show that one instead. */
export function busyWith(error: BerthError): string | null {
  if (error.kind !== 'invalidInput' || error.params.rule !== 'busy') return null;
  return error.params.id ?? null;
}

/** The job that made `error` (see `busyWith`), when it is of `kinds` and the app knows it. */
export async function blockingJob(error: BerthError, kinds: string[]): Promise<JobSummary | undefined> {
  const id = busyWith(error);
  if (id === null) return undefined;
  const jobs = await listJobs().catch(() => []);
  return jobs.find((j) => j.id === id && kinds.includes(j.kind));
}
