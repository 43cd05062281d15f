// How every screen writes numbers, sizes, money, dates and durations: through `Intl`, in the
// language the user chose (not the system's), and the same way everywhere, so one image or one
// price never reads two ways on two pages.
import { language, t } from '../lib/i18n/index.svelte';

// Intl formatters are slow to make and tables format thousands of values: one per language and
// set of options.
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function numberFormat(options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${language()}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(language(), options);
    numberFormats.set(key, format);
  }
  return format;
}

function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${language()}|${JSON.stringify(options)}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(language(), options);
    dateFormats.set(key, format);
  }
  return format;
}

/** A whole number with the language's grouping: `2,345`. */
export function formatCount(n: number): string {
  return numberFormat().format(n);
}

/** A number with at most `digits` decimals: `0.25`, `1.5`, `2`. */
export function formatNumber(n: number, digits = 2): string {
  return numberFormat({ maximumFractionDigits: digits }).format(n);
}

/** A percentage of 0–100 with one decimal: `42.5%`. */
export function formatPercent(value: number): string {
  return numberFormat({ style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value / 100);
}

// Bytes are written in decimal SI units (1 kB = 1000 B, 1 MB = 1000 kB), the way the docker CLI
// and Docker Desktop write image sizes and registries report layer sizes, so a number here matches
// what the user sees in their terminal. The unit symbols are the same in every language.
const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/** `696 B`, `1.5 kB`, `20.6 MB`, `182 MB`, `1.2 GB`: one decimal below 100, none above. */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  let digits = unit === 0 || value >= 100 ? 0 : 1;
  // 999.7 kB would round to "1,000 kB": that is the next unit.
  if (unit > 0 && unit < BYTE_UNITS.length - 1 && Number(value.toFixed(digits)) >= 1000) {
    value /= 1000;
    unit++;
    digits = 1;
  }
  return `${formatNumber(value, digits)} ${BYTE_UNITS[unit]}`;
}

/** Bytes per second: `2.5 MB/s`. */
export function formatSpeed(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

export type MoneyPrecision = 'cents' | 'rate';

/**
 * US dollars, written with the same "$" in every language (`narrowSymbol`: Korean would otherwise
 * write "US$"). `cents` (the default) rounds to cents, and a non-zero amount under half a cent reads
 * `< $0.01`, never `$0.00`. `rate` is for prices per hour: under ten cents it keeps four decimals
 * (`$0.0173`), which would otherwise all read $0.01 or $0.02.
 */
export function formatMoney(amount: number, precision: MoneyPrecision = 'cents'): string {
  const fine = precision === 'rate' && amount !== 0 && Math.abs(amount) < 0.1;
  const format = numberFormat({
    style: 'currency',
    currency: 'USD',
    currencyDisplay: 'narrowSymbol',
    minimumFractionDigits: fine ? 4 : 2,
    maximumFractionDigits: fine ? 4 : 2,
  });
  if (!fine && amount > 0 && amount < 0.005) return `< ${format.format(0.01)}`;
  return format.format(amount);
}

/** A rounded amount inside a sentence: `about $0.12`, `under $0.01`, `$0.00`. */
export function approxMoney(amount: number): string {
  if (amount > 0 && amount < 0.005) return t('common.money.under', { amount: formatMoney(0.01) });
  if (amount === 0) return formatMoney(0);
  return t('common.money.about', { amount: formatMoney(amount) });
}

type DateLike = Date | number;

function toDate(value: DateLike): Date {
  return value instanceof Date ? value : new Date(value);
}

/** A day: `Nov 25, 2026` / `2026. 11. 25.` (a Date, or milliseconds since the epoch). */
export function formatDate(value: DateLike): string {
  return dateFormat({ dateStyle: 'medium' }).format(toDate(value));
}

/** A day and a time: `Nov 25, 2026, 9:57 PM`. */
export function formatDateTime(value: DateLike): string {
  return dateFormat({ dateStyle: 'medium', timeStyle: 'short' }).format(toDate(value));
}

/** A time of day with seconds: `9:57:31 PM`. */
export function formatTime(value: DateLike): string {
  return dateFormat({ timeStyle: 'medium' }).format(toDate(value));
}

/**
 * A calendar date the backend sends as `2026-11-01` (price lists "as of"), as a day in the
 * current language; it is the same day everywhere, whatever the time zone.
 */
export function formatIsoDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return dateFormat({ dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

type DurationUnit = 'day' | 'hour' | 'minute' | 'second';

function unit(value: number, name: DurationUnit, display: 'short' | 'long'): string {
  return numberFormat({ style: 'unit', unit: name, unitDisplay: display }).format(value);
}

/**
 * A length of time in its two largest units: `3 days 4 hr`, `2 hr 5 min`, `3 min 20 sec`,
 * `45 sec` (`3일 4시간`, `45초`). `long` writes the units out (`1 minute`, `10 seconds`).
 */
export function formatDuration(seconds: number, display: 'short' | 'long' = 'short'): string {
  const total = Math.max(0, Math.round(seconds));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts: [number, DurationUnit][] =
    d > 0
      ? [
          [d, 'day'],
          [h, 'hour'],
        ]
      : h > 0
        ? [
            [h, 'hour'],
            [m, 'minute'],
          ]
        : m > 0
          ? [
              [m, 'minute'],
              [s, 'second'],
            ]
          : [[s, 'second']];
  return parts
    .filter(([value], i) => i === 0 || value > 0)
    .map(([value, name]) => unit(value, name, display))
    .join(' ');
}

const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** How long ago (or how soon) `then` is from `now`, in its largest unit: `3 hours ago`, `3시간 전`, `in 2 min`. */
export function formatRelative(then: DateLike, now: DateLike = Date.now()): string {
  const seconds = (toDate(then).getTime() - toDate(now).getTime()) / 1000;
  const format = new Intl.RelativeTimeFormat(language(), { numeric: 'auto' });
  for (const [name, size] of RELATIVE_STEPS) {
    if (Math.abs(seconds) >= size || name === 'second') return format.format(Math.trunc(seconds / size), name);
  }
  return format.format(0, 'second');
}
