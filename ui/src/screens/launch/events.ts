// Reading a launch job's events, for the launch timeline and a roll back's progress (Revisions),
// which follow the same kind of job.
import type { AfterStop, LaunchEvent } from '../../ipc/types';
import { t } from '../../lib/i18n/index.svelte';

export type EventOf<E extends LaunchEvent['event']> = Extract<LaunchEvent, { event: E }>;

/** Every event of one kind, in order. */
export function eventsOf<E extends LaunchEvent['event']>(events: LaunchEvent[], kind: E): EventOf<E>[] {
  return events.filter((e): e is EventOf<E> => e.event === kind);
}

/** The newest event of one kind (a service's or a stop's latest word replaces the earlier). */
export function lastOf<E extends LaunchEvent['event']>(events: LaunchEvent[], kind: E): EventOf<E> | null {
  return eventsOf(events, kind).at(-1) ?? null;
}

/** Each task seen, in the order it first showed, with its latest status. */
export function taskStates(events: LaunchEvent[]): { taskId: string; status: string }[] {
  const latest = new Map<string, string>();
  for (const e of events) if (e.event === 'task') latest.set(e.taskId, e.lastStatus);
  return [...latest.entries()].map(([taskId, status]) => ({ taskId, status }));
}

/** What ECS did after a task stopped (started another, rolled back…), in words. */
export function afterStopText(then: AfterStop): string {
  if (then.kind === 'rolledBack') return t('launch.timeline.afterStop.rolledBack', { taskDefinition: then.taskDefinition });
  return t(`launch.timeline.afterStop.${then.kind}`);
}
