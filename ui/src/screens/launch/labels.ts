// Catalog keys for the values the backend sends (resource kinds, outcomes, causes...).
import type { KeepReason, Outcome, PlanAction, ResourceKind, StopCause, TeardownAction } from '../../ipc/types';
import { hasMessage, t } from '../../lib/i18n/index.svelte';

export function resourceLabel(kind: ResourceKind): string {
  return t(`launch.resources.${kind}`);
}

export function actionLabel(action: PlanAction): string {
  return t(`launch.plan.action.${action}`);
}

export function outcomeLabel(outcome: Outcome): string {
  return t(`launch.timeline.outcome.${outcome}`);
}

export function teardownActionLabel(action: TeardownAction): string {
  return t(`launch.teardown.action.${action}`);
}

export function keepReasonLabel(reason: KeepReason): string {
  return t(`launch.teardown.reason.${reason}`);
}

/** A task lifecycle status in words (ECS's own name when Berth has none). */
export function taskStatusLabel(status: string): string {
  const key = `launch.timeline.states.${status}`;
  return hasMessage(key) ? t(key) : status;
}

export type CauseText = { title: string; what: string; fix: string };

export function causeText(cause: StopCause, params: Record<string, string>): CauseText {
  return {
    title: t(`launch.causes.${cause}.title`, params),
    what: t(`launch.causes.${cause}.what`, params),
    fix: t(`launch.causes.${cause}.fix`, params),
  };
}
