import type { BerthError } from './bindings/BerthError';
import type { ErrorKind } from './bindings/ErrorKind';
import { ALL_ERROR_KINDS } from './errorKinds';

export { ALL_ERROR_KINDS } from './errorKinds';

export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === 'string' && (ALL_ERROR_KINDS as readonly string[]).includes(value);
}

/** Whether a value has the shape of a BerthError sent by the backend. */
export function isBerthError(value: unknown): value is BerthError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.kind === 'string' &&
    typeof v.params === 'object' &&
    v.params !== null &&
    (v.details === null || typeof v.details === 'string')
  );
}

/** Any rejection as a BerthError: a BerthError stays as it is, anything else becomes `internal`. */
export function toBerthError(reason: unknown): BerthError {
  if (isBerthError(reason)) return reason;
  let details: string;
  if (reason instanceof Error) details = reason.message || reason.name;
  else if (typeof reason === 'string') details = reason;
  else {
    try {
      details = JSON.stringify(reason) ?? String(reason);
    } catch {
      details = String(reason);
    }
  }
  return { kind: 'internal', params: {}, details };
}
