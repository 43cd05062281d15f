// The activity log as the window sees it: loaded once, then kept current by the app-wide
// `activity` job, which streams each new entry (a change). Reads (listing repositories, looking up
// a role…) are not entries: the backend tallies them, and `refreshActivity` reads the tally again.
import { listActivity } from '../ipc/commands';
import { JobWatch, findJob } from '../ipc/jobs';
import type { ActivityEntry, ReadTally } from '../ipc/types';

const MAX_SHOWN = 500;
/** The window's one listener on the activity feed (a reload drops it; it attaches again). */
const WATCHER = 'activity-log';

let entries = $state<ActivityEntry[]>([]);
let reads = $state<ReadTally[]>([]);
let started = false;
let feed: JobWatch | null = null;

export const activity = {
  /** What the user did and what changed, oldest first. */
  get entries(): ActivityEntry[] {
    return entries;
  },
  /** Each read of an action and target with how often it ran, newest last. */
  get reads(): ReadTally[] {
    return reads;
  },
};

function add(entry: ActivityEntry): void {
  if (entries.some((e) => e.id === entry.id)) return;
  entries = [...entries, entry].slice(-MAX_SHOWN);
}

/** Loads the log and follows new entries; later calls do nothing. */
export async function startActivity(): Promise<void> {
  if (started) return;
  started = true;
  try {
    // Follow first, so nothing recorded between the two calls is missed (add() skips duplicates).
    const job = await findJob('activity');
    if (job) {
      feed = new JobWatch(WATCHER);
      await feed.follow(job.id, (event) => {
        if (event.type === 'activity') add(event.event);
      });
    }
    await refreshActivity();
  } catch {
    // The log is a convenience: the app works without it, and the Activity page can retry.
    feed?.close();
    feed = null;
    started = false;
  }
}

/** Reads the log again: the entries (merged with those streamed meanwhile) and the read tally. */
export async function refreshActivity(): Promise<void> {
  const view = await listActivity();
  const known = new Set(view.entries.map((e) => e.id));
  entries = [...view.entries, ...entries.filter((e) => !known.has(e.id))].slice(-MAX_SHOWN);
  reads = view.reads;
}

/** The most recent change or read of `action` (on `target`, when given): screens show its
 * command as "the command for this". */
export function lastCommand(action: string, target?: string): ActivityEntry | null {
  const fits = (e: ActivityEntry) => e.action === action && (target === undefined || e.target === target);
  let found: ActivityEntry | null = null;
  for (let i = entries.length - 1; i >= 0 && found === null; i--) if (fits(entries[i])) found = entries[i];
  for (const read of reads) {
    if (fits(read.last) && (found === null || read.last.at > found.at)) found = read.last;
  }
  return found;
}

export function clearEntries(): void {
  entries = [];
}

/** Tests start from a clean state with it. */
export function resetActivity(): void {
  feed?.close();
  feed = null;
  entries = [];
  reads = [];
  started = false;
}
