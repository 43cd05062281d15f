// Numbers as the Launch page shows them, in the current language.
import { language } from '../../lib/i18n/index.svelte';

/** CPU units as vCPU: 256 → "0.25". */
export function vcpu(cpu: number): string {
  return new Intl.NumberFormat(language(), { maximumFractionDigits: 2 }).format(cpu / 1024);
}

/** MiB as Fargate's GB: 512 → "0.5". */
export function gb(memory: number): string {
  return new Intl.NumberFormat(language(), { maximumFractionDigits: 2 }).format(memory / 1024);
}

/** US dollars; small amounts (per hour) keep more digits so they don't all read $0.01. */
export function usd(value: number, small = false): string {
  return new Intl.NumberFormat(language(), {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: small ? 4 : 2,
    maximumFractionDigits: small ? 4 : 2,
  }).format(value);
}

/** An ISO date (2026-11-01) in the current language. */
export function isoDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}
