// The Launch form's rules, checked as the user types. The backend checks them all again (and
// more) before any AWS call; these only make the feedback immediate.
import type { BerthError } from '../../ipc/types';

function invalid(field: string, rule: string, params: Record<string, string> = {}): BerthError {
  return { kind: 'invalidInput', params: { field, rule, ...params }, details: null };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The problem with variable `index`'s name, if any (an all-empty row is just unused). */
export function envNameError(names: string[], index: number, value: string): BerthError | null {
  const name = names[index].trim();
  if (name === '') return value === '' ? null : invalid('envName', 'required');
  if (!ENV_NAME.test(name)) return invalid('envName', 'characters', { name });
  if (name.startsWith('ECS_') || name.startsWith('AWS_CONTAINER_')) return invalid('envName', 'reserved', { name });
  if (names.slice(0, index).some((n) => n.trim() === name)) return invalid('envName', 'duplicate', { name });
  return null;
}

export function portError(port: number | null): BerthError | null {
  if (port === null || !Number.isInteger(port) || port < 1 || port > 65535) return invalid('port', 'range');
  return null;
}

export function cidrError(cidr: string): BerthError | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) return invalid('cidr', 'format');
  return null;
}

const APP = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
export const APP_MAX = 32;

export function appError(app: string): BerthError | null {
  const name = app.trim();
  if (name === '') return invalid('app', 'required');
  if (name.length > APP_MAX) return invalid('app', 'tooLong', { max: String(APP_MAX) });
  if (!APP.test(name)) return invalid('app', 'characters');
  return null;
}

/**
 * A valid app name close to `app` when the fix is obvious ("My App" → "my-app": lower case, every
 * run of other characters one hyphen, none at the ends, at most APP_MAX long), or null.
 */
export function appSuggestion(app: string): string | null {
  if (appError(app) === null) return null;
  const fixed = app
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, APP_MAX)
    .replace(/^-+|-+$/g, '');
  return fixed !== '' && appError(fixed) === null ? fixed : null;
}

/** Berth's limits for a service that scales itself (core: `choices::validate_scaling`). */
export const SCALING_MAX_TASKS = 10;
export const CPU_TARGET_MIN = 10;
export const CPU_TARGET_MAX = 90;
export const DEFAULT_SCALING = { min: 1, max: 3, cpuTarget: 60 } as const;

type ScalingField = 'scalingMin' | 'scalingMax' | 'scalingCpu';

/** The problems of a scaling choice, by field (none when it is fine). */
export function scalingErrors(s: { min: number; max: number; cpuTarget: number }): Partial<Record<ScalingField, BerthError>> {
  const errors: Partial<Record<ScalingField, BerthError>> = {};
  const whole = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
  if (!whole(s.min) || s.min < 1) errors.scalingMin = invalid('scalingMin', 'atLeastOne');
  if (!whole(s.max) || s.max > SCALING_MAX_TASKS || s.max < 1)
    errors.scalingMax = invalid('scalingMax', 'range', { max: String(SCALING_MAX_TASKS) });
  else if (whole(s.min) && s.min > s.max) errors.scalingMax = invalid('scalingMax', 'belowMin', { min: String(s.min) });
  if (!whole(s.cpuTarget) || s.cpuTarget < CPU_TARGET_MIN || s.cpuTarget > CPU_TARGET_MAX)
    errors.scalingCpu = invalid('scalingCpu', 'range', { min: String(CPU_TARGET_MIN), max: String(CPU_TARGET_MAX) });
  return errors;
}
