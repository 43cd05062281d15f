import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { AccountOverview, BerthError } from '../ipc/types';
import { resetAccount } from '../lib/account.svelte';
import { setLanguage } from '../lib/i18n/index.svelte';
import { accountOverview, deferred, mockAccountBackend, resetLanguage } from '../test/fixtures';
import Account from './Account.svelte';
import Environment from './Environment.svelte';

const practiceButton = () => page.getByRole('button', { name: 'Practice without AWS', exact: true });
const leaveButton = () => page.getByRole('button', { name: 'Leave practice', exact: true });
const verifyButton = () => page.getByRole('button', { name: 'Verify', exact: true });

/** What start_practice answers: Berth's own practice, running on this run's ports. */
const practising = (): AccountOverview =>
  accountOverview({
    settings: {
      region: 'us-east-1',
      practice: { enabled: true, managed: true, endpointUrl: 'http://127.0.0.1:41234', registry: '127.0.0.1:41235' },
    },
  });

const practiceAccount = {
  account: '123456789012',
  arn: 'arn:aws:iam::123456789012:user/practice',
  principal: 'user' as const,
  name: 'practice',
};

beforeEach(() => {
  resetLanguage();
  resetAccount();
});

afterEach(() => {
  clearMocks();
  resetLanguage();
  resetAccount();
});

