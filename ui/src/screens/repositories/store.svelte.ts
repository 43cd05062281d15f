// The region's repositories as the Repository step and the Repositories view both see them: one
// list, kept consistent as repositories are created or deleted (here or found gone), and their
// usage — image count, size, cost, Berth's tag — measured lazily: the rows on screen first, the
// rest in the background, a few repositories per call and two calls at a time, so a big account
// shows its list at once and never fires hundreds of requests together.
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { getRepositoryUsage, listRepositories } from '../../ipc/commands';
import { toBerthError } from '../../ipc/errors';
import type { BerthError, RepositoryList, RepositorySummary, RepositoryUsage } from '../../ipc/types';
import { Requests, type Loaded } from '../../kit';

/** Repositories measured per call, and calls in flight at once. */
const BATCH = 8;
const PARALLEL = 2;
/** A repository AWS asked to slow down for is tried again later, this many times at most. */
const THROTTLE_RETRIES = 3;
const THROTTLE_PAUSE_MS = 2000;

let list = $state<RepositoryList | null>(null);
let error = $state<BerthError | null>(null);
let loading = $state(false);
// Keyed by ARN, which names the account and region too: a change of account or region never
// shows another repository's numbers.
const usage = new SvelteMap<string, RepositoryUsage>();
// ARNs waiting to be measured, first come first; and those being measured now.
let queue: string[] = [];
const pending = new SvelteSet<string>();
let inFlight = 0;
const measuringNow = new Set<string>();
const throttled = new Map<string, number>();
const retrying = new Set<string>();
// Reading the list again makes an older read's answer stale.
const reads = new Requests();
// resetRepositories drops every answer under way (a previous test's, or another account's).
const session = new Requests();

export const repositories = {
  /** The last list read, or null before the first answer. */
  get list(): RepositoryList | null {
    return list;
  },
  /** Why the last read failed (the list, if any, is the one before). */
  get error(): BerthError | null {
    return error;
  },
  get loading(): boolean {
    return loading;
  },
  /** What is known of a repository's contents (by ARN); undefined until measured. */
  usage(arn: string): RepositoryUsage | undefined {
    return usage.get(arn);
  },
  /** Whether a repository (by ARN) is waiting to be measured or being measured. */
  measuring(arn: string): boolean {
    return pending.has(arn);
  },
  /** How many repositories of the list are still to be measured. */
  get pendingCount(): number {
    return pending.size;
  },
};

/** Reads the list (again). Usage already measured stays shown until measured anew. */
export async function loadRepositories(): Promise<Loaded<RepositoryList>> {
  const read = reads.next();
  const at = session.same();
  loading = true;
  try {
    const next = await listRepositories();
    if (read.current && at.current) {
      list = next;
      error = null;
      const arns = new Set(next.repositories.map((r) => r.arn));
      for (const arn of [...usage.keys()]) if (!arns.has(arn)) usage.delete(arn);
      queue = queue.filter((a) => arns.has(a));
      for (const arn of [...pending]) if (!arns.has(arn) && !queue.includes(arn)) pending.delete(arn);
    }
    return { ok: true, value: next };
  } catch (reason) {
    const failure = toBerthError(reason);
    if (read.current && at.current) error = failure;
    return { ok: false, error: failure };
  } finally {
    if (read.current && at.current) loading = false;
  }
}

/** Measures these repositories (by ARN) before any other waiting one: the rows on screen. */
export function measureFirst(arns: string[]): void {
  enqueue(
    arns.filter((a) => !usage.has(a)),
    true,
  );
}

/** Measures every repository of the list not measured yet, after those already waiting. */
export function measureAll(): void {
  enqueue((list?.repositories ?? []).map((r) => r.arn).filter((a) => !usage.has(a)), false);
}

/** Measures the repositories whose last measurement failed, again. */
export function remeasureFailed(): void {
  const failed = [...usage.entries()].filter(([, u]) => u.status === 'failed').map(([arn]) => arn);
  for (const arn of failed) usage.delete(arn);
  enqueue(failed, true);
}

/** Measures everything again (after a refresh); the old numbers stay shown until then. */
export function remeasureAll(): void {
  enqueue(
    (list?.repositories ?? []).map((r) => r.arn),
    false,
  );
}

