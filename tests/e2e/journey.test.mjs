// The whole journey a newcomer takes, in the real app against the local stack in practice mode,
// from a HOME with no saved account: type an access key pair → verify → create the execution
// role → create a repository → build the fixture folder → push → launch a service (a valid size)
// → watch it reach RUNNING → see it in the Deployments view → tear down → delete the repository
// with its typed name. Once with the mouse (every control found by its accessible name and
// clicked), once with the keyboard alone (Tab / Shift+Tab to the control, Enter or Space). Every
// step is screenshotted and checked with axe-core (WCAG 2 A/AA; serious or critical findings fail
// the test) in the light and dark themes, and once in Korean; clicks, keystrokes and time are
// written to artifacts/journey-summary*.json. Afterwards no secret (the typed secret key, the
// registry password, the ECR token) may be found in the HOME (settings, app data with the activity
// log, ~/.docker, the app's stdout/stderr), the stack's logs, or the webview (DOM, form values,
// storage, and every IPC reply it received).
//
// The strict AWS backend plays ECS for real: the service's scheduler starts the task from the
// pushed image as a Docker container, and stops it when Berth scales the service to 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { byName, openApp, pageText, requireEnv, tempHome, waitForText } from './support/app.mjs';
import { query } from './support/moto.mjs';
import { User, describeViolations } from './support/journey.mjs';
import { recordIpcReplies, secretsInFiles, secretsInWebview } from './support/secrets.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = resolve(here, '../fixtures/image/app');
const ROLE = 'ecsTaskExecutionRole';
// The account moto gives long-term keys: the one the typed key pair signs in to.
const DEFAULT_ACCOUNT = { accessKeyId: 'TESTPRACTICEKEY00001' };

/** A newcomer's account has no execution role yet: remove one an earlier run left behind. */
async function withoutExecutionRole() {
  const iam = (params) => query('iam', { Version: '2010-05-08', ...params }, DEFAULT_ACCOUNT).catch(() => '');
  const attached = await iam({ Action: 'ListAttachedRolePolicies', RoleName: ROLE });
  for (const [, arn] of attached.matchAll(/<PolicyArn>([^<]*)<\/PolicyArn>/g)) {
    await iam({ Action: 'DetachRolePolicy', RoleName: ROLE, PolicyArn: arn });
  }
  await iam({ Action: 'DeleteRole', RoleName: ROLE });
}

function removeImages(images) {
  for (const image of images) {
    try {
      execFileSync('docker', ['rmi', image], { stdio: 'ignore' });
    } catch {
      // Not made (the test failed before): nothing to remove.
    }
  }
}

/**
 * Walks the journey as `user`; returns the image tag it built.
 */
/** The values of `variable` in the environments of the practice backend's running containers. */
function containerEnv(variable) {
  const ids = execFileSync('docker', [
    'ps', '-q', '--filter', `label=berth.moto.instance=${requireEnv('BERTH_TEST_MOTO_INSTANCE')}`,
  ], { encoding: 'utf8' }).split(/\s+/).filter(Boolean);
  return ids.flatMap((id) => {
    const [config] = JSON.parse(execFileSync('docker', ['inspect', id], { encoding: 'utf8' }));
    return (config.Config.Env ?? []).filter((e) => e.startsWith(`${variable}=`)).map((e) => e.slice(variable.length + 1));
  });
}

