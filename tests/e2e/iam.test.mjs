// Wizard step 2 in the real app, against the stack's moto: the checklist says honestly that the
// emulator cannot simulate permissions, the execution role is created and shown as ready (and
// remembered for the Launch step), an identity without iam:CreateRole is told exactly what to ask
// for, and the optional deploy user's key goes to the real Secret Service and becomes the
// identity in use — never reaching a file or the window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { byName, chooseLanguage, click, openApp, pageText, requireEnv, saveScreenshot, waitForText } from './support/app.mjs';
import { configDir, practiceHome } from './support/practice.mjs';
import { untilKeyWorks } from './support/moto.mjs';

async function withApp(options, body) {
  const browser = await openApp(options);
  try {
    await body(browser);
  } finally {
    await browser.deleteSession().catch(() => {});
  }
}

const env = () => ({ DOCKER_HOST: requireEnv('DOCKER_HOST') });
const unique = (prefix) => `${prefix}-${process.pid}-${Date.now() % 1_000_000}`;

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

async function openIam(browser) {
  await chooseLanguage(browser, 'Language', 'en');
  await click(browser, 'IAM');
  await waitForText(browser, 'What Berth will need');
}

async function typeInto(browser, name, text) {
  const field = await byName(browser, name);
  await field.clearValue();
  await field.setValue(text);
}

test('the IAM step creates the execution role and shows it as ready', async () => {
  const home = practiceHome();
  const role = unique('e2e-exec');
  await withApp({ home, env: env() }, async (browser) => {
    await openIam(browser);
    // moto has no policy simulator: every line says so instead of guessing.
    await waitForText(browser, 'The practice emulator has no policy simulator');
    const text = await pageText(browser);
    // Eleven lines (KMS is listed only for a KMS-encrypted repository), the last the optional
    // Express Mode line (a stable HTTPS address).
    assert.equal(text.split('Unknown — will be checked when used').length - 1, 11, text);
    assert.ok(!text.includes('Allowed'), 'a line claims to be allowed');

    await typeInto(browser, 'Role name', role);
    await click(browser, 'Look up');
    await waitForText(browser, `There's no role called “${role}” yet.`);
    await waitForText(browser, `aws iam create-role --role-name ${role}`);
    assert.equal(await (await byName(browser, 'Next: Repository')).isEnabled(), false);
    await saveScreenshot(browser, 'iam-missing');

    await click(browser, 'Create role');
    await waitForText(browser, `Created the role “${role}”.`);
    const arn = `arn:aws:iam::123456789012:role/${role}`;
    await waitForText(browser, arn);
    await waitForText(browser, 'AmazonECSTaskExecutionRolePolicy');
    await waitForText(browser, 'Berth ran');
    assert.equal(await (await byName(browser, 'Next: Repository')).isEnabled(), true);
    await saveScreenshot(browser, 'iam-ready');

    // The trust policy is one click away.
    await click(browser, 'Show the trust policy');
    await waitForText(browser, '"Service": "ecs-tasks.amazonaws.com"');

    // Remembered for the Launch step, in practice's own wizard state.
    const settings = JSON.parse(readFileSync(join(configDir(home), 'settings.json'), 'utf8'));
    assert.equal(settings.practiceWizard.executionRoleArn, arn);
    assert.equal(settings.wizard?.executionRoleArn ?? null, null, 'the real account\'s state was touched');

    // Every action is in the activity log with its command.
    await click(browser, 'Activity');
    await waitForText(browser, `aws iam attach-role-policy --role-name ${role} --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`);

    // Next leads to the Repository step.
    await click(browser, 'IAM');
    await waitForText(browser, arn);
    await click(browser, 'Next: Repository');
    await waitForText(browser, 'Create an Amazon ECR repository for your image');
  });

  // After a restart the remembered role is the one shown, ready.
  await withApp({ home, env: env() }, async (browser) => {
    await openIam(browser);
    await waitForText(browser, `arn:aws:iam::123456789012:role/${role}`);
    assert.equal(await (await byName(browser, 'Role name')).getValue(), role);
  });
});

test('the deploy user is created with its policy shown first, its key kept only in the keychain, and switched to', async () => {
  const home = practiceHome();
  const user = unique('e2e-deployer');
  const identity = unique('e2e-key');
  await withApp({ home, env: env() }, async (browser) => {
    await openIam(browser);
    // Collapsed until asked for.
    const userField = await byName(browser, 'User name');
    assert.equal(await userField.isDisplayed(), false, 'the deploy user card is open from the start');
    await click(browser, 'Optional: a least-privilege deploy user');
    await waitForText(browser, 'Its policy: berth-deployer-policy');
    await waitForText(browser, '"iam:PassRole"');

    await typeInto(browser, 'User name', user);
    await typeInto(browser, 'Keychain name', identity);
    await waitForText(browser, `Its policy: ${user}-policy`);
    await waitForText(browser, `aws iam create-user --user-name ${user}`);
    await saveScreenshot(browser, 'iam-deploy-user-plan');

    await click(browser, 'Create user and switch to it');
    await waitForText(browser, `Signed in as ${user}`);
    await waitForText(browser, `arn:aws:iam::123456789012:user/${user}`);
    await waitForText(browser, `aws iam create-access-key --user-name ${user}`);
    await saveScreenshot(browser, 'iam-deploy-user-done');

    // The window never received the secret.
    const stored = JSON.parse(keychainLookup(identity) ?? 'null');
    assert.ok(stored, 'the key is not in the Secret Service');
    const shown = await browser.execute(() => document.documentElement.outerHTML);
    assert.ok(!shown.includes(stored.secretAccessKey), 'the secret reached the page');
    assert.ok(!shown.includes(stored.accessKeyId), 'the full key id reached the page');

    // The Account step has switched to the new key.
    await click(browser, 'Account');
    await waitForText(browser, identity);
    assert.equal(await (await byName(browser, identity)).isSelected(), true);
  });

  const stored = JSON.parse(keychainLookup(identity));
  for (const file of filesUnder(home)) {
    assert.ok(!readFileSync(file).toString('latin1').includes(stored.secretAccessKey), `the secret is in ${file}`);
  }
  execFileSync('secret-tool', ['clear', 'service', 'berth', 'username', identity]);
});

