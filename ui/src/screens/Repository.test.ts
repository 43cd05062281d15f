import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { NewRepository } from '../ipc/types';
import { resetAccount } from '../lib/account.svelte';
import { setLanguage } from '../lib/i18n/index.svelte';
import { resetLanguage } from '../test/fixtures';
import { accessDenied, image, lifecycleOf, MiB, mockRepositories, repository } from '../test/repositories';
import Repository from './Repository.svelte';
import { repositories, resetRepositories } from './repositories/store.svelte';

const nameInput = () => page.getByLabelText('Repository name', { exact: true });
const createButton = () => page.getByRole('button', { name: 'Create repository' });
const createMode = () => page.getByRole('radio', { name: 'Create a new repository' });
const pickMode = () => page.getByRole('radio', { name: 'Use an existing repository' });

async function renderStep(props: { onnavigate?: (page: string) => void } = {}) {
  const screen = await render(Repository, props);
  await expect.element(page.getByRole('heading', { level: 1, name: 'Repository' })).toBeVisible();
  return screen;
}

beforeEach(() => {
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

describe('creating a repository', () => {
  test('a name ECR would refuse is explained as it is typed, and the suggested fix is one click away', async () => {
    const fake = mockRepositories();
    await renderStep();
    await expect.element(createMode()).toBeChecked();

    await nameInput().fill('My App');
    await expect.element(page.getByText("Use lower-case letters only: ECR doesn't allow capitals.")).toBeVisible();
    await expect.element(nameInput()).toHaveAttribute('aria-invalid', 'true');
    await expect.element(nameInput()).toHaveAccessibleDescription(/Use lower-case letters only/);

    // Nothing reaches the backend while the name is invalid.
    await createButton().click();
    await expect.element(nameInput()).toHaveFocus();
    expect(fake.argsOf('create_repository')).toEqual([]);

    await page.getByRole('button', { name: 'Use my-app as the name' }).click();
    await expect.element(nameInput()).toHaveValue('my-app');
    await expect.element(nameInput()).not.toHaveAttribute('aria-invalid');
    expect(page.getByText(/Use lower-case letters only/).query()).toBeNull();

    for (const [typed, message] of [
      ['web@prod', "ECR doesn't allow @ in a name."],
      ['team//web', 'Use one separator at a time'],
      ['-web', 'must start and end with a letter or digit'],
      ['a', 'Use at least 2 characters.'],
    ] as const) {
      await nameInput().fill(typed);
      await expect.element(page.getByText(message, { exact: false })).toBeVisible();
    }
  });

  test('sends exactly the chosen options, then shows the repository and remembers it in the list', async () => {
    const fake = mockRepositories();
    await renderStep();

    await nameInput().fill('team/api');
    await page.getByRole('checkbox', { name: 'Scan images for known vulnerabilities when they are pushed' }).click();
    await page.getByRole('checkbox', { name: "Don't let tags be overwritten (immutable tags)" }).click();
    await page.getByRole('radio', { name: 'An AWS KMS key' }).click();
    await page.getByLabelText('KMS key', { exact: true }).fill('alias/berth');
    await page.getByLabelText('Number of newest images to keep').fill('25');
    await page.getByRole('checkbox', { name: 'Delete untagged images after some days' }).click();
    await expect.element(page.getByLabelText('Days before untagged images are deleted')).toBeDisabled();

    // The commands shown are those of this form.
    await expect.element(page.getByText('aws ecr create-repository --repository-name team/api --region us-east-1')).toBeVisible();
    await createButton().click();

    await expect.poll(() => fake.argsOf('create_repository')).toEqual([
      {
        repository: {
          name: 'team/api',
          scanOnPush: false,
          tagMutability: 'immutable',
          encryption: { kind: 'kms', key: 'alias/berth' },
          lifecycle: { keepLast: 25, untaggedDays: null },
        } satisfies NewRepository,
      },
    ]);
    const card = page.getByRole('region', { name: 'team/api' });
    await expect.element(card.getByText('Created “team/api”. Berth will push your image here.')).toBeVisible();
    await expect.element(card.getByText('123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api')).toBeVisible();
    await expect.element(card.getByText('Keeps the newest 25 images.')).toBeVisible();
    await expect.element(card).toHaveFocus();
    expect(repositories.list?.repositories.map((r) => r.name)).toEqual(['team/api']);
  });

  test('the cleanup rule is on by default, and a number out of range is refused before anything is sent', async () => {
    const fake = mockRepositories();
    await renderStep();

    await expect.element(page.getByRole('checkbox', { name: 'Keep only the newest images' })).toBeChecked();
    await expect.element(page.getByLabelText('Number of newest images to keep')).toHaveValue(10);
    await expect.element(page.getByLabelText('Days before untagged images are deleted')).toHaveValue(7);

    await nameInput().fill('web');
    await page.getByLabelText('Days before untagged images are deleted').fill('0');
    await createButton().click();
    await expect.element(page.getByText('Enter a whole number of days from 1 to 3650.')).toBeVisible();
    await expect.element(page.getByLabelText('Days before untagged images are deleted')).toHaveFocus();
    expect(fake.argsOf('create_repository')).toEqual([]);

    await page.getByLabelText('Days before untagged images are deleted').fill('14');
    await createButton().click();
    await expect.poll(() => fake.argsOf('create_repository').at(-1)).toMatchObject({
      repository: { lifecycle: { keepLast: 10, untaggedDays: 14 } },
    });
  });

  test('turning both cleanup rules off says images are kept, and creates no policy', async () => {
    const fake = mockRepositories();
    await renderStep();
    await nameInput().fill('web');
    await page.getByRole('checkbox', { name: 'Keep only the newest images' }).click();
    await page.getByRole('checkbox', { name: 'Delete untagged images after some days' }).click();
    await expect.element(page.getByText('No cleanup: images stay until you delete them.')).toBeVisible();
    await createButton().click();
    await expect.poll(() => fake.argsOf('create_repository').at(-1)).toMatchObject({
      repository: { lifecycle: { keepLast: null, untaggedDays: null } },
    });
    await expect
      .element(page.getByText('This repository has no cleanup rule: every image is kept, and billed, forever.'))
      .toBeVisible();
  });

  test('a name already taken in the region is said so, and "Use it" picks that repository instead', async () => {
    const fake = mockRepositories([repository('web', { images: [image(['v1'], 10 * MiB)] })]);
    await renderStep();

    await nameInput().fill('web');
    await expect.element(page.getByText('You already have a repository named “web” in US East (N. Virginia) — us-east-1.')).toBeVisible();
    await page.getByRole('button', { name: 'Use it' }).click();

    await expect.element(pickMode()).toBeChecked();
    await expect.element(page.getByRole('radio', { name: 'web' })).toBeChecked();
    await page.getByRole('button', { name: 'Use this repository' }).click();
    await expect.poll(() => fake.argsOf('choose_repository')).toEqual([{ name: 'web' }]);
    await expect.element(page.getByText('Berth will push your image to “web”.')).toBeVisible();
    await page.getByText('Commands Berth ran (1)').click();
    await expect.element(page.getByText('aws ecr describe-repositories --repository-names web --region us-east-1')).toBeVisible();
    expect(fake.argsOf('create_repository')).toEqual([]);
  });

  test('a name taken meanwhile (AWS answers "already exists") is shown on the name field', async () => {
    const fake = mockRepositories();
    await renderStep();
    await nameInput().fill('web');
    // Someone else creates it between the list and the click.
    fake.state.set('web', repository('web'));
    await createButton().click();
    await expect.element(page.getByText('You already have a repository named “web”', { exact: false })).toBeVisible();
    await expect.element(nameInput()).toHaveFocus();
  });

  test('access denied is explained with the action, and the form keeps what was typed', async () => {
    const fake = mockRepositories();
    fake.answer('create_repository', () => Promise.reject(accessDenied('ecr:CreateRepository')));
    await renderStep();
    await nameInput().fill('web');
    await createButton().click();
    await expect.element(page.getByRole('alert').getByText('Access denied')).toBeVisible();
    await expect.element(page.getByText("Your identity isn't allowed to perform ecr:CreateRepository.", { exact: false })).toBeVisible();
    await expect.element(nameInput()).toHaveValue('web');
  });

  test('when the cleanup rule failed after creating, retrying sends the same rule', async () => {
    const fake = mockRepositories();
    const create = fake.handler('create_repository');
    fake.answer('create_repository', (args) => {
      const made = create(args) as { details: { lifecycle: unknown }; lifecycleError: unknown };
      return { ...made, details: { ...made.details, lifecycle: null }, lifecycleError: accessDenied('ecr:PutLifecyclePolicy') };
    });
    await renderStep();
    await nameInput().fill('web');
    await createButton().click();

    await expect.element(page.getByText('The repository was created, but its cleanup rule was not set.')).toBeVisible();
    await page.getByRole('button', { name: 'Set the cleanup rule again' }).click();
    await expect.poll(() => fake.argsOf('put_lifecycle_rule')).toEqual([
      { name: 'web', rule: { keepLast: 10, untaggedDays: 7 } },
    ]);
    await expect.element(page.getByText('Keeps the newest 10 images; deletes untagged images after 7 days.')).toBeVisible();
  });
});

describe('picking a repository', () => {
  test('the list narrows as one types, and a repository with no cleanup rule gets the offer to add one', async () => {
    const many = Array.from({ length: 150 }, (_, i) => repository(`svc-${String(i).padStart(3, '0')}`));
    const fake = mockRepositories([...many, repository('legacy-api')]);
    await renderStep();
    await pickMode().click();

    await expect.element(page.getByText('Showing 100 of 151. Type to narrow the list.')).toBeVisible();
    await page.getByLabelText('Find a repository').fill('legacy');
    await expect.element(page.getByText('Matching: 1')).toBeVisible();
    await page.getByRole('radio', { name: 'legacy-api' }).click();
    await page.getByRole('button', { name: 'Use this repository' }).click();

    await expect.element(page.getByText('This repository has no cleanup rule', { exact: false })).toBeVisible();
    await page.getByRole('button', { name: 'Add a cleanup rule' }).click();
    await page.getByLabelText('Number of newest images to keep').fill('5');
    await expect
      .element(page.getByText('aws ecr put-lifecycle-policy --repository-name legacy-api --lifecycle-policy-text {"keepLast":5,"untaggedDays":7}', { exact: false }))
      .toBeVisible();
    await page.getByRole('button', { name: 'Save cleanup rule' }).click();
    await expect.poll(() => fake.argsOf('put_lifecycle_rule')).toEqual([
      { name: 'legacy-api', rule: { keepLast: 5, untaggedDays: 7 } },
    ]);
    await expect.element(page.getByRole('status').getByText('Cleanup rule saved.')).toBeVisible();
  });

  test('a repository deleted after the list was read is said to be gone and leaves the list', async () => {
    const fake = mockRepositories([repository('old'), repository('web')]);
    await renderStep();
    await pickMode().click();
    fake.state.delete('old');
    await page.getByRole('radio', { name: 'old' }).click();
    await page.getByRole('button', { name: 'Use this repository' }).click();
    await expect.element(page.getByText('AWS says repository “old” doesn’t exist (any more).', { exact: false })).toBeVisible();
    expect(page.getByRole('radio', { name: 'old' }).query()).toBeNull();
    expect(repositories.list?.repositories.map((r) => r.name)).toEqual(['web']);
  });
});

describe('a remembered repository', () => {
  test('opens on the repository chosen before, with its address and rule', async () => {
    mockRepositories([repository('web', { lifecycle: lifecycleOf({ keepLast: 10, untaggedDays: 7 }) })], 'web');
    await renderStep();
    await expect.element(page.getByText('You chose “web” earlier; Berth will push your image there.')).toBeVisible();
    await page.getByRole('button', { name: 'Choose another repository' }).click();
    await expect.element(createMode()).toHaveFocus();
  });

  test('with a repository chosen, "Next: Image" goes on to step 4', async () => {
    mockRepositories([repository('web')], 'web');
    const visited: string[] = [];
    await renderStep({ onnavigate: (page) => visited.push(page) });
    await page.getByRole('button', { name: 'Next: Image' }).click();
    expect(visited).toEqual(['image']);
  });

  test('says so when the remembered repository no longer exists', async () => {
    mockRepositories([], 'vanished');
    await renderStep();
    await expect
      .element(page.getByText("The repository you chose before, “vanished”, isn't in US East (N. Virginia) — us-east-1 (any more).", { exact: false }))
      .toBeVisible();
    await expect.element(nameInput()).toBeVisible();
  });
});

describe('in Korean', () => {
  test('the form and its messages are Korean', async () => {
    mockRepositories();
    setLanguage('ko');
    await render(Repository);
    await expect.element(page.getByRole('heading', { level: 1, name: '리포지토리' })).toBeVisible();
    const name = page.getByLabelText('리포지토리 이름', { exact: true });
    await name.fill('내 앱');
    await expect.element(page.getByText('공백은 쓸 수 없습니다. 단어 사이에는 - 나 _ 를 쓰세요.')).toBeVisible();
    await expect.element(page.getByRole('button', { name: '리포지토리 만들기' })).toBeVisible();
    await expect.element(page.getByText('오래된 이미지 자동 정리')).toBeVisible();
    await userEvent.keyboard('{Tab}');
  });
});