async function walk(user, { name, accessKeyId, secret, secrets, leaks, korean = false }) {
  const b = user.browser;
  const moto = requireEnv('BERTH_TEST_MOTO_URL');
  const registry = requireEnv('BERTH_TEST_REGISTRY');

  // 1. The app opens on the environment check.
  await waitForText(b, 'Docker');
  await user.choose('Language', 'en');
  await user.step('start');

  // 2. Account: a key pair into the keychain, the region, practice mode, verify.
  await user.press('Start: step 1, Account');
  await waitForText(b, 'How should Berth sign in to AWS?');
  // A fresh HOME has no profiles: the browser sign-in is offered first; this walk keeps a key
  // pair in the keychain instead, named "default" unless the user renames it.
  await user.press('An access key kept in your system keychain');
  await user.type('Access key ID', accessKeyId);
  await user.type('Secret access key', secret);
  await user.press('Save to keychain');
  await waitForText(b, 'Saved “default” to the keychain');
  // The form forgets the secret once it is in the keychain.
  leaks.push(...(await secretsInWebview(b, secrets)));
  await user.choose('Region', 'us-east-1');
  await user.press('Advanced');
  await user.press('Practice mode');
  await user.type('Endpoint URL', moto);
  await user.type('Registry override', registry);
  await waitForText(b, 'Practice — not real AWS');
  await user.press('Verify');
  await waitForText(b, 'Signed in to the practice emulator');
  await waitForText(b, '123456789012');
  await user.step('account');

  // 3. IAM: the execution role is missing; create it.
  await user.press('Next: IAM');
  await waitForText(b, 'What Berth will need');
  await waitForText(b, `There's no role called “${ROLE}” yet.`);
  await user.press('Create role');
  await waitForText(b, `Created the role “${ROLE}”.`, 30000);
  await user.step('iam');

  // 4. Repository: create one.
  await user.press('Next: Repository');
  await waitForText(b, 'Where should your image go?');
  await user.type('Repository name', name, { replace: true });
  await waitForText(b, `aws ecr create-repository --repository-name ${name}`);
  await user.press('Create repository');
  await waitForText(b, `Created “${name}”. Berth will push your image here.`, 30000);
  await user.step('repository');

  // 5. Image: build the fixture folder (typed: WebDriver cannot drive the native folder picker), push.
  await user.press('Next: Image');
  await waitForText(b, `Pushes to ${name} in the practice registry`);
  await user.type('Folder', fixture);
  await user.key('Enter');
  await waitForText(b, 'Kept out by .dockerignore');
  const tag = await (await byName(b, 'Tag')).getValue();
  await user.press('Build image');
  await waitForText(b, `Built ${name}:${tag}`, 90000);
  await user.step('image-built');
  await user.press(`Push to ${name}`);
  await waitForText(b, `Pushed to ${name}`, 120000);
  await user.step('image-pushed', { show: 'Push to ECR' });

  // 6. Launch a service at a valid size (0.5 vCPU, 1 GB), review, launch, watch RUNNING.
  await user.press('Next: Launch');
  await waitForText(b, 'Review plan');
  assert.equal(await (await byName(b, 'App name')).getValue(), name);
  await user.choose('CPU', '512');
  await user.choose('Memory', '1024');
  // A password the app needs, marked secret: it goes to the account's secret store, and the
  // task definition only points at it.
  await user.press('Add variable');
  await user.type('Name of variable 1', 'JOURNEY_TOKEN');
  await user.press('Keep variable 1 secret');
  await user.type('Value of variable 1', secrets['secret environment value']);
  await waitForText(b, 'Keep it running (service)');
  assert.equal(await (await byName(b, 'Keep it running (service)')).isSelected(), true, 'a service is the default');
  await user.step('launch-form');
  await user.press('Review plan');
  await waitForText(b, 'Review the plan');
  await user.step('launch-review');
  await user.press('Launch now');
  await waitForText(b, 'Your container is running.', 90000);
  await user.step('launch-running');
  // The secret reached the running container's environment (the practice backend runs the task
  // as a container on the local engine), and, as the scans at the end check, nowhere else.
  assert.deepEqual(containerEnv('JOURNEY_TOKEN'), [secrets['secret environment value']]);

  // 7. The Deployments view shows it.
  await user.press('Deployments');
  await waitForText(b, 'Tasks running');
  await waitForText(b, name);
  await waitForText(b, '0.5 vCPU');
  await user.step('deployments', { show: name });

  // 8. Tear it down from there, with the app's name typed.
  await user.press(`Tear down ${name}`);
  await waitForText(b, `Tear down “${name}”`);
  await waitForText(b, `Type ${name} to confirm`);
  assert.equal(await (await byName(b, 'Tear down')).isEnabled(), false, 'teardown must not be one click away');
  await user.type(`Type ${name} to confirm`, name);
  await user.press('Tear down');
  // Berth scales the service to 0 and waits for ECS to stop its tasks.
  await waitForText(b, 'Scaled to 0', 60000);
  await waitForText(b, `Berth removed what it listed for “${name}”.`, 90000);
  // The repository stays (removed in step 9), with what it costs per month.
  await waitForText(b, 'Still in your account:');
  await user.step('teardown');

  // 9. Delete the repository with its typed name.
  await user.press('Repositories');
  await waitForText(b, 'Estimated cost');
  await user.type('Filter by name', name);
  await waitForText(b, '1 of ');
  await user.press(`Delete ${name}`);
  await waitForText(b, `Delete the repository “${name}”?`);
  await waitForText(b, '1 image (');
  assert.equal(await (await byName(b, 'Delete repository')).isEnabled(), false, 'Delete is enabled before the name is typed');
  await user.type(`Type ${name} to confirm`, name);
  await user.step('repository-delete');
  await user.press('Delete repository');
  await waitForText(b, `Deleted “${name}”`, 30000);
  await user.step('repository-deleted');

  // 10. The activity log has every action with its command.
  await user.press('Activity');
  await waitForText(b, `aws ecr delete-repository --repository-name ${name}`);
  for (const command of ['aws iam create-role', 'aws ecr create-repository', 'aws ecs create-service', 'aws ecs delete-service']) {
    assert.ok((await pageText(b)).includes(command), `"${command}" missing from the activity log`);
  }
  await user.step('activity');
  // The activity log as the window shows it, and everything the window holds by now.
  leaks.push(...(await secretsInWebview(b, secrets)));

  if (korean) {
    // Once in Korean: the Account page and the Launch page.
    await user.press('Settings');
    await user.choose('Language', 'ko');
    await user.press('계정');
    await waitForText(b, 'Berth가 AWS에 어떻게 로그인할까요?');
    await user.step('account-ko');
    await user.press('실행');
    await waitForText(b, '계획 검토');
    await user.step('launch-ko');
  }
  return { tag };
}

