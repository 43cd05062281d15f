import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, expect, test } from 'vitest';
import { accountOverview, aliceVerified } from '../test/fixtures';
import { account, resetAccount, restoreSignIn, setOverview, setVerified } from './account.svelte';

afterEach(() => {
  clearMocks();
  resetAccount();
});

const managedPractice = { enabled: true, managed: true, endpointUrl: '', registry: '' };

/** verify_account fails `failures` times (practice still starting), then signs in. */
function verifier(failures: number) {
  let calls = 0;
  mockIPC((cmd) => {
    if (cmd !== 'verify_account') throw new Error(`unexpected command ${cmd}`);
    calls++;
    if (calls <= failures) return Promise.reject({ kind: 'practiceNotRunning', params: {}, details: null });
    return aliceVerified;
  });
  return () => calls;
}

test("Berth's own practice, still starting after a restart, is waited for", async () => {
  const calls = verifier(3);
  setOverview(accountOverview({ settings: { region: 'us-east-1', practice: managedPractice } }));
  const waits: number[] = [];
  await restoreSignIn(async (ms) => void waits.push(ms));
  expect(calls()).toBe(4);
  expect(waits).toEqual([1000, 1000, 1000]);
  expect(account.verified).toEqual(aliceVerified);
});

test('a profile that fails is not tried again (the Account step shows why)', async () => {
  const calls = verifier(1);
  setOverview(accountOverview({ settings: { source: { kind: 'profile', name: 'work' }, region: 'us-east-1' } }));
  await restoreSignIn(async () => {});
  expect(calls()).toBe(1);
  expect(account.verified).toBeNull();
});

test('an answer for settings changed meanwhile is dropped', async () => {
  let answer!: (value: typeof aliceVerified) => void;
  mockIPC(() => new Promise((resolve) => (answer = resolve)));
  setOverview(accountOverview({ settings: { source: { kind: 'profile', name: 'work' }, region: 'us-east-1' } }));
  const restoring = restoreSignIn(async () => {});
  // The user picks another profile on the Account step while the quiet check runs.
  await Promise.resolve();
  setVerified(null);
  setOverview(accountOverview({ settings: { source: { kind: 'profile', name: 'other' }, region: 'us-east-1' } }));
  answer(aliceVerified);
  await restoring;
  expect(account.verified).toBeNull();
});

test('what the Account step still has to settle: an identity, then a region; nothing in Berth’s own practice', () => {
  expect(account.missingSetting).toBeNull(); // not read yet: pages go on and say what fails
  setOverview(accountOverview());
  expect(account.missingSetting).toBe('identity');
  setOverview(accountOverview({ settings: { source: { kind: 'profile', name: 'work' } } }));
  expect(account.missingSetting).toBe('region');
  setOverview(accountOverview({ settings: { source: { kind: 'profile', name: 'work' }, region: 'us-east-1' } }));
  expect(account.missingSetting).toBeNull();
  // Berth's own practice signs in with its practice keys: there is no identity to choose.
  setOverview(accountOverview({ settings: { region: 'us-east-1', practice: managedPractice } }));
  expect(account.missingSetting).toBeNull();
});
