// The activity log as the window sees it: loaded once, then kept current by the backend's channel.
import { listActivity, watchActivity } from '../ipc/commands';
import type { ActivityEntry } from '../ipc/types';

const MAX_SHOWN = 500;

let entries = $state<ActivityEntry[]>([]);
let started = false;

export const activity = {
  /** Oldest first. */
  get entries(): ActivityEntry[] {
    return entries;
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
    // Watch first, so nothing recorded between the two calls is missed (add() skips duplicates).
    await watchActivity(add);
    const loaded = await listActivity();
    const known = new Set(loaded.map((e) => e.id));
    entries = [...loaded, ...entries.filter((e) => !known.has(e.id))].slice(-MAX_SHOWN);
  } catch {
    // The log is a convenience: the app works without it, and the Activity page can retry.
    started = false;
  }
}

/** The most recent entry whose action is `action` (screens show it as "the command for this"). */
export function lastCommand(action: string): ActivityEntry | null {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].action === action) return entries[i];
  return null;
}

export function clearEntries(): void {
  entries = [];
}

/** Tests start from a clean state with it. */
export function resetActivity(): void {
  entries = [];
  started = false;
}
