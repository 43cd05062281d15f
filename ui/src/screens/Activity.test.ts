import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { ActivityEntry } from '../ipc/types';
import { resetActivity } from '../lib/activity.svelte';
import { mockAccountBackend, resetLanguage } from '../test/fixtures';
import Activity from './Activity.svelte';

function entry(id: number, command: string, status: ActivityEntry['status'] = 'succeeded'): ActivityEntry {
  return {
    id,
    at: Date.UTC(2026, 10, 25, 9, id),
    action: 'sts.getCallerIdentity',
    target: '',
    command,
    status,
    error: status === 'failed' ? 'accessDenied' : null,
  };
}

let backend: ReturnType<typeof mockAccountBackend>;

beforeEach(() => {
  resetLanguage();
  resetActivity();
  backend = mockAccountBackend();
});

afterEach(() => {
  clearMocks();
  resetActivity();
});

describe('activity log', () => {
  test('lists actions newest first with their translated name, outcome and command', async () => {
    backend.answers.list_activity = () => [
      entry(1, 'aws sts get-caller-identity --region us-east-1'),
      entry(2, 'aws sts get-caller-identity --region eu-west-1', 'failed'),
    ];
    await render(Activity);

    const items = page.getByRole('list', { name: 'Activity' }).getByRole('listitem');
    await expect.element(items.nth(0)).toHaveTextContent('eu-west-1');
    await expect.element(items.nth(0)).toHaveTextContent('Failed');
    await expect.element(items.nth(1)).toHaveTextContent('us-east-1');
    await expect.element(items.nth(1)).toHaveTextContent('Verify identity');
    await expect.element(items.nth(1).getByRole('button', { name: 'Copy command' })).toBeVisible();
  });

  test('the filter narrows the list and says when nothing matches', async () => {
    backend.answers.list_activity = () => [entry(1, 'aws sts get-caller-identity --region us-east-1')];
    await render(Activity);
    const filter = page.getByLabelText('Filter');

    await filter.fill('eu-west');
    await expect.element(page.getByText('No action matches the filter.')).toBeVisible();
    await filter.fill('us-east');
    await expect.element(page.getByRole('list', { name: 'Activity' }).getByRole('listitem')).toHaveLength(1);
  });

  test('clearing asks first, and only the confirmation clears', async () => {
    backend.answers.list_activity = () => [entry(1, 'aws sts get-caller-identity')];
    await render(Activity);
    await expect.element(page.getByRole('listitem')).toBeVisible();

    await page.getByRole('button', { name: 'Clear log' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(backend.argsOf('clear_activity')).toHaveLength(0);
    await expect.element(page.getByRole('listitem')).toBeVisible();

    await page.getByRole('button', { name: 'Clear log' }).click();
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    await expect.element(page.getByText('Nothing yet.', { exact: false })).toBeVisible();
    expect(backend.argsOf('clear_activity')).toHaveLength(1);
  });
});
