// How sizes, prices and dates read in the repository screens, in the current language.
import { language, t } from '../../lib/i18n/index.svelte';

// ECR bills per GB of 2^30 bytes (see core/src/pricing.rs); sizes use the same units.
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** `212 MB`, `1.3 GB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  const number = new Intl.NumberFormat(language(), { maximumFractionDigits: digits }).format(value);
  return `${number} ${UNITS[unit]}`;
}

/** A monthly cost in USD: `$0.12`, or `< $0.01` for a tiny non-zero amount. */
export function formatUsd(amount: number): string {
  const format = new Intl.NumberFormat(language(), {
    style: 'currency',
    currency: 'USD',
    currencyDisplay: 'narrowSymbol',
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  if (amount > 0 && amount < 0.005) return `< ${format.format(0.01)}`;
  return format.format(amount);
}

/** A monthly cost inside a sentence: `about $0.12`, `under $0.01`, `$0.00`. */
export function approxUsd(amount: number): string {
  if (amount > 0 && amount < 0.005) return t('repositories.underCent', { amount: formatUsd(0.01) });
  if (amount === 0) return formatUsd(0);
  return t('repositories.approx', { amount: formatUsd(amount) });
}

/** A whole number with grouping: `2,345`. */
export function formatCount(n: number): string {
  return new Intl.NumberFormat(language()).format(n);
}

/** A date without the time: `Nov 25, 2026`. */
export function formatDate(ms: number): string {
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium' }).format(new Date(ms));
}

/** `sha256:3f2a9c…d41e`: enough to tell images apart. */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.includes(':') ? digest.split(':', 2) : ['', digest];
  if (hex.length <= 16) return digest;
  return `${algorithm ? `${algorithm}:` : ''}${hex.slice(0, 12)}…${hex.slice(-4)}`;
}
