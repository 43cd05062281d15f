import { describe, expect, test } from 'vitest';

// The kit is the one place that formats numbers, money, sizes and dates, copies to the clipboard
// and draws a spinner. A screen that does it by itself again brings back the two sizes for one
// image and the "US$" on one page and "$" on the next that issue 18 found.
const sources = import.meta.glob(['../**/*.svelte', '../**/*.ts', '!../**/*.test.ts', '!../kit/**', '!../ipc/**'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

const OWNED: [string, RegExp][] = [
  ['number, money and date formatting (kit/format.ts)', /new Intl\.(?:NumberFormat|DateTimeFormat|RelativeTimeFormat)\(|\.toFixed\(|toLocale(?:String|DateString|TimeString)\(/],
  ['the clipboard (kit/clipboard.ts)', /navigator\.clipboard|execCommand\(/],
  ['the spinner (kit/Spinner.svelte)', /@keyframes\s+spin\b/],
  ['the modal dialog (kit/ModalDialog.svelte)', /\.showModal\(\)/],
];

// i18n counts plural forms with Intl (it cannot import the kit, which imports it); the locale
// guard only checks that the system's language tag is usable.
const ALLOWED = new Set(['../lib/i18n/index.svelte.ts', '../lib/locale-guard.ts']);

describe('the kit owns', () => {
  test('the sources were found', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    expect(Object.keys(sources)).toContain('../screens/Repositories.svelte');
  });

  test.each(OWNED)('%s: no screen does it by itself', (_, pattern) => {
    const offenders = Object.entries(sources)
      .filter(([path, text]) => !ALLOWED.has(path) && pattern.test(text))
      .map(([path]) => path);
    expect(offenders).toEqual([]);
  });
});
