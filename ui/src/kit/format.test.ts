import { afterEach, describe, expect, test } from 'vitest';
import { setLanguage } from '../lib/i18n/index.svelte';
import { resetLanguage } from '../test/fixtures';
import {
  approxMoney,
  formatBytes,
  formatCount,
  formatDate,
  formatDateTime,
  formatDuration,
  formatIsoDate,
  formatMoney,
  formatNumber,
  formatPercent,
  formatRelative,
  formatSpeed,
} from './format';

afterEach(resetLanguage);

describe('bytes', () => {
  test('are written in decimal SI units, one decimal below 100, as docker writes them', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(696)).toBe('696 B');
    expect(formatBytes(1_470)).toBe('1.5 kB');
    expect(formatBytes(16_900)).toBe('16.9 kB');
    expect(formatBytes(20_600_000)).toBe('20.6 MB');
    expect(formatBytes(182_000_000)).toBe('182 MB');
    expect(formatBytes(1_200_000_000)).toBe('1.2 GB');
    expect(formatBytes(3_500_000_000_000)).toBe('3.5 TB');
  });

  test('a value that would round up to 1,000 of a unit is the next unit', () => {
    expect(formatBytes(999_700)).toBe('1 MB');
    expect(formatBytes(999_400)).toBe('999 kB');
  });

  test('binary amounts are not relabelled: 10 MiB is 10.5 MB', () => {
    expect(formatBytes(10 * 1024 * 1024)).toBe('10.5 MB');
    expect(formatBytes(1024 ** 3)).toBe('1.1 GB');
  });

  test('nothing below zero, and speeds per second', () => {
    expect(formatBytes(-5)).toBe('0 B');
    expect(formatSpeed(2_500_000)).toBe('2.5 MB/s');
  });

  test('the number follows the language, the unit symbol does not', () => {
    setLanguage('ko');
    expect(formatBytes(1_234_000_000_000_000)).toBe('1,234 TB');
    expect(formatBytes(20_600_000)).toBe('20.6 MB');
  });
});

describe('money', () => {
  test('is US dollars with "$" in both languages, never "US$"', () => {
    expect(formatMoney(12.66)).toBe('$12.66');
    setLanguage('ko');
    expect(formatMoney(12.66)).toBe('$12.66');
    expect(formatMoney(0.0173, 'rate')).toBe('$0.0173');
    expect(approxMoney(0.06)).toBe('약 $0.06');
    for (const amount of [0, 0.004, 0.06, 21.67, 1234.5]) {
      expect(formatMoney(amount)).not.toContain('US');
      expect(formatMoney(amount, 'rate')).not.toContain('US');
    }
  });

  test('rounds to cents; a non-zero amount under half a cent is "< $0.01", never "$0.00"', () => {
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney(0.004)).toBe('< $0.01');
    expect(formatMoney(0.1)).toBe('$0.10');
    expect(formatMoney(1234.5)).toBe('$1,234.50');
  });

  test('a price per hour keeps four decimals under ten cents', () => {
    expect(formatMoney(0.0297, 'rate')).toBe('$0.0297');
    expect(formatMoney(0.005, 'rate')).toBe('$0.0050');
    expect(formatMoney(0.297, 'rate')).toBe('$0.30');
    expect(formatMoney(0, 'rate')).toBe('$0.00');
  });

  test('inside a sentence: about, under a cent, or exactly nothing', () => {
    expect(approxMoney(0.06)).toBe('about $0.06');
    expect(approxMoney(0.001)).toBe('under $0.01');
    expect(approxMoney(0)).toBe('$0.00');
  });
});

describe('numbers', () => {
  test('are grouped the language’s way', () => {
    expect(formatCount(40_000)).toBe('40,000');
    expect(formatNumber(0.25)).toBe('0.25');
    expect(formatNumber(2)).toBe('2');
    expect(formatNumber(1 / 3)).toBe('0.33');
    expect(formatPercent(42.46)).toBe('42.5%');
    setLanguage('ko');
    expect(formatCount(1234)).toBe('1,234');
  });
});

describe('dates', () => {
  const at = Date.UTC(2026, 10, 25, 12, 0, 0);

  test('a day and a day with its time, in the chosen language', () => {
    expect(formatDate(at)).toBe('Nov 25, 2026');
    expect(formatDate(new Date(at))).toBe('Nov 25, 2026');
    expect(formatDateTime(at)).toMatch(/^Nov 25, 2026, \d{1,2}:\d{2}\s?[AP]M$/);
    setLanguage('ko');
    expect(formatDate(at)).toBe('2026. 11. 25.');
  });

  test('a date the backend sends as yyyy-mm-dd is that day in every time zone', () => {
    expect(formatIsoDate('2026-11-01')).toBe('Nov 1, 2026');
    expect(formatIsoDate('not a date')).toBe('not a date');
    setLanguage('ko');
    expect(formatIsoDate('2026-11-01')).toBe('2026. 11. 1.');
  });

  test('relative times, in the largest unit', () => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0);
    expect(formatRelative(now - 3 * 3600_000 - 20 * 60_000, now)).toBe('3 hours ago');
    expect(formatRelative(now - 86400_000, now)).toBe('yesterday');
    expect(formatRelative(now - 20_000, now)).toBe('20 seconds ago');
    expect(formatRelative(now + 120_000, now)).toBe('in 2 minutes');
    setLanguage('ko');
    expect(formatRelative(now - 3 * 3600_000, now)).toBe('3시간 전');
  });
});

describe('durations', () => {
  test('two largest units, short', () => {
    expect(formatDuration(45)).toBe('45 sec');
    expect(formatDuration(200)).toBe('3 min 20 sec');
    expect(formatDuration(180)).toBe('3 min');
    expect(formatDuration(2 * 3600 + 5 * 60 + 9)).toBe('2 hr 5 min');
    expect(formatDuration(3 * 86400 + 4 * 3600)).toBe('3 days 4 hr');
    expect(formatDuration(-3)).toBe('0 sec');
  });

  test('long units for settings and sentences, with plurals', () => {
    expect(formatDuration(10, 'long')).toBe('10 seconds');
    expect(formatDuration(60, 'long')).toBe('1 minute');
    expect(formatDuration(120, 'long')).toBe('2 minutes');
  });

  test('in Korean', () => {
    setLanguage('ko');
    expect(formatDuration(200)).toBe('3분 20초');
    expect(formatDuration(3 * 86400 + 4 * 3600)).toBe('3일 4시간');
  });
});
