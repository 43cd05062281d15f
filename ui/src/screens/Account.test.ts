import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { BerthError, JobEvent, SignedIn, VerifiedIdentity } from '../ipc/types';
import { account, resetAccount } from '../lib/account.svelte';
import { setLanguage } from '../lib/i18n/index.svelte';
import {
  accountOverview,
  aliceVerified,
  deferred,
  invalidInput,
  mockAccountBackend,
  resetLanguage,
  sleep,
} from '../test/fixtures';
import Account from './Account.svelte';

const KEY_ID = 'AKIATESTBERTH0001';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYtestSECRET';

const saved = (name: string, maskedKeyId: string, hasSessionToken = false) => ({ name, maskedKeyId, hasSessionToken });

const keychainRadio = () => page.getByRole('radio', { name: 'An access key kept in your system keychain' });
const profileRadio = () => page.getByRole('radio', { name: 'A profile from ~/.aws' });
const browserRadio = () => page.getByRole('radio', { name: 'Sign in with your browser' });
const savedKeys = () => page.getByRole('group', { name: 'Which saved key should Berth use?' });
const nameInput = () => page.getByLabelText('Name', { exact: true });
const keyIdInput = () => page.getByLabelText('Access key ID', { exact: true });
const secretInput = () => page.getByLabelText('Secret access key', { exact: true });
const tokenInput = () => page.getByLabelText('Session token', { exact: true });
const regionSelect = () => page.getByRole('combobox', { name: 'Region', exact: true });
const verifyButton = () => page.getByRole('button', { name: 'Verify', exact: true });

async function renderLoaded(props: { onnavigate?: (page: string) => void } = {}) {
  const screen = await render(Account, props);
  await expect.element(verifyButton()).toBeVisible();
  return screen;
}

/** Without profiles the browser sign-in is proposed; these tests are about the key form. */
async function renderKeyForm() {
  const screen = await renderLoaded();
  await keychainRadio().click();
  return screen;
}

beforeEach(() => {
  resetLanguage();
  resetAccount();
});

afterEach(() => {
  clearMocks();
  resetLanguage();
  resetAccount();
});

describe('sign-in choice', () => {
  test('offers a profile or a keychain key; the profile select lists name, region and kind', async () => {
    mockAccountBackend(
      accountOverview({ settings: { source: { kind: 'profile', name: 'work-sso' }, region: 'eu-west-1' } }),
    );
    await renderLoaded();

    await expect.element(page.getByRole('group', { name: 'How should Berth sign in to AWS?' })).toBeVisible();
    await expect.element(profileRadio()).toBeChecked();
    await expect.element(keychainRadio()).not.toBeChecked();
    const select = page.getByRole('combobox', { name: 'Profile', exact: true });
    await expect.element(select).toHaveValue('work-sso');
    const options = select.getByRole('option');
    await expect.element(options.nth(0)).toHaveTextContent('default — eu-west-1 — Static keys');
    await expect.element(options.nth(1)).toHaveTextContent('work-sso — no region — SSO');
    // The key form only shows for the keychain choice.
    expect(keyIdInput().query()).toBeNull();
  });

  test('without profiles the profile choice is disabled, says why, and the browser sign-in is chosen', async () => {
    mockAccountBackend(accountOverview({ profiles: [] }));
    await renderLoaded();

    await expect.element(profileRadio()).toBeDisabled();
    await expect.element(profileRadio()).toHaveAccessibleDescription(/no profiles were found in ~\/\.aws/);
    await expect.element(browserRadio()).toBeChecked();
    await keychainRadio().click();
    await expect.element(savedKeys().getByText('No access keys saved yet. Add one below.')).toBeVisible();
  });

  test('choosing a source, a profile, a key or a region is saved at once', async () => {
    const backend = mockAccountBackend(
      accountOverview({ identities: [saved('personal', 'AKIA…AAAA'), saved('work', 'AKIA…BBBB')] }),
    );
    await renderLoaded();

    await page.getByRole('combobox', { name: 'Profile', exact: true }).selectOptions('work-sso');
    await expect.poll(() => backend.argsOf('update_account').at(-1)).toMatchObject({
      account: { source: { kind: 'profile', name: 'work-sso' }, region: null },
    });

    await keychainRadio().click();
    await expect.poll(() => backend.argsOf('update_account').at(-1)).toMatchObject({
      account: { source: { kind: 'keychain', name: 'personal' } },
    });

    await savedKeys().getByRole('radio', { name: 'work' }).click();
    await expect.poll(() => backend.argsOf('update_account').at(-1)).toMatchObject({
      account: { source: { kind: 'keychain', name: 'work' } },
    });

    await regionSelect().selectOptions('ap-northeast-2');
    await expect.poll(() => backend.argsOf('update_account').at(-1)).toEqual({
      account: {
        source: { kind: 'keychain', name: 'work' },
        region: 'ap-northeast-2',
        practice: { enabled: false, managed: false, endpointUrl: '', registry: '' },
      },
    });
    expect(backend.state.settings.region).toBe('ap-northeast-2');
    expect(backend.order()).not.toContain('verify_account');
  });

  test('picking a profile with a region fills in the region when none was chosen yet', async () => {
    const backend = mockAccountBackend(
      accountOverview({
        profiles: [
          { name: 'seoul', region: 'ap-northeast-2', kind: 'staticKeys' },
          { name: 'tokyo', region: 'ap-northeast-1', kind: 'sso' },
        ],
      }),
    );
    await renderLoaded();

    await page.getByRole('combobox', { name: 'Profile', exact: true }).selectOptions('tokyo');

    await expect.element(regionSelect()).toHaveValue('ap-northeast-1');
    await expect.poll(() => backend.argsOf('update_account').at(-1)).toMatchObject({
      account: { source: { kind: 'profile', name: 'tokyo' }, region: 'ap-northeast-1' },
    });
  });
});

