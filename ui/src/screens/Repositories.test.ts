import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { resetAccount } from '../lib/account.svelte';
import { setLanguage } from '../lib/i18n/index.svelte';
import { deferred, resetLanguage } from '../test/fixtures';
import { accessDenied, GiB, image, MiB, mockRepositories, repository } from '../test/repositories';
import Repositories from './Repositories.svelte';
import { resetRepositories } from './repositories/store.svelte';

const table = () => page.getByRole('table');
const row = (name: string) => table().getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}\\b`) }) });
const dialog = () => page.getByRole('dialog');

async function renderView() {
  const screen = await render(Repositories);
  await expect.element(page.getByRole('heading', { level: 1, name: 'Repositories' })).toBeVisible();
  return screen;
}

beforeEach(async () => {
  // The app window's default size (tauri.conf.json), not the test runner's narrow frame.
  await page.viewport(1180, 780);
  resetLanguage();
  resetAccount();
  resetRepositories();
});

afterEach(() => {
  clearMocks();
  resetLanguage();
  resetAccount();
  resetRepositories();
});

describe('the list', () => {
  test('shows each repository with URI, image count, size, monthly cost, creation date and the Berth badge, and the totals', async () => {
    mockRepositories([
      repository('web', { managed: true, images: [image(['v1'], 768 * MiB), image(['v2'], 256 * MiB)] }),
      repository('legacy', { images: [image([], 5 * MiB)], createdAt: Date.UTC(2024, 0, 15) }),
      repository('empty'),
    ]);
    await renderView();

    await expect.element(row('web').getByText('1.1 GB')).toBeVisible();
    await expect.element(row('web').getByText('$0.10')).toBeVisible();
    await expect.element(row('web').getByText('Made by Berth')).toBeInTheDocument();
    await expect.element(row('web').getByText('123456789012.dkr.ecr.us-east-1.amazonaws.com/web')).toBeVisible();
    await expect.element(row('legacy').getByText('5.2 MB')).toBeVisible();
    await expect.element(row('legacy').getByText('< $0.01')).toBeVisible();
    await expect.element(row('legacy').getByText('Jan 15, 2024')).toBeVisible();
    expect(row('legacy').getByText('Made by Berth').query()).toBeNull();
    await expect.element(row('empty').getByText('0 B')).toBeVisible();

    const totals = page.getByRole('region', { name: 'Totals' });
    await expect.element(totals.getByRole('group', { name: 'Repositories' })).toHaveTextContent(/^Repositories\s*3\s*1 made by Berth$/);
    await expect.element(totals.getByRole('group', { name: 'Images' })).toHaveTextContent(/3$/);
    await expect.element(totals.getByRole('group', { name: 'Stored (compressed)' })).toHaveTextContent(/ 1\.1 GB$/);
    await expect.element(totals.getByRole('group', { name: 'Estimated cost' })).toHaveTextContent(/\$0\.10/);
    await expect.element(page.getByText(/ECR storage costs \$0\.10 per GB-month \(AWS price list as of Nov 1, 2026/)).toBeVisible();
    await expect.element(page.getByText('aws ecr describe-repositories --region us-east-1')).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Copy the URI of web' })).toBeVisible();
  });

  test('sizes are the compressed size ECR reports, in the same decimal units as the Image step', async () => {
    mockRepositories([repository('hello-web', { images: [image(['v1'], 1_470)] })]);
    await renderView();
    // 1,470 bytes: "1.5 kB" here as on the Image step, not "1.44 KB".
    await expect.element(row('hello-web').getByText('1.5 kB', { exact: true })).toBeVisible();
    await expect.element(page.getByRole('columnheader', { name: 'Sort by Size (compressed)' })).toBeVisible();
    await expect.element(page.getByText(/Each image counts at the compressed size ECR reports/)).toBeVisible();
  });

  test('filters by name and by who made it, and sorts by size from the column header', async () => {
    mockRepositories([
      repository('api', { managed: true, images: [image(['1'], 30 * MiB)] }),
      repository('web', { managed: true, images: [image(['1'], 90 * MiB)] }),
      repository('worker', { images: [image(['1'], 60 * MiB)] }),
    ]);
    await renderView();
    await expect.element(row('worker').getByText('62.9 MB')).toBeVisible();

    const names = () =>
      table()
        .getByRole('rowheader')
        .all()
        .map((h) => (h.element().textContent ?? '').trim().split(/\s/)[0]);

    await page.getByRole('button', { name: 'Sort by Size (compressed)' }).click();
    expect(names()).toEqual(['web', 'worker', 'api']);
    await expect.element(page.getByRole('columnheader', { name: 'Sort by Size (compressed)' })).toHaveAttribute('aria-sort', 'descending');
    await page.getByRole('button', { name: 'Sort by Size (compressed)' }).click();
    expect(names()).toEqual(['api', 'worker', 'web']);

    await page.getByRole('checkbox', { name: 'Only those made by Berth' }).click();
    expect(names()).toEqual(['api', 'web']);
    await page.getByLabelText('Filter by name').fill('we');
    expect(names()).toEqual(['web']);
    await expect.element(page.getByText('1 of 3', { exact: true })).toBeVisible();
    await page.getByLabelText('Filter by name').fill('nothing');
    await expect.element(page.getByText('No repository matches the filter.')).toBeVisible();
  });

  test('with thousands of repositories only the rows in view are in the page, and those are measured first', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => repository(`svc-${String(i).padStart(4, '0')}`));
    const fake = mockRepositories(many);
    // Hold the measurements, to see what is asked for first and how much at once.
    const held: { resolve: (v: unknown) => void; args: Record<string, unknown> }[] = [];
    const measure = fake.handler('get_repository_usage');
    fake.answer('get_repository_usage', (args) => {
      const gate = deferred<unknown>();
      held.push({ resolve: gate.resolve, args });
      return gate.promise.then(() => measure(args));
    });
    await renderView();
    await expect.element(row('svc-0000')).toBeVisible();

    await expect.element(table()).toHaveAttribute('aria-rowcount', '5001');
    const rendered = table().getByRole('rowheader').all().length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);

    // Two calls at a time, a few repositories each, the top of the list first.
    await expect.poll(() => held.length).toBe(2);
    const firstAsked = (held[0].args.repositories as { name: string }[]).map((r) => r.name);
    expect(firstAsked[0]).toBe('svc-0000');
    expect(firstAsked.length).toBeLessThanOrEqual(8);
    held[0].resolve(null);
    await expect.element(row('svc-0000').getByText('0 B')).toBeVisible();
    await expect.poll(() => held.length).toBe(3);

    // Scrolling far down renders those rows (and asks for them next), not the whole list.
    const scroller = page.getByRole('region', { name: /of 5,000/ }).element() as HTMLElement;
    scroller.scrollTop = 60 * 3000;
    scroller.dispatchEvent(new Event('scroll'));
    await expect.element(row('svc-3000')).toBeInTheDocument();
    expect(row('svc-0000').query()).toBeNull();
    expect(table().getByRole('rowheader').all().length).toBeLessThan(60);
    // Once scrolling pauses, the rows now in view jump the queue: they are among the next asked.
    const askedBefore = held.length;
    const asksFor30xx = (h: (typeof held)[number]) =>
      (h.args.repositories as { name: string }[]).some((r) => r.name.startsWith('svc-30'));
    await expect
      .poll(() => {
        for (const h of held) h.resolve(null);
        return held.findIndex(asksFor30xx);
      })
      .toBeGreaterThan(-1);
    expect(held.findIndex(asksFor30xx)).toBeLessThan(askedBefore + 6);
  });

  test('a repository deleted elsewhere disappears when it is measured', async () => {
    const fake = mockRepositories([repository('stays'), repository('vanishes')]);
    const measure = fake.handler('get_repository_usage');
    fake.answer('get_repository_usage', (args) => {
      fake.state.delete('vanishes');
      return measure(args);
    });
    await renderView();
    await expect.element(row('stays').getByText('0 B')).toBeVisible();
    expect(row('vanishes').query()).toBeNull();
  });

  test('a repository AWS throttles is measured again a little later instead of failing', async () => {
    const fake = mockRepositories([repository('web', { images: [image(['v1'], 10 * MiB)] })]);
    const measure = fake.handler('get_repository_usage');
    let first = true;
    fake.answer('get_repository_usage', (args) => {
      if (!first) return measure(args);
      first = false;
      return [{ status: 'failed', name: 'web', error: { kind: 'throttled', params: {}, details: 'Rate exceeded' } }];
    });
    await renderView();
    await expect.element(row('web').getByText('Measuring…')).toBeVisible();
    expect(row('web').getByText("Couldn't measure").query()).toBeNull();
    await expect.element(row('web').getByText('10.5 MB'), { timeout: 6000 }).toBeVisible();
  });

  test('says what to do when Berth cannot list (no account chosen yet)', async () => {
    const fake = mockRepositories();
    fake.answer('list_repositories', () =>
      Promise.reject({ kind: 'invalidInput', params: { field: 'identity', rule: 'required' }, details: null }),
    );
    await renderView();
    await expect.element(page.getByText('Choose a profile or save an access key first.')).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  });
});

describe('deleting a repository', () => {
  test('an empty one needs no typing; Cancel has the focus; the row goes at once', async () => {
    const fake = mockRepositories([repository('empty'), repository('other')]);
    await renderView();
    await expect.element(row('empty').getByText('0 B')).toBeVisible();

    await page.getByRole('button', { name: 'Delete empty' }).click();
    await expect.element(dialog()).toBeVisible();
    await expect.element(dialog()).toHaveAccessibleName('Delete the repository “empty”?');
    await expect.element(dialog().getByText('It holds no images.')).toBeVisible();
    await expect.element(dialog().getByText("This can't be undone.", { exact: false })).toBeVisible();
    await expect.element(dialog().getByRole('button', { name: 'Cancel' })).toHaveFocus();
    expect(dialog().getByRole('textbox').query()).toBeNull();
    await expect.element(dialog().getByText('aws ecr delete-repository --repository-name empty --region us-east-1')).toBeVisible();

    await dialog().getByRole('button', { name: 'Delete repository' }).click();
    await expect.poll(() => fake.argsOf('delete_repository')).toEqual([{ name: 'empty', confirmation: null }]);
    await expect.element(page.getByRole('status').getByText('Deleted “empty”.')).toBeVisible();
    expect(row('empty').query()).toBeNull();
    await expect.element(row('other')).toBeVisible();
    expect(page.getByRole('dialog').query()).toBeNull();
  });

  test('one with images says what is lost and stays locked until its name is typed exactly', async () => {
    const fake = mockRepositories([repository('web', { images: [image(['v1'], 1.5 * GiB), image(['v2'], 0.5 * GiB)] })]);
    await renderView();
    await expect.element(row('web').getByText('2.1 GB')).toBeVisible();

    await page.getByRole('button', { name: 'Delete web' }).click();
    await expect.element(dialog().getByText('2 images (2.1 GB) will be deleted with it.')).toBeVisible();
    await expect.element(dialog().getByText('Keeping them costs about $0.20 per month.')).toBeVisible();
    await expect.element(dialog().getByText('aws ecr delete-repository --repository-name web --force --region us-east-1')).toBeVisible();
    const confirm = dialog().getByRole('button', { name: 'Delete repository' });
    const typed = dialog().getByLabelText('Type web to confirm');
    await expect.element(typed).toHaveFocus();
    await expect.element(confirm).toBeDisabled();

    await typed.fill('we');
    await expect.element(confirm).toBeDisabled();
    await typed.fill('Web');
    await expect.element(confirm).toBeDisabled();
    // Enter in the field does not get around the lock.
    await userEvent.keyboard('{Enter}');
    expect(fake.argsOf('delete_repository')).toEqual([]);

    await typed.fill('web');
    await expect.element(confirm).toBeEnabled();
    await confirm.click();
    await expect.poll(() => fake.argsOf('delete_repository')).toEqual([{ name: 'web', confirmation: 'web' }]);
    await expect.element(page.getByText('Deleted “web” and the images in it (2, 2.1 GB).')).toBeVisible();
    expect(fake.state.has('web')).toBe(false);
    await expect.element(page.getByText('No repositories in US East (N. Virginia) — us-east-1 yet.', { exact: false })).toBeVisible();
  });

  test('Escape and Cancel close the dialog and delete nothing', async () => {
    const fake = mockRepositories([repository('web', { images: [image(['v1'], 10 * MiB)] })]);
    await renderView();
    await expect.element(row('web').getByText('10.5 MB')).toBeVisible();
    const trigger = page.getByRole('button', { name: 'Delete web' });

    await trigger.click();
    await expect.element(dialog()).toBeVisible();
    await userEvent.keyboard('{Escape}');
    expect(page.getByRole('dialog').query()).toBeNull();
    await expect.element(trigger).toHaveFocus();

    await trigger.click();
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    expect(page.getByRole('dialog').query()).toBeNull();
    expect(fake.argsOf('delete_repository')).toEqual([]);
    expect(fake.state.has('web')).toBe(true);
  });

  test('a repository that gained images since the list asks for the typed name instead of deleting', async () => {
    const fake = mockRepositories([repository('web')]);
    await renderView();
    await expect.element(row('web').getByText('0 B')).toBeVisible();
    fake.state.get('web')!.images.push(image(['late'], 40 * MiB));

    await page.getByRole('button', { name: 'Delete web' }).click();
    await dialog().getByRole('button', { name: 'Delete repository' }).click();
    await expect.element(dialog().getByText('It holds images now. Type its name to delete them too.')).toBeVisible();
    await expect.element(dialog().getByText('1 image (41.9 MB) will be deleted with it.')).toBeVisible();
    await expect.element(dialog().getByLabelText('Type web to confirm')).toHaveFocus();
    expect(fake.state.has('web')).toBe(true);
  });

  test('one deleted elsewhere meanwhile is said so and leaves the list', async () => {
    const fake = mockRepositories([repository('web'), repository('api')]);
    await renderView();
    await expect.element(row('web').getByText('0 B')).toBeVisible();
    fake.state.delete('web');
    await page.getByRole('button', { name: 'Delete web' }).click();
    await dialog().getByRole('button', { name: 'Delete repository' }).click();
    await expect.element(page.getByText("“web” had already been deleted elsewhere; it's gone from the list.")).toBeVisible();
    expect(row('web').query()).toBeNull();
  });

  test('a denied delete is explained in the dialog, and the repository stays listed', async () => {
    const fake = mockRepositories([repository('web')]);
    fake.answer('delete_repository', () => Promise.reject(accessDenied('ecr:DeleteRepository')));
    await renderView();
    await expect.element(row('web').getByText('0 B')).toBeVisible();
    await page.getByRole('button', { name: 'Delete web' }).click();
    await dialog().getByRole('button', { name: 'Delete repository' }).click();
    await expect.element(dialog().getByRole('alert').getByText('Nothing was deleted.')).toBeVisible();
    await expect.element(dialog().getByText("Your identity isn't allowed to perform ecr:DeleteRepository.", { exact: false })).toBeVisible();
    await userEvent.keyboard('{Escape}');
    await expect.element(row('web')).toBeVisible();
  });
});

describe('a repository opened', () => {
  test('lists its images; the selected ones are listed in the confirmation and deleted', async () => {
    const old = image(['v1', 'stable'], 300 * MiB, Date.UTC(2026, 9, 1));
    const untagged = image([], 100 * MiB, Date.UTC(2026, 9, 5));
    const latest = image(['v2'], 212 * MiB, Date.UTC(2026, 10, 1));
    const fake = mockRepositories([repository('web', { managed: true, images: [old, untagged, latest] })]);
    await renderView();
    await page.getByRole('button', { name: 'Open web' }).click();

    await expect.element(page.getByRole('heading', { level: 2, name: 'web' })).toHaveFocus();
    await expect.element(page.getByText('3 in all, 642 MB, about $0.06 per month.')).toBeVisible();
    const rows = page.getByRole('table').getByRole('row');
    await expect.element(rows.nth(1)).toHaveTextContent(/v2/);
    await expect.element(rows.nth(3)).toHaveTextContent(/v1\s*stable/);
    await expect.element(page.getByRole('button', { name: /^Delete selected/ })).toBeDisabled();

    await page.getByRole('checkbox', { name: 'Select v1, stable' }).click();
    await page.getByRole('checkbox', { name: /^Select untagged sha256:/ }).click();
    await page.getByRole('button', { name: 'Delete selected (2)…' }).click();
    await expect.element(dialog()).toHaveAccessibleName('Delete 2 images from “web”?');
    const listed = dialog().getByRole('list', { name: 'Images to delete' }).getByRole('listitem');
    expect(listed.all()).toHaveLength(2);
    await expect.element(dialog().getByText('419 MB in all; keeping them costs about $0.04 per month.')).toBeVisible();
    await expect.element(dialog().getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await dialog().getByRole('button', { name: 'Delete 2 images' }).click();

    await expect.poll(() => fake.argsOf('delete_repository_images')).toEqual([
      // In the order shown: newest first.
      { repository: 'web', digests: [untagged.digest, old.digest] },
    ]);
    await expect.element(page.getByText('Images deleted: 2.')).toBeVisible();
    await expect.element(page.getByText('1 in all, 222 MB, about $0.02 per month.')).toBeVisible();
    expect(page.getByRole('checkbox', { name: 'Select v1, stable' }).query()).toBeNull();

    // Back in the list, the numbers follow.
    await page.getByRole('button', { name: 'All repositories' }).click();
    await expect.element(row('web').getByText('222 MB')).toBeVisible();
  });

  test('deleting it from its page returns to the list without it', async () => {
    mockRepositories([repository('web', { images: [image(['v1'], 10 * MiB)] }), repository('api')]);
    await renderView();
    await page.getByRole('button', { name: 'Open web' }).click();
    await page.getByRole('button', { name: 'Delete repository…' }).click();
    await dialog().getByLabelText('Type web to confirm').fill('web');
    await dialog().getByRole('button', { name: 'Delete repository' }).click();
    await expect.element(page.getByText('Deleted “web” and the images in it (1, 10.5 MB).')).toBeVisible();
    await expect.element(row('api')).toBeVisible();
    expect(row('web').query()).toBeNull();
  });

  test('one deleted elsewhere sends the user back to the list with a note', async () => {
    const fake = mockRepositories([repository('web'), repository('api')]);
    await renderView();
    await expect.element(row('web')).toBeVisible();
    fake.state.delete('web');
    await page.getByRole('button', { name: 'Open web' }).click();
    await expect.element(page.getByText('“web” no longer exists (it was deleted elsewhere), so it\'s gone from the list.')).toBeVisible();
    expect(row('web').query()).toBeNull();
  });
});

describe('in Korean', () => {
  test('the list, totals and the confirmation read in Korean', async () => {
    mockRepositories([repository('web', { images: [image(['v1'], 40 * MiB)] })]);
    setLanguage('ko');
    await render(Repositories);
    await expect.element(page.getByRole('heading', { level: 1, name: '리포지토리 목록' })).toBeVisible();
    await expect.element(page.getByText('예상 비용')).toBeVisible();
    await page.getByRole('button', { name: 'web 삭제' }).click();
    await expect.element(page.getByRole('dialog')).toHaveAccessibleName('“web” 리포지토리를 삭제할까요?');
    await expect.element(page.getByText('이미지 1개(41.9 MB)가 함께 삭제됩니다.')).toBeVisible();
    await expect.element(page.getByLabelText('확인하려면 다음 이름을 입력하세요: web')).toBeVisible();
  });
});
