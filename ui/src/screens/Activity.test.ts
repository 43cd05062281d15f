import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { ActivityEntry, ReadTally } from '../ipc/types';
import { resetActivity } from '../lib/activity.svelte';
import { setLanguage } from '../lib/i18n/index.svelte';
import { activityView, mockAccountBackend, resetLanguage } from '../test/fixtures';
import Activity from './Activity.svelte';

function entry(
  id: number,
  command: string,
  status: ActivityEntry['status'] = 'succeeded',
  action = 'sts.getCallerIdentity',
  target = '',
): ActivityEntry {
  return {
    id,
    at: Date.UTC(2026, 10, 25, 9, id),
    action,
    target,
    command,
    status,
    error: status === 'failed' ? 'accessDenied' : null,
  };
}

function read(last: ActivityEntry, count: number): ReadTally {
  return { last, count };
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
  resetLanguage();
});

describe('activity log', () => {
  test('lists actions newest first with their translated name, outcome and command', async () => {
    backend.answers.list_activity = () =>
      activityView([
        entry(1, 'aws sts get-caller-identity --region us-east-1'),
        entry(2, 'aws sts get-caller-identity --region eu-west-1', 'failed'),
      ]);
    await render(Activity);

    const items = page.getByRole('list', { name: 'Activity' }).getByRole('listitem');
    await expect.element(items.nth(0)).toHaveTextContent('eu-west-1');
    await expect.element(items.nth(0)).toHaveTextContent('Failed');
    await expect.element(items.nth(1)).toHaveTextContent('us-east-1');
    await expect.element(items.nth(1)).toHaveTextContent('Verify identity');
    await expect.element(items.nth(1).getByRole('button', { name: 'Copy command' })).toBeVisible();
  });

  test('the filter narrows the list and says when nothing matches', async () => {
    backend.answers.list_activity = () => activityView([entry(1, 'aws sts get-caller-identity --region us-east-1')]);
    await render(Activity);
    const filter = page.getByLabelText('Filter');

    await filter.fill('eu-west');
    await expect.element(page.getByText('No action matches the filter.')).toBeVisible();
    await filter.fill('us-east');
    await expect.element(page.getByRole('list', { name: 'Activity' }).getByRole('listitem')).toHaveLength(1);
  });

  test('clearing asks first, and only the confirmation clears', async () => {
    backend.answers.list_activity = () => activityView([entry(1, 'aws sts get-caller-identity')]);
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

  test('a change made meanwhile appears as the activity job streams it', async () => {
    await render(Activity);
    await expect.element(page.getByText('Nothing yet.', { exact: false })).toBeVisible();
    backend.jobs.activity(
      backend.appJobs.activity,
      entry(7, 'aws ecr create-repository --repository-name web', 'succeeded', 'ecr.createRepository', 'web'),
    );
    const items = page.getByRole('list', { name: 'Activity' }).getByRole('listitem');
    await expect.element(items.nth(0)).toHaveTextContent(/Create repository\s*web/);
  });
});

describe('reads', () => {
  const listRepositories = entry(10, 'aws ecr describe-repositories --region us-east-1', 'succeeded', 'ecr.describeRepositories');
  const listImages = entry(11, 'aws ecr describe-images --repository-name web', 'succeeded', 'ecr.describeImages', 'web');
  // Practice mode: the emulator has no policy simulator, so this check fails there.
  const checkPermissions = entry(
    12,
    'aws iam simulate-principal-policy --policy-source-arn arn:aws:iam::000000000000:user/alice',
    'failed',
    'iam.simulatePrincipalPolicy',
    'arn:aws:iam::000000000000:user/alice',
  );

  test('are grouped apart, collapsed, each once with its count, time and command; they are not entries', async () => {
    backend.answers.list_activity = () =>
      activityView(
        [entry(1, 'aws ecr create-repository --repository-name web', 'succeeded', 'ecr.createRepository', 'web')],
        [read(listRepositories, 12), read(listImages, 1)],
      );
    await render(Activity);

    // The log holds what changed: one entry, however often the Repositories page was visited.
    const entries = page.getByRole('list', { name: 'Activity' }).getByRole('listitem');
    await expect.element(entries).toHaveLength(1);
    await expect.element(entries.nth(0)).toHaveTextContent('Create repository');
    expect(page.getByRole('list', { name: 'Activity' }).getByText('List repositories').query()).toBeNull();

    // The reads, folded away under their own heading.
    const reads = page.getByRole('list', { name: 'Reads' });
    await expect.element(page.getByText('Reads (2)')).toBeVisible();
    expect(reads.query(), 'collapsed at first').toBeNull();
    await page.getByText('Reads (2)').click();
    const items = reads.getByRole('listitem');
    await expect.element(items).toHaveLength(2);
    // Newest first, with how often each ran, when last, and the command.
    await expect.element(items.nth(0)).toHaveTextContent(/List images\s*web\s*once/);
    await expect.element(items.nth(1)).toHaveTextContent(/List repositories\s*12 times/);
    await expect.element(items.nth(1).getByRole('time')).toHaveAttribute('datetime', new Date(listRepositories.at).toISOString());
    await expect.element(items.nth(1).getByText('aws ecr describe-repositories --region us-east-1')).toBeVisible();
    await expect.element(items.nth(1).getByRole('button', { name: 'Copy command' })).toBeVisible();
  });

  test("practice mode's failed permission checks are not red Failed entries", async () => {
    backend.answers.list_activity = () => activityView([], [read(checkPermissions, 3)]);
    await render(Activity);
    await expect.element(page.getByText('Nothing yet.', { exact: false })).toBeVisible();
    expect(page.getByText('Failed', { exact: true }).query()).toBeNull();
    await page.getByText('Reads (1)').click();
    const item = page.getByRole('list', { name: 'Reads' }).getByRole('listitem');
    await expect.element(item).toHaveTextContent(/Check permissions.*3 times/);
    await expect.element(item.getByText('The newest one did not go through')).toBeVisible();
    expect(item.element().querySelector('.status')).toBeNull();
  });

  test('the filter narrows the reads too, and the tally is read again on every visit', async () => {
    let reads = [read(listRepositories, 1), read(listImages, 1)];
    backend.answers.list_activity = () => activityView([], reads);
    const screen = await render(Activity);
    await page.getByText('Reads (2)').click();
    await page.getByLabelText('Filter').fill('describe-images');
    await expect.element(page.getByRole('list', { name: 'Reads' }).getByRole('listitem')).toHaveLength(1);
    screen.unmount();

    reads = [read(listImages, 1), read(listRepositories, 4)];
    await render(Activity);
    await page.getByText('Reads (2)').click();
    await expect.element(page.getByRole('list', { name: 'Reads' }).getByRole('listitem').nth(0)).toHaveTextContent(/4 times/);
  });

  test('read in Korean', async () => {
    setLanguage('ko');
    backend.answers.list_activity = () => activityView([], [read(listRepositories, 5)]);
    await render(Activity);
    await page.getByText('조회 (1)').click();
    await expect.element(page.getByRole('list', { name: '조회' }).getByRole('listitem')).toHaveTextContent(/5회/);
  });
});