async function journey(mode) {
  const stamp = `${process.pid % 10000}-${Date.now() % 1_000_000}`;
  const name = `journey-${mode}-${stamp}`;
  // Distinctive values, so any copy of them can be found afterwards.
  const secret = `JourneySecret${randomBytes(12).toString('hex')}`;
  const accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const registry = requireEnv('BERTH_TEST_REGISTRY');
  await withoutExecutionRole();

  const home = tempHome();
  // The app's stdout and stderr are kept in the HOME, which is searched afterwards.
  const output = join(home, 'app-output.log');
  const browser = await openApp({ home, output, env: { DOCKER_HOST: requireEnv('DOCKER_HOST') } });
  const user = new User(browser, { mode, prefix: mode === 'mouse' ? 'journey' : 'journey-keyboard' });
  let tag = null;
  const webviewLeaks = [];
  const password = requireEnv('BERTH_TEST_REGISTRY_PASSWORD');
  const secrets = {
    'secret access key': secret,
    'secret environment value': `JourneyToken${randomBytes(12).toString('hex')}`,
    'registry password (ECR token)': password,
    'ECR authorization token': Buffer.from(`${requireEnv('BERTH_TEST_REGISTRY_USER')}:${password}`).toString('base64'),
  };
  try {
    await recordIpcReplies(browser);
    ({ tag } = await walk(user, { name, accessKeyId, secret, secrets, leaks: webviewLeaks, korean: mode === 'mouse' }));
    webviewLeaks.push(...(await secretsInWebview(browser, secrets)));
  } finally {
    await browser.deleteSession().catch(() => {});
    removeImages([`${name}:${tag}`, `${registry}/${name}:${tag}`]);
  }

  const summary = user.writeSummary(mode === 'mouse' ? 'journey-summary.json' : 'journey-summary-keyboard.json', {
    app: name,
  });
  console.log(
    `journey (${mode}): ${summary.clicks} clicks, ${summary.keystrokes} keystrokes, ${summary.seconds} s; ` +
      `axe: ${summary.accessibility.checks} checks, ${summary.accessibility.serious} serious/critical, ${summary.accessibility.minor} minor`,
  );
  for (const s of summary.steps) console.log(`  ${s.step}: ${s.clicks} clicks, ${s.keystrokes} keys, ${s.seconds} s`);

  // No secret in the HOME (config, app data with the activity log, ~/.docker, the app's output)
  // or the stack's logs (moto, registry, D-Bus, tauri-driver); the webview was searched above.
  // Not searched: the stack's env file and .registry-password (the stack's own records of the
  // registry password it made), the keyring daemon's folder (the keychain itself) and the
  // registry's blobs (image layers).
  const stack = requireEnv('BERTH_STACK_DIR');
  assert.ok(existsSync(output), 'the app output was not captured');
  const files = secretsInFiles([home, stack], secrets, {
    skip: (path) =>
      path === `${stack}/env` ||
      path === `${stack}/.registry-password` ||
      path.startsWith(`${stack}/registry-data`) ||
      path.startsWith(`${stack}/home`),
  });
  const leaks = [...webviewLeaks, ...files.found];
  console.log(`  secrets: ${files.scanned} files and the webview searched, ${leaks.length} found`);
  assert.deepEqual(leaks, [], `secrets found:\n${leaks.join('\n')}`);

  const serious = user.seriousViolations();
  if (user.violations.length > serious.length) {
    console.log(`  minor accessibility findings:\n${describeViolations(user.violations.filter((v) => !serious.includes(v)))}`);
  }
  assert.equal(serious.length, 0, `axe found serious or critical violations:\n${describeViolations(serious)}`);
  return summary;
}

test('a newcomer walks the whole journey with the mouse, from typed keys to a deleted repository', async () => {
  await journey('mouse');
});

test('the whole journey can be done with the keyboard alone', async () => {
  await journey('keyboard');
});
