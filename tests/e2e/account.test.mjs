// Wizard step 1 in the real app: a key pair typed into the Account step goes to the real Secret
// Service (gnome-keyring of the test stack), verifies against moto, and is remembered — while the
// secret itself stays out of every file the app writes and out of what the window shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { byName, chooseLanguage, click, openApp, pageText, requireEnv, saveScreenshot, tempHome, waitForText } from './support/app.mjs';

async function withApp(options, body) {
  const browser = await openApp(options);
  try {
    await body(browser);
  } finally {
    await browser.deleteSession().catch(() => {});
  }
}

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function keychainLookup(name) {
  try {
    return execFileSync('secret-tool', ['lookup', 'service', 'berth', 'username', name]).toString();
  } catch {
    return null;
  }
}

async function openAccount(browser) {
  await chooseLanguage(browser, 'Language', 'en');
  await click(browser, 'Account');
  await waitForText(browser, 'How should Berth sign in to AWS?');
}

async function typeInto(browser, name, text) {
  const field = await byName(browser, name);
  await field.clearValue();
  await field.setValue(text);
}

test('a typed key pair is kept only in the keychain, verifies against moto, is remembered, and an opt-in region not enabled is named', async () => {
  const home = tempHome();
  const moto = requireEnv('BERTH_TEST_MOTO_URL');
  const identity = `e2e-${process.pid}-${Date.now()}`;
  const secret = `e2e-secret-${process.pid}-${Date.now()}`;
  const env = { DOCKER_HOST: requireEnv('DOCKER_HOST') };

  await withApp({ home, env }, async (browser) => {
    await openAccount(browser);
    // A fresh HOME has no profiles, so the keychain choice is the one offered.
    await click(browser, 'An access key kept in your system keychain');
    await typeInto(browser, 'Name', identity);
    await typeInto(browser, 'Access key ID', 'TESTBERTHKEYID000042');
    await typeInto(browser, 'Secret access key', secret);
    await click(browser, 'Save to keychain');
    await waitForText(browser, `Saved “${identity}” to the keychain`);
    await waitForText(browser, 'TEST…0042');

    await (await byName(browser, 'Region')).selectByAttribute('value', 'us-east-1');
    await click(browser, 'Advanced');
    await click(browser, 'Practice mode');
    await typeInto(browser, 'Endpoint URL', moto);
    await waitForText(browser, 'Practice — not real AWS');

    await click(browser, 'Verify');
    await waitForText(browser, 'Signed in to the practice emulator');
    await waitForText(browser, '123456789012');
    await saveScreenshot(browser, 'account-verified');

    // The window never received the secret or the full key id.
    const shown = await browser.execute(() => document.documentElement.outerHTML);
    assert.ok(!shown.includes(secret), 'the secret reached the page');
    assert.ok(!shown.includes('TESTBERTHKEYID000042'), 'the full key id reached the page');

    // The activity page counts the read apart from the changes, with its equivalent command.
    await click(browser, 'Activity');
    await click(browser, /^Reads \(\d+\)$/);
    await waitForText(browser, 'aws sts get-caller-identity --region us-east-1 --endpoint-url');
  });

  // The Secret Service holds the key (read with libsecret's own tool, not Berth's code)...
  const stored = keychainLookup(identity);
  assert.ok(stored, 'the key is not in the Secret Service');
  assert.equal(JSON.parse(stored).secretAccessKey, secret);
  // ...and no file the app wrote does.
  const written = filesUnder(home);
  assert.ok(written.some((f) => f.endsWith('settings.json')), `no settings file in ${written.join(', ')}`);
  for (const file of written) {
    assert.ok(!readFileSync(file).toString('latin1').includes(secret), `the secret is in ${file}`);
  }

  // After a restart the choices are back and verification works again from the keychain.
  await withApp({ home, env }, async (browser) => {
    await openAccount(browser);
    await waitForText(browser, identity);
    await waitForText(browser, 'TEST…0042');
    assert.equal(await (await byName(browser, 'Region')).getValue(), 'us-east-1');
    await waitForText(browser, 'Practice — not real AWS');
    await click(browser, 'Verify');
    await waitForText(browser, '123456789012');

    // An opt-in region the account has not enabled answers as if the keys were wrong; the same
    // keys still work in us-east-1, so Berth names the region instead of blaming the keys.
    await (await byName(browser, 'Region')).selectByAttribute('value', 'af-south-1');
    await click(browser, 'Verify');
    await waitForText(browser, 'The region af-south-1 is not enabled in your account');
    await waitForText(browser, 'Enable af-south-1 in the AWS console');
    assert.ok(!(await pageText(browser)).includes('123456789012'), 'still shown as signed in');

    // Removing the key takes it out of the Secret Service.
    await click(browser, `Remove ${identity} from the keychain`);
    await click(browser, 'Remove');
    await waitForText(browser, `Removed “${identity}” from the keychain.`);
  });
  assert.equal(keychainLookup(identity), null, 'the key is still in the Secret Service');
});

