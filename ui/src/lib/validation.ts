import type { BerthError } from '../ipc/types';
import { hasMessage, type MessageKey } from './i18n/index.svelte';

/** The form field an `invalidInput` error names, or null for any other error. */
export function invalidField(error: BerthError | null | undefined): string | null {
  if (!error || error.kind !== 'invalidInput') return null;
  return error.params.field ?? null;
}

/** The catalog key `validation.{field}.{rule}` that explains an `invalidInput` error, if there is one. */
export function validationKey(error: BerthError | null | undefined): MessageKey | null {
  if (!error || error.kind !== 'invalidInput') return null;
  const key = `validation.${error.params.field}.${error.params.rule}`;
  return hasMessage(key) ? key : null;
}

/** An aria-describedby value from the ids that apply; undefined when none does. */
export function describedBy(...ids: (string | false | null | undefined)[]): string | undefined {
  const list = ids.filter((id): id is string => typeof id === 'string' && id !== '');
  return list.length > 0 ? list.join(' ') : undefined;
}