function enqueue(arns: string[], first: boolean): void {
  const wanted = [...new Set(arns)].filter((a) => !measuringNow.has(a));
  if (wanted.length === 0) return;
  const queued = new Set(queue);
  if (first) {
    // Asked for first: to the front, even if already waiting further back.
    const set = new Set(wanted);
    queue = [...wanted, ...queue.filter((a) => !set.has(a))];
  } else {
    queue = [...queue, ...wanted.filter((a) => !queued.has(a))];
  }
  for (const arn of wanted) pending.add(arn);
  pump();
}

function pump(): void {
  while (inFlight < PARALLEL && queue.length > 0) {
    const batch = queue.slice(0, BATCH);
    queue = queue.slice(BATCH);
    void measureBatch(batch);
  }
}

async function measureBatch(arns: string[]): Promise<void> {
  const at = session.same();
  const byArn = new Map((list?.repositories ?? []).map((r) => [r.arn, r]));
  const refs = arns.filter((a) => byArn.has(a)).map((a) => ({ name: byArn.get(a)!.name, arn: a }));
  inFlight++;
  for (const arn of arns) measuringNow.add(arn);
  try {
    if (refs.length === 0) return;
    const answers = await getRepositoryUsage(refs);
    if (!at.current) return;
    answers.forEach((answer, i) => {
      const arn = refs[i]?.arn;
      if (arn === undefined) return;
      if (answer.status === 'gone') removeRepository(answer.name);
      else if (answer.status === 'failed' && answer.error.kind === 'throttled' && retryLater(arn)) return;
      else if (list?.repositories.some((r) => r.arn === arn)) usage.set(arn, answer);
    });
  } catch (reason) {
    if (!at.current) return;
    const failure = toBerthError(reason);
    for (const ref of refs) usage.set(ref.arn, { status: 'failed', name: ref.name, error: failure });
  } finally {
    if (at.current) {
      inFlight--;
      const queued = new Set(queue);
      for (const arn of arns) {
        measuringNow.delete(arn);
        if (!queued.has(arn) && !retrying.has(arn)) pending.delete(arn);
      }
      pump();
    }
  }
}

// A big account can hit ECR's request rate; those repositories are measured again a little later
// instead of showing as failed at once.
function retryLater(arn: string): boolean {
  const tries = throttled.get(arn) ?? 0;
  if (tries >= THROTTLE_RETRIES) return false;
  throttled.set(arn, tries + 1);
  retrying.add(arn);
  const at = session.same();
  setTimeout(() => {
    if (!at.current) return;
    retrying.delete(arn);
    enqueue([arn], false);
  }, THROTTLE_PAUSE_MS * (tries + 1));
  return true;
}

/** Drops a repository from the list at once (deleted here, or found gone). */
export function removeRepository(name: string): void {
  const gone = list?.repositories.find((r) => r.name === name);
  if (!list || !gone) return;
  list = { ...list, repositories: list.repositories.filter((r) => r.name !== name) };
  usage.delete(gone.arn);
  queue = queue.filter((a) => a !== gone.arn);
  pending.delete(gone.arn);
}

/** Adds (or replaces) a repository just made, keeping the list sorted by name. */
export function addRepository(repository: RepositorySummary, measured?: RepositoryUsage): void {
  if (list) {
    const others = list.repositories.filter((r) => r.name !== repository.name);
    const at = others.findIndex((r) => r.name > repository.name);
    others.splice(at === -1 ? others.length : at, 0, repository);
    list = { ...list, repositories: others };
  }
  if (measured) usage.set(repository.arn, measured);
}

/** Changes what is known of one repository's contents (after deleting some of its images). */
export function setUsage(arn: string, measured: RepositoryUsage): void {
  usage.set(arn, measured);
}

/** Forgets everything (tests, and a change of account or region). */
export function resetRepositories(): void {
  session.drop();
  reads.drop();
  list = null;
  error = null;
  loading = false;
  usage.clear();
  queue = [];
  pending.clear();
  measuringNow.clear();
  throttled.clear();
  retrying.clear();
  inFlight = 0;
}