describe('saving an access key', () => {
  test('sends exactly what was typed, lists the key masked, and empties the secret', async () => {
    const backend = mockAccountBackend(accountOverview({ profiles: [] }));
    await renderKeyForm();

    await expect.element(nameInput()).toHaveValue('default');
    await nameInput().fill('work laptop');
    await keyIdInput().fill(KEY_ID);
    await secretInput().fill(SECRET);
    await page.getByRole('button', { name: 'Save to keychain' }).click();

    await expect.poll(() => backend.argsOf('save_identity')).toEqual([
      { identity: { name: 'work laptop', accessKeyId: KEY_ID, secretAccessKey: SECRET, sessionToken: null } },
    ]);
    const row = savedKeys().getByRole('listitem').filter({ hasText: 'work laptop' });
    await expect.element(row.getByText('AKIA…0001')).toBeVisible();
    await expect.element(savedKeys().getByRole('radio', { name: 'work laptop' })).toBeChecked();
    await expect.element(savedKeys().getByRole('radio', { name: 'work laptop' })).toHaveAccessibleDescription('AKIA…0001');
    await expect.element(page.getByRole('status').getByText(/Saved “work laptop” to the keychain/)).toBeVisible();

    await expect.element(secretInput()).toHaveValue('');
    await expect.element(keyIdInput()).toHaveValue('');
    // The secret is nowhere on the page and nowhere in storage.
    expect(document.body.innerHTML).not.toContain(SECRET);
    for (let i = 0; i < localStorage.length; i++) {
      expect(localStorage.getItem(localStorage.key(i)!)).not.toContain(SECRET);
    }
    expect(JSON.stringify(account.overview)).not.toContain(SECRET);
    expect(location.href).not.toContain(SECRET);
  });

  test('a session token goes along when given, and is emptied too', async () => {
    const backend = mockAccountBackend(accountOverview({ profiles: [] }));
    await renderKeyForm();

    await keyIdInput().fill('ASIATESTBERTH0002');
    await secretInput().fill(SECRET);
    await expect.element(tokenInput()).not.toBeVisible();
    await page.getByText('Temporary credentials? Add a session token').click();
    await tokenInput().fill('IQoJb3JpZ2luX2VjEtoken');
    await secretInput().click();
    await userEvent.keyboard('{Enter}');

    await expect.poll(() => backend.argsOf('save_identity')).toEqual([
      {
        identity: {
          name: 'default',
          accessKeyId: 'ASIATESTBERTH0002',
          secretAccessKey: SECRET,
          sessionToken: 'IQoJb3JpZ2luX2VjEtoken',
        },
      },
    ]);
    await expect.element(savedKeys().getByText('Temporary')).toBeVisible();
    expect((tokenInput().element() as HTMLInputElement).value).toBe('');
    expect((secretInput().element() as HTMLInputElement).value).toBe('');
  });

  test('the secret is hidden until asked for', async () => {
    mockAccountBackend(accountOverview({ profiles: [] }));
    await renderKeyForm();

    await secretInput().fill(SECRET);
    const input = secretInput().element() as HTMLInputElement;
    expect(input.type).toBe('password');
    expect(input.autocomplete).toBe('off');
    expect(input.spellcheck).toBe(false);

    const toggle = page.getByRole('button', { name: 'Show secret' });
    await expect.element(toggle).toHaveAttribute('aria-pressed', 'false');
    await toggle.click();
    expect(input.type).toBe('text');
    await expect.element(toggle).toHaveAttribute('aria-pressed', 'true');
    await toggle.click();
    expect(input.type).toBe('password');
  });

  test('invalidInput on accessKeyId marks that field with the message and keeps what was typed', async () => {
    const backend = mockAccountBackend(accountOverview({ profiles: [] }));
    backend.answers.save_identity = () => Promise.reject(invalidInput('accessKeyId', 'format'));
    await renderKeyForm();

    // Passes the form's own checks; the backend refuses it.
    await keyIdInput().fill('TESTBERTHREFUSED0001');
    await secretInput().fill(SECRET);
    await page.getByRole('button', { name: 'Save to keychain' }).click();

    await expect.element(keyIdInput()).toHaveAttribute('aria-invalid', 'true');
    await expect
      .element(keyIdInput())
      .toHaveAccessibleDescription(/16–128 capital letters and digits, usually starting with AKIA or ASIA/);
    await expect.element(keyIdInput()).toHaveFocus();
    expect(secretInput().element().getAttribute('aria-invalid')).toBeNull();
    // Kept, so the typo can be fixed without pasting the secret again.
    await expect.element(secretInput()).toHaveValue(SECRET);

    // Editing the field clears its error.
    await keyIdInput().fill(KEY_ID);
    expect(keyIdInput().element().getAttribute('aria-invalid')).toBeNull();
    expect(page.getByText(/16–128 capital letters/).query()).toBeNull();
  });

  test('every field with a problem is marked at once, before anything is sent; a lower-case key id is fine', async () => {
    const backend = mockAccountBackend(accountOverview({ profiles: [] }));
    await renderKeyForm();

    await nameInput().fill('');
    await keyIdInput().fill('TESTBERTH KEY');
    await secretInput().fill('two words');
    await page.getByRole('button', { name: 'Save to keychain' }).click();

    await expect.element(nameInput()).toHaveAttribute('aria-invalid', 'true');
    await expect.element(nameInput()).toHaveFocus();
    await expect.element(keyIdInput()).toHaveAttribute('aria-invalid', 'true');
    await expect.element(secretInput()).toHaveAttribute('aria-invalid', 'true');
    expect(backend.argsOf('save_identity')).toEqual([]);

    await nameInput().fill('work');
    await keyIdInput().fill(KEY_ID.toLowerCase());
    await secretInput().fill(SECRET);
    await page.getByRole('button', { name: 'Save to keychain' }).click();
    // Sent as typed; the backend stores it in upper case.
    await expect.poll(() => backend.argsOf('save_identity')).toHaveLength(1);
    expect(keyIdInput().element().getAttribute('aria-invalid')).toBeNull();
  });

  test('a keychain failure is explained under the form', async () => {
    const backend = mockAccountBackend(accountOverview({ profiles: [] }));
    backend.answers.save_identity = () =>
      Promise.reject({ kind: 'keychainUnavailable', params: { name: 'default' }, details: 'no secret service' });
    await renderKeyForm();

    await keyIdInput().fill(KEY_ID);
    await secretInput().fill(SECRET);
    await page.getByRole('button', { name: 'Save to keychain' }).click();

    await expect.element(page.getByText('No system keychain found')).toBeVisible();
    await expect.element(page.getByText(/install and run gnome-keyring/)).toBeVisible();
    await expect.element(page.getByText(/never in a file/)).toBeVisible();
    await expect.element(secretInput()).toHaveValue(SECRET);
  });

  test('leaving the page and coming back starts with empty key fields', async () => {
    mockAccountBackend(accountOverview({ profiles: [] }));
    const screen = await renderKeyForm();
    await secretInput().fill(SECRET);
    screen.unmount();

    await renderKeyForm();
    await expect.element(secretInput()).toHaveValue('');
  });
});

