// The user's preferences, shared by the Settings view and the frame: the theme is applied to the
// document, and the window's language is kept in step with the backend (which words the tray and
// the notifications itself).
import { getPreferences, updatePreferences } from '../ipc/commands';
import { toBerthError } from '../ipc/errors';
import type { Preferences, Theme } from '../ipc/types';
import { isLanguage, language, setLanguage } from './i18n/index.svelte';
import type { Loaded } from './loaded';

let current = $state<Preferences | null>(null);

export const preferences = {
  /** The last preferences from the backend, or null before the first answer. */
  get value(): Preferences | null {
    return current;
  },
};

/** Shows `theme`: "system" follows the operating system's light or dark mode. */
export function applyTheme(theme: Theme): void {
  if (typeof document === 'undefined') return;
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

function adopt(next: Preferences): void {
  current = next;
  applyTheme(next.theme);
}

/** Reads the preferences and applies the theme. */
export async function loadPreferences(): Promise<Loaded<Preferences>> {
  try {
    const value = await getPreferences();
    adopt(value);
    return { ok: true, value };
  } catch (reason) {
    return { ok: false, error: toBerthError(reason) };
  }
}

/** Saves a change; the answer (or the error, e.g. an interval out of range) is returned. */
export async function savePreferences(next: Preferences): Promise<Loaded<Preferences>> {
  try {
    const value = await updatePreferences(next);
    adopt(value);
    return { ok: true, value };
  } catch (reason) {
    return { ok: false, error: toBerthError(reason) };
  }
}

/**
 * At start-up: the language saved in Berth's settings file wins over the webview's own memory
 * (which a new data folder or a reinstall loses); with none saved yet, the window's language is
 * saved.
 */
export async function startLanguage(): Promise<void> {
  const loaded = await loadPreferences();
  const saved = loaded.ok ? loaded.value.language : null;
  if (saved && saved !== language()) setLanguage(saved);
  else await syncLanguage();
}

/** After the window's language changed (here or on the Environment page), tell the backend. */
export async function syncLanguage(): Promise<void> {
  const lang = language();
  if (!current || !isLanguage(lang) || current.language === lang) return;
  await savePreferences({ ...$state.snapshot(current), language: lang });
}

/** Forgets everything (tests start from a clean state with it). */
export function resetPreferences(): void {
  current = null;
  applyTheme('system');
}