/**
 * One IAM call to the stack's moto while its authorization is off. moto routes a request by the
 * service named in the signature's scope and checks no signature then, so no SDK is needed.
 */
async function motoIam(params) {
  const response = await fetch(requireEnv('BERTH_TEST_MOTO_URL'), {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: 'AWS4-HMAC-SHA256 Credential=TESTE2ESETUP00000001/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2010-05-08', ...params }).toString(),
  });
  const text = await response.text();
  assert.ok(response.ok, `moto ${params.Action}: ${text}`);
  return text;
}

/** Switches moto's IAM authorization on (every request checked) or off. */
async function motoAuth(on) {
  const response = await fetch(`${requireEnv('BERTH_TEST_MOTO_URL')}/moto-api/reset-auth`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain' },
    body: on ? '0' : '4294967295',
  });
  assert.ok(response.ok, 'moto reset-auth failed');
}

test('an identity without iam:CreateRole sees the denied action and the policy to ask for', async () => {
  // A user allowed to look at roles but not to create them, as the practice profile.
  const user = unique('e2e-limited');
  await motoIam({ Action: 'CreateUser', UserName: user });
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListAttachedRolePolicies'], Resource: '*' }] };
  await motoIam({ Action: 'PutUserPolicy', UserName: user, PolicyName: 'look-only', PolicyDocument: JSON.stringify(policy) });
  const key = await motoIam({ Action: 'CreateAccessKey', UserName: user });
  const keyId = key.match(/<AccessKeyId>(.+?)<\/AccessKeyId>/)[1];
  const secret = key.match(/<SecretAccessKey>(.+?)<\/SecretAccessKey>/)[1];
  await untilKeyWorks({ accessKeyId: keyId, secretAccessKey: secret });
  const home = practiceHome();
  writeFileSync(join(home, '.aws', 'credentials'), `[practice]\naws_access_key_id = ${keyId}\naws_secret_access_key = ${secret}\n`);
  const role = unique('e2e-denied');

  await motoAuth(true);
  try {
    await withApp({ home, env: env() }, async (browser) => {
      await openIam(browser);
      // The simulator is refused too: the checklist says so rather than guessing.
      await waitForText(browser, "Your identity may not use IAM's policy simulator");
      await typeInto(browser, 'Role name', role);
      await click(browser, 'Look up');
      await waitForText(browser, `There's no role called “${role}” yet.`);

      await click(browser, 'Create role');
      await waitForText(browser, 'Access denied');
      await waitForText(browser, "Your identity isn't allowed to perform iam:CreateRole.");
      await waitForText(browser, 'Ask your administrator to add this policy');
      await waitForText(browser, `"Resource": "arn:aws:iam::123456789012:role/${role}"`);
      const statement = await browser.execute(
        () => [...document.querySelectorAll('figure')].find((f) => f.textContent.includes('Policy to add'))?.querySelector('pre')?.textContent ?? '',
      );
      const added = JSON.parse(statement);
      const actions = added.Statement.flatMap((s) => s.Action);
      for (const needed of ['iam:CreateRole', 'iam:AttachRolePolicy', 'iam:GetRole']) {
        assert.ok(actions.includes(needed), `${needed} is not in ${statement}`);
      }
      // The copy button is there for the administrator's sake.
      await byName(browser, 'Copy policy: Policy to add');
      await saveScreenshot(browser, 'iam-denied');
    });
  } finally {
    await motoAuth(false);
  }
  // Nothing was left behind.
  const roles = await motoIam({ Action: 'ListRoles' });
  assert.ok(!roles.includes(`<RoleName>${role}</RoleName>`), 'a role was created');
});

test('the IAM step is in Korean in Korean mode', async () => {
  await withApp({ home: practiceHome(), env: env() }, async (browser) => {
    await chooseLanguage(browser, 'Language', 'ko');
    await click(browser, 'IAM');
    await waitForText(browser, 'Berth에 필요한 권한');
    await waitForText(browser, '알 수 없음 — 사용할 때 확인합니다');
    const text = await pageText(browser);
    for (const label of ['태스크 실행 역할', '역할 이름', '선택: 최소 권한 배포 전용 사용자', '다음: 리포지토리']) {
      assert.ok(text.includes(label), `"${label}" missing from the Korean IAM page`);
    }
    await saveScreenshot(browser, 'iam-ko');
  });
});
