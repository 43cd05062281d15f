// The checklist's live-prices line is optional: without pricing:GetProducts nothing fails, so the
// checklist does not say it will.
import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { resetAccount } from '../lib/account.svelte';
import { resetLanguage } from '../test/fixtures';
import { mockIamBackend, permissionReport } from '../test/iamFixtures';
import Iam from './Iam.svelte';

const checklist = () => page.getByRole('region', { name: 'What Berth will need' });
const line = (title: string) => checklist().getByRole('listitem').filter({ hasText: title }).first();

beforeEach(() => {
  resetLanguage();
  resetAccount();
});
afterEach(() => clearMocks());

test('live prices not allowed: the line says so, but the checklist does not warn that lines will fail', async () => {
  mockIamBackend({ report: permissionReport({ prices: 'notGranted' }) });
  await render(Iam, { onnavigate: () => {} });
  await expect.element(line('Live prices (optional)').getByText('Not allowed', { exact: true }).first()).toBeVisible();
  await expect.element(line('Live prices (optional)')).toHaveTextContent(/uses the price list it ships with/);
  expect(checklist().getByText(/Lines marked “Not allowed” will fail/).query()).toBeNull();
});

test('a required line not allowed still warns', async () => {
  mockIamBackend({ report: permissionReport({ prices: 'notGranted', ecs: 'notGranted' }) });
  await render(Iam, { onnavigate: () => {} });
  await expect.element(checklist().getByText(/Lines marked “Not allowed” will fail/)).toBeVisible();
});
