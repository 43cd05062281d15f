import { hasMessage, t } from './i18n/index.svelte';

/** The region's display name in the current language, e.g. "Asia Pacific (Seoul)", or null if unknown. */
export function regionName(code: string): string | null {
  const key = `regions.${code}`;
  return hasMessage(key) ? t(key) : null;
}

/** "Asia Pacific (Seoul) — ap-northeast-2"; a code Berth has no name for is shown as it is. */
export function regionLabel(code: string): string {
  const name = regionName(code);
  return name === null ? code : t('account.region.option', { name, code });
}
