import en from './en.json';
import ko from './ko.json';

/** The shape every catalog has; `en` is the reference. */
export type Catalog = typeof en;

// Compile-time check that ko has every key of en (the parity test checks the other direction).
const koCatalog: Catalog = ko;

export const LANGUAGES = ['en', 'ko'] as const;
export type Language = (typeof LANGUAGES)[number];

export const catalogs: Record<Language, Catalog> = { en, ko: koCatalog };

export const STORAGE_KEY = 'berth.language';

/** Dotted paths to every string in the catalog, e.g. `"pages.account.title"`. */
type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];
export type MessageKey = Leaves<Catalog>;

/** A message with a form per plural category (`one`, `other`, …), picked with `tn`. */
type PluralNode = { one: string; other: string };
/** Dotted paths to the plural messages, e.g. `"iam.checklist.actionsToggle"`. */
type PluralLeaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends PluralNode
    ? `${P}${K}`
    : T[K] extends string
      ? never
      : PluralLeaves<T[K], `${P}${K}.`>;
}[keyof T & string];
export type PluralKey = PluralLeaves<Catalog>;

export type Params = Readonly<Record<string, string | number | null | undefined>>;

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The language to start in: the saved choice, else Korean for a `ko*` system language, else English. */
export function detectLanguage(saved: string | null, systemLanguage: string | undefined): Language {
  if (isLanguage(saved)) return saved;
  return systemLanguage?.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

function readSaved(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

const initial = detectLanguage(readSaved(), globalThis.navigator?.language);
let current = $state<Language>(initial);
applyToDocument(initial);

function applyToDocument(language: Language): void {
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}

/** The current language (reactive). */
export function language(): Language {
  return current;
}

/** Switches every visible string at once and remembers the choice. */
export function setLanguage(next: Language): void {
  current = next;
  applyToDocument(next);
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Storage can be unavailable (private mode); the choice then lasts for this session only.
  }
}

function lookup(catalog: Catalog, key: string): string | undefined {
  let node: unknown = catalog;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** Whether a (possibly computed) key names a string in the catalogs. */
export function hasMessage(key: string): key is MessageKey {
  return lookup(catalogs.en, key) !== undefined;
}

/** Replaces `{name}` with `params.name`; unknown placeholders are left as they are. */
export function interpolate(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined || value === null ? whole : String(value);
  });
}

function template(key: MessageKey): string {
  return lookup(catalogs[current], key) ?? lookup(catalogs.en, key) ?? key;
}

/** The message for `key` in the current language, with `{placeholders}` filled from `params`. */
export function t(key: MessageKey, params?: Params): string {
  return interpolate(template(key), params);
}

/**
 * The form of the plural message `key` for `count` things in the current language, as chosen by
 * `Intl.PluralRules` ("1 action", "2 actions"; Korean has one form). A form the catalog lacks
 * falls back to `other`. For `tParts` and `RichText`, which take a key.
 */
export function pluralKey(key: PluralKey, count: number): MessageKey {
  const form = `${key}.${new Intl.PluralRules(current).select(count)}`;
  return (lookup(catalogs[current], form) !== undefined ? form : `${key}.other`) as MessageKey;
}

/** The plural message `key` for `count` things, with `{count}` written the language's way ("1,234"). */
export function tn(key: PluralKey, count: number, params?: Params): string {
  return t(pluralKey(key, count), { count: new Intl.NumberFormat(current).format(count), ...params });
}

export type TextPart = { text: string; code: boolean };

/**
 * Like `t`, but split on backticks: text between backticks is a command or path to show as code.
 * Placeholders are filled after splitting, so a parameter value never changes the formatting.
 */
export function tParts(key: MessageKey, params?: Params): TextPart[] {
  return splitCode(template(key), params);
}

/** Like `tParts`, one list of parts per paragraph: a line break in a message starts a new paragraph. */
export function tParagraphs(key: MessageKey, params?: Params): TextPart[][] {
  return template(key)
    .split('\n')
    .map((line) => splitCode(line, params))
    .filter((parts) => parts.length > 0);
}

function splitCode(text: string, params?: Params): TextPart[] {
  return text
    .split('`')
    .map((part, i) => ({ text: interpolate(part, params), code: i % 2 === 1 }))
    .filter((part) => part.text !== '');
}

