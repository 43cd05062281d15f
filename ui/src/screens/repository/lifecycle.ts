// The cleanup rule as the forms edit it: each part can be switched off, and its number is kept as
// typed (so a half-typed number is not lost) and checked before anything is sent.
import type { BerthError, LifecycleRule, LifecycleSummary } from '../../ipc/types';
import { t, tn } from '../../lib/i18n/index.svelte';

// The same limits as src-tauri/core/src/ecr_lifecycle.rs, which checks again before any call.
export const KEEP_LAST_RANGE = [1, 10_000] as const;
export const UNTAGGED_DAYS_RANGE = [1, 3650] as const;

export type LifecycleField = 'keepLast' | 'untaggedDays';
// `value` is what the number field holds: null while it is empty.
export type LifecycleDraft = Record<LifecycleField, { on: boolean; value: number | null }>;

/** What a new repository gets: keep the newest 10 images, delete untagged ones after a week. */
export function defaultDraft(): LifecycleDraft {
  return { keepLast: { on: true, value: 10 }, untaggedDays: { on: true, value: 7 } };
}

/** The rule the draft describes, or the first field whose number is out of range. */
export function ruleOf(draft: LifecycleDraft): { rule: LifecycleRule } | { field: LifecycleField; error: BerthError } {
  const out: LifecycleRule = { keepLast: null, untaggedDays: null };
  for (const [field, [min, max]] of [
    ['keepLast', KEEP_LAST_RANGE],
    ['untaggedDays', UNTAGGED_DAYS_RANGE],
  ] as const) {
    if (!draft[field].on) continue;
    const n = draft[field].value;
    if (n === null || !Number.isInteger(n) || n < min || n > max) {
      return {
        field,
        error: { kind: 'invalidInput', params: { field, rule: 'range', min: String(min), max: String(max) }, details: null },
      };
    }
    out[field] = n;
  }
  return { rule: out };
}

/** One sentence for a repository's cleanup rule (or its absence). */
export function lifecycleText(summary: LifecycleSummary | null): string {
  if (summary === null) return t('repositories.lifecycle.none');
  const { keepLast, untaggedDays, otherRules } = summary;
  let text: string;
  if (keepLast !== null && untaggedDays !== null) {
    text = tn('repositories.lifecycle.both', keepLast, { days: tn('common.units.days', untaggedDays) });
  } else if (keepLast !== null) {
    text = tn('repositories.lifecycle.keepLast', keepLast);
  } else if (untaggedDays !== null) {
    text = t('repositories.lifecycle.untagged', { days: tn('common.units.days', untaggedDays) });
  } else {
    text = t('repositories.lifecycle.custom');
  }
  if (otherRules > 0 && (keepLast !== null || untaggedDays !== null)) {
    text += ` ${tn('repositories.lifecycle.others', otherRules)}`;
  }
  return text;
}