describe('removing a saved key', () => {
  const twoKeys = () =>
    accountOverview({
      profiles: [],
      identities: [saved('personal', 'AKIA…AAAA'), saved('work', 'AKIA…BBBB')],
      settings: { source: { kind: 'keychain', name: 'work' } },
    });

  test('asks first; "Keep" does nothing and returns focus', async () => {
    const backend = mockAccountBackend(twoKeys());
    await renderLoaded();

    const removeWork = page.getByRole('button', { name: 'Remove work from the keychain' });
    await removeWork.click();

    await expect.element(page.getByText(/Remove “work” from the keychain\?/)).toBeVisible();
    const keep = page.getByRole('button', { name: 'Keep', exact: true });
    await expect.element(keep).toHaveFocus();
    await keep.click();

    expect(page.getByText(/Remove “work” from the keychain\?/).query()).toBeNull();
    await expect.element(removeWork).toHaveFocus();
    await expect.element(savedKeys().getByRole('radio', { name: 'work' })).toBeChecked();
    await sleep(50);
    expect(backend.argsOf('remove_identity')).toEqual([]);
  });

  test('Escape also keeps the key', async () => {
    const backend = mockAccountBackend(twoKeys());
    await renderLoaded();

    page.getByRole('button', { name: 'Remove personal from the keychain' }).element().focus();
    await userEvent.keyboard('{Enter}');
    await expect.element(page.getByRole('button', { name: 'Keep', exact: true })).toHaveFocus();
    await userEvent.keyboard('{Escape}');

    expect(page.getByRole('button', { name: 'Keep', exact: true }).query()).toBeNull();
    await expect.element(page.getByRole('button', { name: 'Remove personal from the keychain' })).toHaveFocus();
    expect(backend.argsOf('remove_identity')).toEqual([]);
  });

  test('"Remove" calls remove_identity with the name and the key leaves the list', async () => {
    const backend = mockAccountBackend(twoKeys());
    await renderLoaded();

    await page.getByRole('button', { name: 'Remove work from the keychain' }).click();
    await page.getByRole('button', { name: 'Remove', exact: true }).click();

    await expect.poll(() => backend.argsOf('remove_identity')).toEqual([{ name: 'work' }]);
    expect(savedKeys().getByRole('radio', { name: 'work' }).query()).toBeNull();
    await expect.element(page.getByText('Removed “work” from the keychain.')).toHaveFocus();
    // The remaining key is chosen instead, and that choice is saved.
    await expect.element(savedKeys().getByRole('radio', { name: 'personal' })).toBeChecked();
    await expect.poll(() => backend.state.settings.source).toEqual({ kind: 'keychain', name: 'personal' });
  });
});

