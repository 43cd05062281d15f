import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { resetAccount } from '../lib/account.svelte';
import { language } from '../lib/i18n/index.svelte';
import { resetPreferences } from '../lib/preferences.svelte';
import { accountOverview, mockAccountBackend, resetLanguage } from '../test/fixtures';
import Settings from './Settings.svelte';

beforeEach(() => {
  resetLanguage();
  resetAccount();
  resetPreferences();
});

afterEach(() => {
  clearMocks();
  resetLanguage();
  resetAccount();
  resetPreferences();
});

async function renderLoaded() {
  const backend = mockAccountBackend(accountOverview({ settings: { region: 'eu-west-1' } }));
  const screen = await render(Settings);
  await expect.element(page.getByRole('heading', { name: 'Appearance' })).toBeVisible();
  return { backend, screen };
}

test('a theme choice is saved and applied to the whole window at once', async () => {
  const { backend } = await renderLoaded();
  await expect.element(page.getByRole('radio', { name: 'Like the system' })).toBeChecked();
  expect(document.documentElement.dataset.theme).toBeUndefined();
  await page.getByText('Dark', { exact: true }).click();
  await expect.poll(() => document.documentElement.dataset.theme).toBe('dark');
  await expect.element(page.getByRole('status')).toHaveTextContent('Saved');
  expect(backend.preferences.theme).toBe('dark');
  await page.getByText('Like the system', { exact: true }).click();
  await expect.poll(() => document.documentElement.dataset.theme).toBeUndefined();
});

test('the refresh interval, tray and notifications choices are remembered', async () => {
  const { backend } = await renderLoaded();
  const interval = page.getByRole('combobox', { name: 'Refresh every' });
  await expect.element(interval).toHaveValue('30');
  await interval.selectOptions('300');
  await expect.poll(() => backend.preferences.refreshIntervalSecs).toBe(300);

  const tray = page.getByRole('checkbox', { name: 'Keep watching in the tray when the window is closed' });
  await expect.element(tray).not.toBeChecked();
  await expect.element(tray).toHaveAccessibleDescription(/Quit from the tray menu/);
  await tray.click();
  await expect.poll(() => backend.preferences.keepInTray).toBe(true);

  await page.getByRole('checkbox', { name: 'Desktop notifications' }).click();
  await expect.poll(() => backend.preferences.notifications).toBe(false);
});

test('a refused interval is explained and nothing changes', async () => {
  const { backend } = await renderLoaded();
  backend.answers.update_preferences = () =>
    Promise.reject({ kind: 'invalidInput', params: { field: 'refreshInterval', rule: 'range', min: '5', max: '3600' }, details: null });
  await page.getByRole('combobox', { name: 'Refresh every' }).selectOptions('600');
  await expect.element(page.getByText('Choose an interval from 5 seconds to 3600 seconds.')).toBeVisible();
  expect(backend.preferences.refreshIntervalSecs).toBe(30);
});

test('the language switches the window and is told to the backend for the tray and notifications', async () => {
  const { backend } = await renderLoaded();
  await page.getByRole('combobox', { name: 'Language' }).selectOptions('ko');
  await expect.element(page.getByRole('heading', { name: '화면' })).toBeVisible();
  expect(language()).toBe('ko');
  await expect.poll(() => backend.preferences.language).toBe('ko');
});

test('the default region is the Account step’s region', async () => {
  const { backend } = await renderLoaded();
  const region = page.getByRole('combobox', { name: 'Default region' });
  await expect.element(region).toHaveValue('eu-west-1');
  await region.selectOptions('ap-northeast-2');
  await expect.poll(() => backend.state.settings.region).toBe('ap-northeast-2');
  expect(backend.argsOf('update_account').at(-1)).toMatchObject({ account: { region: 'ap-northeast-2' } });
});

test('a desktop without a tray host or a notification service is told beside those choices', async () => {
  const backend = mockAccountBackend(accountOverview({ settings: { region: 'eu-west-1' } }));
  backend.answers.desktop_support = () => ({ trayHost: false, notifications: false });
  await render(Settings);
  await expect
    .element(page.getByRole('note').filter({ hasText: 'This desktop shows no tray icons' }))
    .toHaveTextContent('closing the window quits Berth');
  await expect
    .element(page.getByRole('note').filter({ hasText: 'This desktop has no notification service' }))
    .toBeVisible();
});

test('a desktop with both says nothing of them', async () => {
  await renderLoaded();
  await expect.element(page.getByRole('checkbox', { name: 'Desktop notifications' })).toBeVisible();
  expect(document.body.textContent).not.toContain('This desktop');
});
