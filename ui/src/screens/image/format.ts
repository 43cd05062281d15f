// Sizes, speeds and durations as the Image step shows them, in the current language.
import { language } from '../../lib/i18n/index.svelte';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** 20_100_000 → "20.1 MB" (decimal units, like the docker CLI). */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const number = new Intl.NumberFormat(language(), { maximumFractionDigits: digits });
  return `${number.format(value)} ${UNITS[unit]}`;
}

/** 200 → "3 min 20 sec" / "3분 20초". */
export function formatDuration(seconds: number): string {
  const total = Math.max(1, Math.round(seconds));
  const unit = (value: number, name: 'hour' | 'minute' | 'second') =>
    new Intl.NumberFormat(language(), { style: 'unit', unit: name, unitDisplay: 'short' }).format(value);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return [unit(h, 'hour'), m > 0 ? unit(m, 'minute') : ''].filter(Boolean).join(' ');
  if (m > 0) return [unit(m, 'minute'), s > 0 ? unit(s, 'second') : ''].filter(Boolean).join(' ');
  return unit(s, 'second');
}

/** "sha256:0123456789abcdef…" → "0123456789ab". */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** A whole number in the current language ("1,234"). */
export function formatCount(n: number): string {
  return new Intl.NumberFormat(language()).format(n);
}

/** A date (seconds since the epoch) in the current language. */
export function formatDate(seconds: number): string {
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium' }).format(new Date(seconds * 1000));
}
