import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, onTestFinished, test, vi } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import App from './App.svelte';
import { resetAccount } from './lib/account.svelte';
import { STORAGE_KEY } from './lib/i18n/index.svelte';
import { accountOverview, defaultPreferences, mockAccountBackend, resetLanguage } from './test/fixtures';
import { mockRepositories } from './test/repositories';

const STEPS = ['Account', 'IAM', 'Repository', 'Image', 'Launch'];
const VIEWS = ['Repositories', 'Deployments', 'Activity', 'Settings'];

beforeEach(() => {
  resetLanguage();
  resetAccount();
  mockAccountBackend();
});

afterEach(() => {
  vi.restoreAllMocks();
  clearMocks();
  resetLanguage();
  resetAccount();
});

function rail() {
  return page.getByRole('navigation', { name: 'Main' });
}

describe('frame', () => {
  test('rail lists the five wizard steps in order, numbered, then the four views', async () => {
    await render(App, { refreshMs: 60_000 });

    const steps = rail().getByRole('list', { name: 'Set up' }).getByRole('listitem');
    expect(steps.all()).toHaveLength(5);
    for (const [i, name] of STEPS.entries()) {
      await expect.element(steps.nth(i).getByRole('button', { name, exact: true })).toBeVisible();
      await expect.element(steps.nth(i)).toHaveTextContent(String(i + 1));
    }

    const views = rail().getByRole('list', { name: 'Manage' }).getByRole('listitem');
    expect(views.all()).toHaveLength(4);
    for (const [i, name] of VIEWS.entries()) {
      await expect.element(views.nth(i).getByRole('button', { name, exact: true })).toBeVisible();
    }
  });

  test('starts on the Environment page, marked as current', async () => {
    await render(App, { refreshMs: 60_000 });

    await expect.element(rail().getByRole('button', { name: 'Environment' })).toHaveAttribute('aria-current', 'page');
    await expect.element(page.getByRole('heading', { level: 1, name: 'Environment' })).toBeVisible();
    expect(rail().getByRole('button', { name: 'Account' }).element().getAttribute('aria-current')).toBeNull();
  });

  test('clicking a step shows its page and moves aria-current', async () => {
    await render(App, { refreshMs: 60_000 });

    await rail().getByRole('button', { name: 'IAM' }).click();

    await expect.element(page.getByRole('heading', { level: 1, name: 'IAM' })).toBeVisible();
    await expect.element(page.getByText('Step 2', { exact: true })).toBeVisible();
    // Nothing is chosen in the Account step yet, so the IAM step asks for that first.
    await expect.element(page.getByRole('heading', { name: 'Set up your account first' })).toBeVisible();
    await expect.element(rail().getByRole('button', { name: 'IAM' })).toHaveAttribute('aria-current', 'page');
    expect(rail().getByRole('button', { name: 'Environment' }).element().getAttribute('aria-current')).toBeNull();
    expect(page.getByRole('heading', { level: 1, name: 'Environment' }).query()).toBeNull();
  });

  test('the IAM step leads to the Account step when the account is not set up', async () => {
    await render(App, { refreshMs: 60_000 });
    await rail().getByRole('button', { name: 'IAM' }).click();
    await page.getByRole('button', { name: 'Go to the Account step' }).click();
    await expect.element(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();
    await expect.element(rail().getByRole('button', { name: 'Account' })).toHaveAttribute('aria-current', 'page');
  });

  test('before the Account step is done, every page that asks AWS leads there instead of failing on a region', async () => {
    const backend = mockAccountBackend(accountOverview({ settings: { source: { kind: 'profile', name: 'dev' } } }));
    await render(App, { refreshMs: 60_000 });
    const asked = backend.order().length;
    for (const name of ['IAM', 'Repository', 'Launch', 'Repositories', 'Deployments']) {
      await rail().getByRole('button', { name, exact: true }).click();
      await expect.element(page.getByRole('heading', { level: 1, name, exact: true })).toBeVisible();
      await expect.element(page.getByRole('heading', { name: 'Set up your account first' })).toBeVisible();
      // The identity is chosen; the region is what is missing.
      await expect.element(page.getByText('Choose a region.', { exact: true })).toBeVisible();
    }
    // None of them asked AWS on the way (the frame reads what the wizard remembers, and signs in
    // again quietly with the identity chosen before).
    const frame = ['get_wizard', 'verify_account'];
    expect(backend.order().slice(asked).filter((cmd) => !frame.includes(cmd))).toEqual([]);

    await page.getByRole('button', { name: 'Go to the Account step' }).click();
    await expect.element(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();
  });

  test('with no identity chosen, the page that asks AWS says to sign in first', async () => {
    mockAccountBackend(accountOverview());
    await render(App, { refreshMs: 60_000 });
    await rail().getByRole('button', { name: 'Deployments', exact: true }).click();
    await expect
      .element(page.getByText('Sign in with your browser, choose a profile, or save an access key first.'))
      .toBeVisible();
  });

  test('every page of the rail is built: it opens with its own heading', async () => {
    await render(App, { refreshMs: 60_000 });
    for (const name of [...STEPS, ...VIEWS]) {
      await rail().getByRole('button', { name, exact: true }).click();
      await expect.element(page.getByRole('heading', { level: 1, name, exact: true })).toBeVisible();
      expect(document.body.textContent).not.toContain('Not built yet');
    }
  });

  test('items can be activated from the keyboard with Enter and Space', async () => {
    await render(App, { refreshMs: 60_000 });

    rail().getByRole('button', { name: 'Deployments' }).element().focus();
    await userEvent.keyboard('{Enter}');
    await expect.element(page.getByRole('heading', { level: 1, name: 'Deployments' })).toBeVisible();
    await expect
      .element(rail().getByRole('button', { name: 'Deployments' }))
      .toHaveAttribute('aria-current', 'page');

    await userEvent.tab();
    await expect.element(rail().getByRole('button', { name: 'Activity' })).toHaveFocus();
    await userEvent.keyboard(' ');
    await expect.element(page.getByRole('heading', { level: 1, name: 'Activity' })).toBeVisible();
    await expect.element(rail().getByRole('button', { name: 'Activity' })).toHaveAttribute('aria-current', 'page');
  });

  test('steps already done show a check instead of their number, and say so to screen readers', async () => {
    const backend = mockAccountBackend();
    backend.answers.get_wizard = () => ({ executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole', repository: 'web', image: null });
    await render(App, { refreshMs: 60_000 });

    const steps = rail().getByRole('list', { name: 'Set up' }).getByRole('listitem');
    await expect.element(steps.nth(1)).toHaveTextContent(/^IAM\s*done$/);
    await expect.element(steps.nth(2)).toHaveTextContent(/^Repository\s*done$/);
    await expect.element(steps.nth(0)).toHaveTextContent(/^1\s*Account$/);
    await expect.element(steps.nth(3)).toHaveTextContent(/^4\s*Image$/);
    // The button keeps its plain name.
    await expect.element(steps.nth(1).getByRole('button', { name: 'IAM', exact: true })).toBeVisible();

    // Pushing an image (remembered by the backend) shows on the next page change.
    backend.answers.get_wizard = () => ({
      executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      repository: 'web',
      image: { repository: 'web', tag: 'v1', digest: 'sha256:0', uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1', platform: 'linux/amd64' },
    });
    await rail().getByRole('button', { name: 'Launch' }).click();
    await expect.element(steps.nth(3)).toHaveTextContent(/^Image\s*done$/);
  });

  test('after a restart the identity chosen before signs in again: the rail ticks Account without a visit', async () => {
    const backend = mockAccountBackend(
      accountOverview({ settings: { source: { kind: 'profile', name: 'default' }, region: 'eu-west-1' } }),
    );
    await render(App, { refreshMs: 60_000 });

    const steps = rail().getByRole('list', { name: 'Set up' }).getByRole('listitem');
    await expect.element(steps.nth(0)).toHaveTextContent(/^Account\s*done$/);
    expect(backend.calls.filter((c) => c.cmd === 'verify_account')).toHaveLength(1);
    await expect.element(page.getByRole('heading', { level: 1, name: 'Environment' })).toBeVisible();
  });

  test('nothing chosen yet: no sign-in is tried and Account is not ticked', async () => {
    const backend = mockAccountBackend();
    await render(App, { refreshMs: 60_000 });
    await expect.element(page.getByText('Docker engine is running')).toBeVisible();
    const steps = rail().getByRole('list', { name: 'Set up' }).getByRole('listitem');
    await expect.element(steps.nth(0)).toHaveTextContent(/^1\s*Account$/);
    expect(backend.calls.filter((c) => c.cmd === 'verify_account')).toHaveLength(0);
  });

  test('going back to Environment shows the checks again', async () => {
    await render(App, { refreshMs: 60_000 });

    await rail().getByRole('button', { name: 'Launch' }).click();
    await expect.element(page.getByRole('heading', { level: 1, name: 'Launch' })).toBeVisible();
    await rail().getByRole('button', { name: 'Environment' }).click();

    await expect.element(page.getByText('Docker engine is running')).toBeVisible();
  });
});

describe('language switch', () => {
  test('opens in the language saved in the settings file, even when the webview forgot it', async () => {
    const backend = mockAccountBackend();
    backend.answers.get_preferences = () => ({ ...defaultPreferences, language: 'ko' });
    localStorage.removeItem(STORAGE_KEY);
    await render(App, { refreshMs: 60_000 });
    await expect.element(page.getByRole('heading', { level: 1, name: '환경' })).toBeVisible();
    expect(backend.argsOf('update_preferences')).toEqual([]);
  });

  test('with no language saved yet, the window’s language is saved', async () => {
    const backend = mockAccountBackend();
    await render(App, { refreshMs: 60_000 });
    await expect.element(page.getByRole('heading', { level: 1, name: 'Environment' })).toBeVisible();
    await expect.poll(() => backend.preferences.language).toBe('en');
  });

  test('switching to 한국어 changes every label, sets html lang, and is remembered; English restores', async () => {
    await render(App, { refreshMs: 60_000 });
    await expect.element(page.getByRole('heading', { level: 1, name: 'Environment' })).toBeVisible();
    expect(document.documentElement.lang).toBe('en');

    await page.getByRole('combobox', { name: 'Language' }).selectOptions('한국어');

    await expect.element(page.getByRole('heading', { level: 1, name: '환경' })).toBeVisible();
    await expect.element(page.getByRole('navigation', { name: '주 메뉴' })).toBeVisible();
    await expect.element(page.getByRole('button', { name: '계정', exact: true })).toBeVisible();
    await expect.element(page.getByRole('button', { name: '다시 확인' })).toBeVisible();
    await expect.element(page.getByText('Docker 엔진이 실행 중입니다')).toBeVisible();
    expect(page.getByRole('button', { name: 'Account', exact: true }).query()).toBeNull();
    expect(page.getByRole('heading', { level: 1, name: 'Environment' }).query()).toBeNull();
    expect(document.documentElement.lang).toBe('ko');
    expect(localStorage.getItem(STORAGE_KEY)).toBe('ko');

    await page.getByRole('combobox', { name: '언어' }).selectOptions('English');

    await expect.element(page.getByRole('heading', { level: 1, name: 'Environment' })).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Account', exact: true })).toBeVisible();
    expect(page.getByRole('button', { name: '계정', exact: true }).query()).toBeNull();
    expect(document.documentElement.lang).toBe('en');
    expect(localStorage.getItem(STORAGE_KEY)).toBe('en');
  });
});

describe('account step', () => {
  test('the Account step is built: it shows the sign-in choices, not a placeholder', async () => {
    await render(App, { refreshMs: 60_000 });

    await rail().getByRole('button', { name: 'Account' }).click();

    await expect.element(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();
    await expect.element(page.getByText('Step 1', { exact: true })).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Verify', exact: true })).toBeVisible();
    expect(page.getByText(/Not built yet/).query()).toBeNull();
  });
});

describe('practice badge', () => {
  const practiceOn = () =>
    accountOverview({
      settings: { practice: { enabled: true, managed: false, endpointUrl: 'http://127.0.0.1:5000', registry: '127.0.0.1:5001' } },
    });
  const badge = () => page.getByRole('status').getByText('Practice — not real AWS');

  test('shows on every page when the saved settings use practice mode', async () => {
    mockAccountBackend(practiceOn());
    await render(App, { refreshMs: 60_000 });

    await expect.element(badge()).toBeVisible();
    for (const name of ['IAM', 'Account', 'Repositories', 'Settings']) {
      await rail().getByRole('button', { name, exact: true }).click();
      await expect.element(page.getByRole('heading', { level: 1, name })).toBeVisible();
      await expect.element(badge()).toBeVisible();
    }
  });

  test('is absent when practice mode is off', async () => {
    const backend = mockAccountBackend();
    await render(App, { refreshMs: 60_000 });
    await expect.poll(() => backend.order()).toContain('get_account');
    await expect.element(page.getByText('Docker engine is running')).toBeVisible();

    expect(page.getByText('Practice — not real AWS').query()).toBeNull();
    await rail().getByRole('button', { name: 'Launch' }).click();
    await expect.element(page.getByRole('heading', { level: 1, name: 'Launch' })).toBeVisible();
    expect(page.getByText('Practice — not real AWS').query()).toBeNull();
  });

  test('appears as soon as practice mode is saved on the Account page, and goes when it is turned off', async () => {
    mockAccountBackend(accountOverview({ settings: { practice: { enabled: false, managed: false, endpointUrl: 'http://127.0.0.1:5000', registry: '' } } }));
    await render(App, { refreshMs: 60_000 });
    await rail().getByRole('button', { name: 'Account' }).click();
    await page.getByText('Advanced', { exact: true }).click();
    const practice = page.getByRole('checkbox', { name: 'Practice mode', exact: true });

    await practice.click();
    await expect.element(badge()).toBeVisible();
    await rail().getByRole('button', { name: 'Image' }).click();
    await expect.element(badge()).toBeVisible();

    await rail().getByRole('button', { name: 'Account' }).click();
    await page.getByRole('checkbox', { name: 'Practice mode', exact: true }).click();
    await expect.poll(() => page.getByText('Practice — not real AWS').query()).toBeNull();
  });

  test('is in Korean after switching language', async () => {
    mockAccountBackend(practiceOn());
    await render(App, { refreshMs: 60_000 });
    await expect.element(badge()).toBeVisible();

    await page.getByRole('combobox', { name: 'Language' }).selectOptions('한국어');

    await expect.element(page.getByRole('status').getByText('연습 모드 — 실제 AWS 아님')).toBeVisible();
  });
});

describe('results come into view', () => {
  test('after "Create repository" the new repository comes to the top of the pane, even where scrollIntoView does nothing', async () => {
    await page.viewport(1200, 420);
    onTestFinished(() => page.viewport(414, 896));
    mockRepositories();
    await render(App, { refreshMs: 60_000 });
    await rail().getByRole('button', { name: 'Repository', exact: true }).click();
    await page.getByLabelText('Repository name', { exact: true }).fill('hello-web');
    await expect.element(page.getByText('aws ecr create-repository --repository-name hello-web', { exact: false })).toBeVisible();

    // Where the engine's scrollIntoView leaves the pane as it is (as the real app's webview did),
    // the result still comes into view.
    vi.spyOn(Element.prototype, 'scrollIntoView').mockImplementation(() => {});
    // The user scrolled down to the button at the end of the long form.
    const content = document.querySelector<HTMLElement>('main.content')!;
    const create = page.getByRole('button', { name: 'Create repository' });
    content.scrollTop = content.scrollHeight;
    expect(content.scrollTop).toBeGreaterThan(0);
    await create.click();

    const card = page.getByRole('region', { name: 'hello-web' });
    await expect.element(card).toHaveFocus();
    // The card's top is at the top of the pane (below the room kept for the practice banner), and
    // the window itself did not move.
    const margin = parseFloat(getComputedStyle(card.element()).scrollMarginTop);
    const top = () => card.element().getBoundingClientRect().top - content.getBoundingClientRect().top;
    await expect.poll(top).toBeCloseTo(margin, 0);
    expect(content.getBoundingClientRect().top).toBe(0);
    expect(document.scrollingElement?.scrollTop ?? 0).toBe(0);
  });
});

describe('Korean text', () => {
  test('wraps between words, never inside one, on every page', async () => {
    await render(App, { refreshMs: 60_000 });
    const summary = page.getByText(/Berth checks that Docker/).element();
    expect(getComputedStyle(summary).wordBreak).toBe('normal');

    await page.getByRole('combobox', { name: 'Language' }).selectOptions('한국어');
    await expect.element(page.getByRole('heading', { level: 1, name: '환경' })).toBeVisible();
    for (const element of [document.body, page.getByRole('heading', { level: 1 }).element(), document.querySelector('nav')!]) {
      expect(getComputedStyle(element).wordBreak).toBe('keep-all');
    }
  });
});