test('the Account step is in Korean in Korean mode', async () => {
  await withApp({ home: tempHome(), env: { DOCKER_HOST: requireEnv('DOCKER_HOST') } }, async (browser) => {
    await chooseLanguage(browser, 'Language', 'ko');
    await click(browser, '계정');
    await waitForText(browser, 'Berth가 AWS에 어떻게 로그인할까요?');
    // A newcomer without profiles starts on the browser sign-in; the key form is one choice away.
    let text = await pageText(browser);
    for (const label of ['AWS 없이 연습하기', '브라우저로 로그인']) {
      assert.ok(text.includes(label), `"${label}" missing from the Korean Account page`);
    }
    await click(browser, '시스템 키체인에 보관한 액세스 키');
    await waitForText(browser, '키체인에 저장');
    text = await pageText(browser);
    for (const label of ['시스템 키체인에 보관한 액세스 키', '키체인에 저장', '리전', '확인']) {
      assert.ok(text.includes(label), `"${label}" missing from the Korean Account page`);
    }
    await byName(browser, '리전');
    await saveScreenshot(browser, 'account-ko');
  });
});

test('a prepared practice HOME starts signed in through its profile', async () => {
  const { practiceHome } = await import('./support/practice.mjs');
  await withApp({ home: practiceHome(), env: { DOCKER_HOST: requireEnv('DOCKER_HOST') } }, async (browser) => {
    await openAccount(browser);
    await waitForText(browser, 'Practice — not real AWS');
    await click(browser, 'Verify');
    await waitForText(browser, '123456789012');
  });
});

test('a registry override that is not host:port is named as it is typed, saying what one looks like', async () => {
  await withApp({ home: tempHome(), env: { DOCKER_HOST: requireEnv('DOCKER_HOST') } }, async (browser) => {
    await openAccount(browser);
    await click(browser, 'Advanced');
    // Practice mode is off and no endpoint is typed: nothing is saved yet, the field speaks anyway.
    await typeInto(browser, 'Registry override', 'not a registry');
    await waitForText(
      browser,
      "This isn't a registry address. A registry address is a host name or IP address and a port, like 127.0.0.1:5001 or localhost:5000.",
      5000,
    );
    const field = await byName(browser, 'Registry override');
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    const described = await browser.execute(
      (el) => el.getAttribute('aria-describedby').split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' '),
      field,
    );
    assert.match(described, /isn't a registry address/);
    await field.scrollIntoView({ block: 'center' });
    await saveScreenshot(browser, 'account-registry-invalid');

    await typeInto(browser, 'Registry override', '127.0.0.1:5001');
    await browser.waitUntil(async () => (await field.getAttribute('aria-invalid')) === null, {
      timeout: 5000,
      timeoutMsg: 'a good address clears the message',
    });
    assert.doesNotMatch(await pageText(browser), /isn't a registry address/);
  });
});