describe('region', () => {
  test('preselects the saved region, else the suggested one; options show name and code', async () => {
    mockAccountBackend(accountOverview({ suggestedRegion: 'eu-west-1' }));
    await renderLoaded();

    await expect.element(regionSelect()).toHaveValue('eu-west-1');
    await expect
      .element(regionSelect().getByRole('option', { name: 'Asia Pacific (Seoul) — ap-northeast-2' }))
      .toBeInTheDocument();
    await expect
      .element(regionSelect().getByRole('option', { name: 'US East (N. Virginia) — us-east-1' }))
      .toBeInTheDocument();
  });

  test('a code Berth has no name for shows just the code', async () => {
    mockAccountBackend(
      accountOverview({ regions: ['us-east-1', 'xx-future-9'], settings: { region: 'xx-future-9' } }),
    );
    await renderLoaded();

    await expect.element(regionSelect()).toHaveValue('xx-future-9');
    await expect.element(regionSelect().getByRole('option', { name: 'xx-future-9', exact: true })).toBeInTheDocument();
  });

  test('in Korean the regions have Korean names', async () => {
    setLanguage('ko');
    mockAccountBackend(accountOverview({ settings: { region: 'ap-northeast-2' } }));
    await render(Account);

    const select = page.getByRole('combobox', { name: '리전', exact: true });
    await expect.element(select).toHaveValue('ap-northeast-2');
    await expect.element(select.getByRole('option', { name: '아시아 태평양(서울) — ap-northeast-2' })).toBeInTheDocument();
    await expect.element(page.getByRole('radio', { name: '시스템 키체인에 보관한 액세스 키' })).toBeVisible();
    await expect.element(page.getByRole('button', { name: '확인', exact: true })).toBeVisible();
  });
});