describe('practice without AWS', () => {
  test('one click starts practice, says so while it starts, then signs in by itself', async () => {
    const backend = mockAccountBackend(accountOverview());
    const started = deferred<AccountOverview>();
    backend.answers.start_practice = () => started.promise;
    backend.answers.verify_account = () => practiceAccount;
    await render(Account);
    await expect.element(verifyButton()).toBeVisible();

    await practiceButton().click();
    await expect.element(page.getByRole('status').getByText(/Starting the practice AWS and its registry/)).toBeVisible();
    await expect.element(practiceButton()).toBeDisabled();
    expect(backend.order()).toEqual(['get_account', 'start_practice']);

    backend.state = practising();
    started.resolve(practising());

    // Signed in without a further click, to the practice account.
    await expect.element(page.getByText('Signed in to the practice emulator')).toBeVisible();
    await expect.element(page.getByText('123456789012', { exact: true })).toBeVisible();
    expect(backend.order()).toEqual(['get_account', 'start_practice', 'update_account', 'verify_account']);
    // What was saved keeps Berth's own practice (never a typed endpoint).
    expect(backend.argsOf('update_account').at(-1)).toMatchObject({
      account: { practice: { enabled: true, managed: true } },
    });
    // Nothing to choose or type for practice: the sign-in choices and Advanced are gone.
    expect(page.getByRole('group', { name: 'How should Berth sign in to AWS?' }).query()).toBeNull();
    expect(page.getByText('Advanced', { exact: true }).query()).toBeNull();
    await expect.element(page.getByRole('heading', { name: 'Practising on this computer' })).toBeVisible();
    await expect.element(leaveButton()).toBeEnabled();
  });

  test('a missing part is named with the command that installs it; nothing else changes', async () => {
    const backend = mockAccountBackend(accountOverview());
    const missing: BerthError = {
      kind: 'practicePartsMissing',
      params: { parts: 'environment', command: 'bash /usr/lib/Berth/practice/install.sh' },
      details: 'no Python environment at /var/cache/berth/moto-venv/bin/python',
    };
    backend.answers.start_practice = () => Promise.reject(missing);
    await render(Account);

    await practiceButton().click();

    await expect.element(page.getByText("Practice didn't start.")).toBeVisible();
    await expect.element(page.getByText("Practice needs parts that aren't installed")).toBeVisible();
    await expect.element(page.getByText(/Missing: environment/)).toBeVisible();
    const command = page.getByText('bash /usr/lib/Berth/practice/install.sh', { exact: true });
    await expect.element(command).toBeVisible();
    expect(command.element().tagName).toBe('CODE');
    // The focus goes to the explanation, and the button can be pressed again after installing.
    expect(document.activeElement?.textContent).toContain("Practice didn't start.");
    await expect.element(practiceButton()).toBeEnabled();
    expect(backend.order()).toEqual(['get_account', 'start_practice']);
    await expect.element(page.getByRole('group', { name: 'How should Berth sign in to AWS?' })).toBeVisible();
  });

  test('"Leave practice" stops it, keeps its data, and brings back the sign-in choices', async () => {
    const backend = mockAccountBackend(practising());
    backend.answers.stop_practice = () => {
      backend.state = accountOverview();
      return backend.state;
    };
    await render(Account);
    await expect.element(leaveButton()).toBeVisible();

    await leaveButton().click();

    await expect.element(practiceButton()).toBeVisible();
    expect(backend.argsOf('stop_practice')).toEqual([{}]);
    expect(backend.order()).not.toContain('reset_practice');
    await expect.element(page.getByRole('group', { name: 'How should Berth sign in to AWS?' })).toBeVisible();
    expect(page.getByText('Signed in to the practice emulator').query()).toBeNull();
  });

  test('"Reset practice data" asks first; confirmed, it resets, leaves practice, and says so', async () => {
    const backend = mockAccountBackend(practising());
    backend.answers.reset_practice = () => {
      backend.state = accountOverview();
      return backend.state;
    };
    await render(Account);
    const resetButton = page.getByRole('button', { name: 'Reset practice data…', exact: true });
    await resetButton.click();

    const dialog = page.getByRole('dialog', { name: 'Reset practice data?' });
    await expect.element(dialog).toBeVisible();
    await expect.element(dialog.getByText("This can't be undone.", { exact: false })).toBeVisible();
    // The safe choice has the focus; Cancel changes nothing.
    await expect.element(dialog.getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(backend.order()).not.toContain('reset_practice');
    await expect.element(leaveButton()).toBeEnabled();

    await resetButton.click();
    await dialog.getByRole('button', { name: 'Reset practice data', exact: true }).click();

    await expect.element(page.getByText('Practice data reset. The next practice starts empty.')).toBeVisible();
    expect(backend.argsOf('reset_practice')).toEqual([{}]);
    expect(backend.order()).not.toContain('stop_practice');
    await expect.element(practiceButton()).toBeVisible();
    expect(page.getByRole('button', { name: 'Reset practice data…' }).query()).toBeNull();
  });

  test('with practice off, the reset is offered only when earlier practice data is kept', async () => {
    const backend = mockAccountBackend(accountOverview());
    await render(Account);
    await expect.element(practiceButton()).toBeVisible();
    await expect.poll(() => backend.argsOf('practice_status').length).toBe(1);
    expect(page.getByRole('button', { name: 'Reset practice data…' }).query()).toBeNull();
    clearMocks();
    resetAccount();
    document.body.innerHTML = '';

    const kept = mockAccountBackend(accountOverview());
    kept.answers.practice_status = () => ({ state: 'stopped', endpoints: null, hasSavedData: true });
    await render(Account);
    await expect.element(page.getByRole('button', { name: 'Reset practice data…', exact: true })).toBeVisible();
  });

  test('in Korean the action has its Korean name', async () => {
    mockAccountBackend(accountOverview());
    setLanguage('ko');
    await render(Account);

    await expect.element(page.getByRole('button', { name: 'AWS 없이 연습하기', exact: true })).toBeVisible();
    await expect.element(page.getByRole('heading', { name: 'AWS 계정 없이 연습하기' })).toBeVisible();
  });
});

describe('practice from the first screen', () => {
  test('the Environment page offers it too, and goes on to the Account step once it runs', async () => {
    const backend = mockAccountBackend(accountOverview());
    backend.answers.start_practice = () => {
      backend.state = practising();
      return backend.state;
    };
    const visited: string[] = [];
    await render(Environment, { refreshMs: 60_000, onnavigate: (p: string) => visited.push(p) });

    await practiceButton().click();

    await expect.poll(() => visited).toEqual(['account']);
    expect(backend.order()).toEqual(['start_practice']);
  });

  test('the Account step signs in by itself when Berth practises already (after a restart)', async () => {
    const backend = mockAccountBackend(practising());
    backend.answers.verify_account = () => practiceAccount;
    await render(Account);

    await expect.element(page.getByText('Signed in to the practice emulator')).toBeVisible();
    expect(backend.order()).toEqual(['get_account', 'update_account', 'verify_account']);
  });
});