describe('practice mode', () => {
  test('fields sit under "Advanced"; a bad endpoint is marked at the field, a good one is saved', async () => {
    const backend = mockAccountBackend(accountOverview({ settings: { region: 'us-east-1' } }));
    await renderLoaded();

    const practice = page.getByRole('checkbox', { name: 'Practice mode', exact: true });
    const endpoint = page.getByLabelText('Endpoint URL', { exact: true });
    // Folded away until asked for (hidden content is not in the accessibility tree).
    expect(practice.query()).toBeNull();
    await page.getByText('Advanced', { exact: true }).click();
    await expect.element(practice).toHaveAccessibleDescription(/use a local AWS emulator instead of AWS/i);
    // The example is a hint, not a placeholder that looks like a filled-in address (issue 18).
    expect(endpoint.element().hasAttribute('placeholder')).toBe(false);
    await expect.element(endpoint).toHaveAccessibleDescription(/e\.g\. http:\/\/127\.0\.0\.1:5000/);
    await expect
      .element(page.getByLabelText('Registry override', { exact: true }))
      .toHaveAccessibleDescription(/e\.g\. 127\.0\.0\.1:5001/);
    await expect
      .element(page.getByLabelText('Registry override', { exact: true }))
      .toHaveAccessibleDescription(/Stands in for Amazon ECR when Berth pushes images/);

    await practice.click();
    await endpoint.fill('127.0.0.1:5000');

    await expect.element(endpoint).toHaveAttribute('aria-invalid', 'true');
    await expect.element(endpoint).toHaveAccessibleDescription(/Enter an http:\/\/ or https:\/\/ address/);
    expect(account.practice).toBe(false);

    await endpoint.fill('http://127.0.0.1:5000');
    await expect.poll(() => account.practice).toBe(true);
    expect(endpoint.element().getAttribute('aria-invalid')).toBeNull();
    expect(backend.state.settings.practice).toEqual({
      enabled: true,
      managed: false,
      endpointUrl: 'http://127.0.0.1:5000',
      registry: '',
    });
  });

  test('a registry override that is not host:port is named as it is typed, saying what one looks like', async () => {
    mockAccountBackend(accountOverview({ settings: { region: 'us-east-1' } }));
    await renderLoaded();
    await page.getByText('Advanced', { exact: true }).click();
    const registry = page.getByLabelText('Registry override', { exact: true });

    // Practice mode is still off and the endpoint empty: nothing is saved yet, the field speaks anyway.
    await registry.fill('not a registry');
    await expect.element(registry).toHaveAttribute('aria-invalid', 'true');
    await expect
      .element(registry)
      .toHaveAccessibleDescription(/isn't a registry address\. A registry address is a host name or IP address and a port, like 127\.0\.0\.1:5001/);
    await registry.fill('http://127.0.0.1:5001');
    await expect.element(registry).toHaveAccessibleDescription(/Leave out http:\/\//);
    await registry.fill('localhost');
    await expect.element(registry).toHaveAccessibleDescription(/Add the port the registry listens on/);
    await registry.fill('localhost:5000');
    await expect.poll(() => registry.element().getAttribute('aria-invalid')).toBeNull();
    expect(document.body.textContent).not.toContain('registry address');
  });

  test('opens by itself when practice mode is on', async () => {
    mockAccountBackend(
      accountOverview({ settings: { practice: { enabled: true, managed: false, endpointUrl: 'http://127.0.0.1:5000', registry: '' } } }),
    );
    await renderLoaded();

    await expect.element(page.getByRole('checkbox', { name: 'Practice mode', exact: true })).toBeChecked();
    await expect.element(page.getByLabelText('Endpoint URL', { exact: true })).toHaveValue('http://127.0.0.1:5000');
  });
});

describe('verify', () => {
  const ready = () =>
    accountOverview({ settings: { source: { kind: 'profile', name: 'default' }, region: 'eu-west-1' } });

  test('saves the form first, then shows account id, ARN, type and name, with the focus on it', async () => {
    const backend = mockAccountBackend(ready());
    await renderLoaded();

    await verifyButton().click();

    const result = page.getByRole('region', { name: 'Signed in to AWS' });
    await expect.element(result).toBeVisible();
    await expect.element(result).toHaveFocus();
    await expect.element(result.getByText('123456789012', { exact: true })).toBeVisible();
    await expect.element(result.getByText('arn:aws:iam::123456789012:user/team/alice')).toBeVisible();
    await expect.element(result.getByText('IAM user')).toBeVisible();
    await expect.element(result.getByText('alice', { exact: true })).toBeVisible();
    expect(backend.order().slice(-2)).toEqual(['update_account', 'verify_account']);
    expect(backend.argsOf('update_account').at(-1)).toEqual({
      account: {
        source: { kind: 'profile', name: 'default' },
        region: 'eu-west-1',
        practice: { enabled: false, managed: false, endpointUrl: '', registry: '' },
      },
    });
    expect(account.verified).toEqual(aliceVerified);
  });

  test('once verified, "Next: IAM" goes on to step 2', async () => {
    mockAccountBackend(ready());
    const visited: string[] = [];
    await renderLoaded({ onnavigate: (page) => visited.push(page) });
    await expect.element(page.getByRole('button', { name: 'Next: IAM' })).not.toBeInTheDocument();
    await verifyButton().click();
    await page.getByRole('button', { name: 'Next: IAM' }).click();
    expect(visited).toEqual(['iam']);
  });

  test('says "Verifying…" and is disabled while AWS answers', async () => {
    const backend = mockAccountBackend(ready());
    const answer = deferred<VerifiedIdentity>();
    backend.answers.verify_account = () => answer.promise;
    await renderLoaded();

    await verifyButton().click();
    const busy = page.getByRole('button', { name: 'Verifying…' });
    await expect.element(busy).toBeDisabled();

    answer.resolve({ ...aliceVerified, principal: 'role', name: 'Deploy' });
    await expect.element(verifyButton()).toBeEnabled();
    await expect.element(page.getByText('Role', { exact: true })).toBeVisible();
  });

  test('root keys are refused with the reason and how to create an IAM user', async () => {
    const backend = mockAccountBackend(ready());
    backend.answers.verify_account = () =>
      Promise.reject({ kind: 'rootCredentials', params: { account: '123456789012' }, details: null } satisfies BerthError);
    await renderLoaded();

    await verifyButton().click();

    await expect.element(page.getByText('These are root user keys')).toBeVisible();
    await expect.element(page.getByText(/root user of account 123456789012/)).toBeVisible();
    await expect.element(page.getByText(/its rights can't be limited/)).toBeVisible();
    await expect.element(page.getByText(/IAM → Users → Add user/)).toBeVisible();
    await expect.element(page.getByText(/Create access key/)).toBeVisible();
    await expect.element(page.getByText(/delete the root access key/)).toBeVisible();
    const box = page.getByText('These are root user keys').element().closest('[tabindex="-1"]');
    expect(document.activeElement).toBe(box);
    expect(page.getByRole('region', { name: 'Signed in to AWS' }).query()).toBeNull();
  });

  test('an SSO profile that needs a login names the command', async () => {
    const backend = mockAccountBackend(ready());
    backend.answers.verify_account = () =>
      Promise.reject({ kind: 'ssoLoginRequired', params: { profile: 'default' }, details: 'token expired' });
    await renderLoaded();

    await verifyButton().click();
    await expect.element(page.getByText('aws sso login --profile default')).toBeVisible();
  });

  test('a missing region is marked at the Region select, which gets the focus', async () => {
    const backend = mockAccountBackend(accountOverview({ settings: { source: { kind: 'profile', name: 'default' } } }));
    backend.answers.verify_account = () => Promise.reject(invalidInput('region', 'required'));
    await renderLoaded();

    await expect.element(regionSelect()).toHaveValue('');
    await verifyButton().click();

    await expect.element(regionSelect()).toHaveAttribute('aria-invalid', 'true');
    await expect.element(regionSelect()).toHaveAccessibleDescription(/Choose a region\./);
    await expect.element(regionSelect()).toHaveFocus();
  });

  test('no identity is told as a notice: choose a profile or save a key first', async () => {
    const backend = mockAccountBackend(accountOverview({ profiles: [], settings: { region: 'us-east-1' } }));
    backend.answers.verify_account = () => Promise.reject(invalidInput('identity', 'required'));
    await renderLoaded();

    await verifyButton().click();

    await expect.element(page.getByText('Check what you entered')).toBeVisible();
    await expect
      .element(page.getByText('Sign in with your browser, choose a profile, or save an access key first.'))
      .toBeVisible();
    expect(backend.argsOf('update_account').at(-1)).toMatchObject({ account: { source: null } });
  });

  test('changing a choice afterwards clears the result', async () => {
    mockAccountBackend(ready());
    await renderLoaded();
    await verifyButton().click();
    await expect.element(page.getByRole('region', { name: 'Signed in to AWS' })).toBeVisible();

    await regionSelect().selectOptions('us-west-2');

    expect(page.getByRole('region', { name: 'Signed in to AWS' }).query()).toBeNull();
    expect(account.verified).toBeNull();
  });
});

describe('sign in with your browser', () => {
  const signInButton = () => page.getByRole('button', { name: 'Sign in with your browser', exact: true });
  const URL = 'https://us-east-1.signin.aws.amazon.com/v1/authorize?response_type=code&state=s-1';
  const waitingEvent = (opened = true): JobEvent => ({
    type: 'signIn',
    event: { url: URL, opened, timeoutSecs: 600 },
  });
  const result = (session = 'arn:aws:iam::123456789012:user/admin'): SignedIn => ({
    profile: 'berth',
    region: 'us-east-1',
    account: '123456789012',
    session,
    root: session.endsWith(':root'),
    configFile: '/home/ada/.aws/config',
    command: 'aws login --profile berth --region us-east-1',
  });

  test('is the second way, beside profiles and keys; it names the profile, the region and the CLI command', async () => {
    mockAccountBackend(accountOverview({ settings: { region: 'eu-west-1' } }));
    await renderLoaded();

    const radios = page.getByRole('group', { name: 'How should Berth sign in to AWS?' }).getByRole('radio');
    await expect.element(radios.nth(0)).toHaveAccessibleName('A profile from ~/.aws');
    await expect.element(radios.nth(1)).toHaveAccessibleName('Sign in with your browser');
    await expect.element(radios.nth(2)).toHaveAccessibleName('An access key kept in your system keychain');
    await expect.element(browserRadio()).toHaveAccessibleDescription(/No access key to create or paste/);

    await browserRadio().click();
    const name = page.getByRole('textbox', { name: 'Profile name', exact: true });
    await expect.element(name).toHaveValue('berth');
    await expect.element(name).toHaveAccessibleDescription(/~\/\.aws\/config as the profile “berth”/);
    const region = page.getByRole('combobox', { name: 'Sign-in region', exact: true });
    await expect.element(region).toHaveValue('eu-west-1');
    await expect.element(page.getByText('aws login --profile berth --region eu-west-1')).toBeVisible();
    await name.fill('work-login');
    await region.selectOptions('us-east-1');
    await expect.element(page.getByText('aws login --profile work-login --region us-east-1')).toBeVisible();
  });

  test('waits for the browser with the page to copy, and Cancel cancels the job', async () => {
    const backend = mockAccountBackend(accountOverview({ settings: { region: 'us-east-1' } }));
    let job = '';
    backend.answers.start_browser_sign_in = () => {
      job = backend.jobs.start('signIn', 'account');
      return job;
    };
    await renderLoaded();
    await browserRadio().click();
    await signInButton().click();

    expect(backend.argsOf('start_browser_sign_in')).toEqual([{ request: { profile: 'berth', region: 'us-east-1' } }]);
    backend.jobs.emit(job, waitingEvent(false));
    await expect.element(page.getByText('Waiting for you to sign in in your browser…')).toBeVisible();
    await expect.element(page.getByText(/Berth couldn't open a browser/)).toBeVisible();
    await expect.element(page.getByLabelText('Sign-in page address')).toHaveTextContent(URL);
    await expect.element(page.getByRole('button', { name: 'Copy the sign-in link' })).toBeVisible();
    await expect.element(signInButton()).toBeDisabled();

    await page.getByRole('button', { name: 'Cancel sign-in' }).click();
    expect(backend.jobs.cancelled).toEqual([job]);
    backend.jobs.finish(job, { outcome: 'cancelled' });
    await expect.element(page.getByText('Sign-in cancelled. Nothing was changed.')).toBeVisible();
    await expect.element(signInButton()).toBeEnabled();
  });

  test('a finished sign-in becomes the identity in use and is verified; root is said and the IAM step recommended', async () => {
    const backend = mockAccountBackend(accountOverview({ settings: { region: 'us-east-1' } }));
    let job = '';
    backend.answers.start_browser_sign_in = () => {
      job = backend.jobs.start('signIn', 'account');
      return job;
    };
    backend.answers.verify_account = () =>
      ({ account: '123456789012', arn: 'arn:aws:iam::123456789012:root', principal: 'root', name: 'root' }) satisfies VerifiedIdentity;
    await renderLoaded();
    await browserRadio().click();
    await signInButton().click();
    backend.jobs.emit(job, waitingEvent());
    await expect.element(page.getByText(/Closed the tab or the browser\?.*after 10 minutes/)).toBeVisible();

    // The backend recorded the profile and made it the identity in use.
    backend.state = {
      ...backend.state,
      profiles: [...backend.state.profiles, { name: 'berth', region: 'us-east-1', kind: 'loginSession' }],
      settings: { ...backend.state.settings, source: { kind: 'profile', name: 'berth' } },
    };
    backend.jobs.finish(job, { outcome: 'signedIn', value: result('arn:aws:iam::123456789012:root') });

    const card = page.getByRole('region', { name: 'Signed in to AWS' });
    await expect.element(card).toBeVisible();
    await expect.element(card.getByText('Root user', { exact: true })).toBeVisible();
    await expect.element(card.getByRole('note')).toHaveTextContent(/root user of account 123456789012/);
    await expect.element(card.getByRole('note')).toHaveTextContent(/the IAM step can create a deploy user/);
    expect(backend.order()).toEqual(
      expect.arrayContaining(['start_browser_sign_in', 'get_account', 'update_account', 'verify_account']),
    );
    expect(backend.argsOf('update_account').at(-1)).toMatchObject({
      account: { source: { kind: 'profile', name: 'berth' } },
    });
    // The profile list shows the sign-in by its kind.
    await profileRadio().click();
    await expect
      .element(page.getByRole('combobox', { name: 'Profile', exact: true }).getByRole('option', { name: /berth/ }))
      .toHaveTextContent('berth — us-east-1 — Browser sign-in');
  });

  test('a sign-in that ended offers to sign in again, which starts the browser sign-in for that profile', async () => {
    const backend = mockAccountBackend(
      accountOverview({
        profiles: [{ name: 'cli-login', region: 'ap-northeast-2', kind: 'loginSession' }],
        settings: { source: { kind: 'profile', name: 'cli-login' }, region: 'ap-northeast-2' },
      }),
    );
    backend.answers.verify_account = () =>
      Promise.reject({ kind: 'signInExpired', params: { profile: 'cli-login' }, details: 'cached Login token is expired' } satisfies BerthError);
    backend.answers.start_browser_sign_in = () => backend.jobs.start('signIn', 'account');
    await renderLoaded();
    await expect.element(browserRadio()).toBeChecked();

    await verifyButton().click();
    await expect.element(page.getByText('Your browser sign-in has ended')).toBeVisible();
    await expect.element(page.getByText('aws login --profile cli-login', { exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Sign in again', exact: true }).click();

    expect(backend.argsOf('start_browser_sign_in')).toEqual([
      { request: { profile: 'cli-login', region: 'ap-northeast-2' } },
    ]);
  });

  test('a profile that holds other credentials is marked at the name; a refused sign-in says why', async () => {
    const backend = mockAccountBackend(accountOverview({ settings: { region: 'us-east-1' } }));
    backend.answers.start_browser_sign_in = () =>
      Promise.reject(invalidInput('signInProfile', 'otherCredentials', { profile: 'default', kind: 'staticKeys' }));
    await renderLoaded();
    await browserRadio().click();
    const name = page.getByRole('textbox', { name: 'Profile name', exact: true });
    await name.fill('default');
    await signInButton().click();
    await expect.element(name).toHaveAttribute('aria-invalid', 'true');
    await expect.element(name).toHaveAccessibleDescription(/already holds other credentials \(staticKeys\)/);

    let job = '';
    backend.answers.start_browser_sign_in = () => {
      job = backend.jobs.start('signIn', 'account');
      return job;
    };
    await name.fill('berth');
    await signInButton().click();
    backend.jobs.finish(job, {
      outcome: 'failed',
      value: { kind: 'signInFailed', params: { reason: 'insufficientPermissions' }, details: 'denied' },
    });
    await expect.element(page.getByText("AWS didn't complete the sign-in")).toBeVisible();
    await expect.element(page.getByText(/SignInLocalDevelopmentAccess/)).toBeVisible();
  });

  test('in Korean every control of the sign-in has a Korean name', async () => {
    setLanguage('ko');
    const backend = mockAccountBackend(accountOverview({ settings: { region: 'ap-northeast-2' } }));
    let job = '';
    backend.answers.start_browser_sign_in = () => {
      job = backend.jobs.start('signIn', 'account');
      return job;
    };
    await render(Account);
    await page.getByRole('radio', { name: '브라우저로 로그인' }).click();
    await expect.element(page.getByRole('textbox', { name: '프로필 이름', exact: true })).toHaveValue('berth');
    await expect.element(page.getByRole('combobox', { name: '로그인 리전', exact: true })).toHaveValue('ap-northeast-2');
    await page.getByRole('button', { name: '브라우저로 로그인', exact: true }).click();
    backend.jobs.emit(job, waitingEvent());
    await expect.element(page.getByText('브라우저에서 로그인하기를 기다리는 중…')).toBeVisible();
    await expect.element(page.getByRole('button', { name: '로그인 링크 복사' })).toBeVisible();
    await expect.element(page.getByRole('button', { name: '로그인 취소' })).toBeVisible();
  });
});
