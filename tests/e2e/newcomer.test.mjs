// The newcomer's journey from the first screen's practice button, in the real app given nothing
// but the Docker engine: no emulator URL, no registry, no AWS keys. One click starts Berth's own
// practice backend and registry (python -m berth_moto from the installed venv, docker-registry on
// loopback ports) and signs in; the user walks Account → IAM → Repository → Image → Launch,
// accepting every default Berth proposes (the tag, the size, the region, the launch mode), and the
// journey ends with an HTTP request to the launched task's address that gets the fixture app's
// answer. Then the app is torn down and practice left, after which no container of this practice
// run is left on the engine. A second walk ends instead with "Reset practice data" while the task
// runs: confirmed, it stops the task's container and deletes everything practice kept.
//
// Clicks and keystrokes are counted from the first screen to the served page; the budget is 25
// clicks and 40 keystrokes (issue 16). The only typing is the folder (WebDriver cannot drive the
// native folder picker, so the path is typed into the Folder field) and the repository's name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { byName, openApp, pageText, requireEnv, tempHome, waitForText } from './support/app.mjs';
import { User, describeViolations } from './support/journey.mjs';
import { configDir, dataDir } from './support/practice.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = resolve(here, '../fixtures/image/app');
const BUDGET = { clicks: 25, keystrokes: 40 };

const docker = (...args) =>
  execFileSync('docker', args, { env: { ...process.env, DOCKER_HOST: requireEnv('DOCKER_HOST') } })
    .toString()
    .trim();

/** The label value that marks this practice run's task containers (see practice/manager.rs). */
function practiceInstance(home) {
  const run = JSON.parse(readFileSync(join(dataDir(home), 'practice', 'run.json'), 'utf8'));
  return `berth-practice-${run.token.slice(0, 12)}`;
}

/** Containers (running or not) that practice run `instance` started. */
function containersOf(instance) {
  const out = docker('ps', '-a', '-q', '--filter', `label=berth.moto.instance=${instance}`);
  return out === '' ? [] : out.split('\n');
}

/** The body of GET `url`, retried while the task's server comes up. */
async function answerOf(url) {
  const deadline = Date.now() + 30000;
  let last = null;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return await res.text();
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.cause?.message ?? e.message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer: ${last}`);
}

/**
 * Opens the app in a fresh HOME holding the user's project folder (the image fixture), with only
 * the Docker engine given.
 */
async function newcomer(prefix) {
  const home = tempHome();
  const name = `hello${process.pid % 10000}`;
  cpSync(fixture, join(home, name), { recursive: true });
  const browser = await openApp({
    home,
    output: join(home, 'app-output.log'),
    env: { DOCKER_HOST: requireEnv('DOCKER_HOST') },
    unset: ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
  });
  return { home, name, browser, user: new User(browser, { mode: 'mouse', prefix }) };
}

/**
 * From the first screen to the page the launched task serves, every default accepted. Returns
 * the practice run's container label, the image tag and the task's address.
 */
async function walkToServedPage({ home, name, user }) {
  const b = user.browser;
  // 1. The first screen: the environment check, with the practice button.
  await waitForText(b, 'Docker engine is running', 30000);
  await user.choose('Language', 'en');
  await waitForText(b, 'Practice without an AWS account');
  await user.step('first-screen');

  // 2. One click: Berth starts its practice AWS and registry, signs in, and goes to Account.
  await user.press('Practice without AWS');
  await waitForText(b, 'Practising on this computer', 120000);
  await waitForText(b, '123456789012', 30000);
  const instance = practiceInstance(home);
  await user.step('account');

  // 3. IAM: the execution role is missing in a fresh practice account; create it.
  await user.press('Next: IAM');
  await waitForText(b, 'What Berth will need');
  await user.press('Create role');
  await waitForText(b, 'Created the role “ecsTaskExecutionRole”.', 30000);
  await user.step('iam');

  // 4. Repository: named like the folder.
  await user.press('Next: Repository');
  await waitForText(b, 'Where should your image go?');
  await user.type('Repository name', name, { replace: true });
  // The commands shown follow the name a moment after typing, moving the button down: a click
  // sent while they appear lands where the button was (as the journey test, wait for them).
  await waitForText(b, `aws ecr create-repository --repository-name ${name}`);
  await user.press('Create repository');
  await waitForText(b, `Created “${name}”. Berth will push your image here.`, 30000);
  await user.step('repository');

  // 5. Image: the folder, the proposed tag; build, push.
  await user.press('Next: Image');
  await waitForText(b, `Pushes to ${name} in the practice registry`);
  await user.type('Folder', `~/${name}`);
  await user.key('Enter');
  await waitForText(b, 'Kept out by .dockerignore');
  const tag = await (await byName(b, 'Tag')).getValue();
  await user.press('Build image');
  await waitForText(b, `Built ${name}:${tag}`, 120000);
  await user.press(`Push to ${name}`);
  await waitForText(b, `Pushed to ${name}`, 120000);
  await user.step('image');

  // 6. Launch with every default: review, launch, running, the address.
  await user.press('Next: Launch');
  await waitForText(b, 'Review plan');
  assert.equal(await (await byName(b, 'App name')).getValue(), name, 'the app is named after the repository');
  await user.press('Review plan');
  await waitForText(b, 'Review the plan');
  await user.press('Launch now');
  await waitForText(b, 'Your container is running.', 120000);
  const url = await b.execute(() => document.querySelector('.timeline code.url')?.textContent?.trim() ?? null);
  assert.ok(url, `no address on the page:\n${await pageText(b)}`);
  assert.match(url, /^http:\/\/127(\.\d+){3}(:\d+)?/, 'a practice task answers on a loopback address');
  // 7. The served page: the fixture app (busybox httpd over /app) answers with the folder's README.
  const served = await answerOf(`${url.replace(/\/$/, '')}/README.md`);
  assert.match(served, /The fixture folder of Berth's image tests/);
  await user.step('served');
  assert.ok(containersOf(instance).length >= 1, 'the task runs as a container of this practice run');
  return { instance, tag, url };
}

/** Removes the built image and the tag the push gave it for the practice registry (whose port changes). */
function removeImages(name, tag) {
  const pushed = docker('images', '--format', '{{.Repository}}:{{.Tag}}')
    .split('\n')
    .filter((ref) => ref.endsWith(`/${name}:${tag}`));
  for (const image of [`${name}:${tag}`, ...pushed]) {
    try {
      docker('rmi', image);
    } catch {
      // Not built: nothing to remove.
    }
  }
}

test('from the first screen, one click to practice, every default accepted, to a page served by the launched task', async () => {
  const { home, name, browser: b, user } = await newcomer('newcomer');
  let instance = null;
  let tag = null;
  try {
    ({ instance, tag } = await walkToServedPage({ home, name, user }));
    const counted = { clicks: user.clicks, keystrokes: user.keystrokes };
    console.log(`newcomer journey to the served page: ${counted.clicks} clicks, ${counted.keystrokes} keystrokes`);
    for (const s of user.steps) console.log(`  ${s.step}: ${s.clicks} clicks, ${s.keystrokes} keys, ${s.seconds} s`);

    // 8. Teardown (typed name: it destroys), then leave practice.
    await user.press('Tear down');
    await waitForText(b, `Type ${name} to confirm`);
    await user.type(`Type ${name} to confirm`, name);
    await user.press('Tear down');
    await waitForText(b, `Berth removed what it listed for “${name}”.`, 120000);
    await user.press('Account');
    await user.press('Leave practice');
    await waitForText(b, 'Practice without an AWS account', 60000);
    await user.step('left');

    const summary = user.writeSummary('newcomer-summary.json', { app: name, toServedPage: counted });
    assert.ok(
      counted.clicks <= BUDGET.clicks && counted.keystrokes <= BUDGET.keystrokes,
      `${counted.clicks} clicks and ${counted.keystrokes} keystrokes to the served page (budget ${BUDGET.clicks} and ${BUDGET.keystrokes})`,
    );
    const serious = user.seriousViolations();
    if (summary.accessibility.minor) {
      console.log(`  minor accessibility findings:\n${describeViolations(user.violations.filter((v) => !serious.includes(v)))}`);
    }
    assert.equal(serious.length, 0, `axe found serious or critical violations:\n${describeViolations(serious)}`);
  } finally {
    await b.deleteSession().catch(() => {});
    if (tag) removeImages(name, tag);
  }
  // Closing the app stops practice too; either way nothing of this run is left on the engine.
  assert.ok(instance, 'practice never started');
  assert.deepEqual(containersOf(instance), [], `containers of practice run ${instance} left behind`);
  assert.ok(!existsSync(join(dataDir(home), 'practice', 'run.json')), 'practice still recorded as running');
});

test('"Reset practice data", confirmed, stops the running task containers and deletes what practice kept', async () => {
  const { home, name, browser: b, user } = await newcomer('practice-reset');
  const practice = join(dataDir(home), 'practice');
  let instance = null;
  let tag = null;
  try {
    ({ instance, tag } = await walkToServedPage({ home, name, user }));
    assert.ok(existsSync(join(practice, 'registry', 'docker')), 'the pushed image is in the practice registry');
    assert.ok(existsSync(join(dataDir(home), 'launches', `${name}.json`)), 'the launch is recorded');

    // The task still runs: reset from the Account step, which asks first.
    await user.press('Account');
    await user.press('Reset practice data…');
    await waitForText(b, 'Reset practice data?');
    await waitForText(b, "This can't be undone.");
    await user.step('reset-confirm');
    await user.press('Reset practice data');
    await waitForText(b, 'Practice data reset. The next practice starts empty.', 90000);
    await waitForText(b, 'Practice without an AWS account');
    await user.step('reset-done');

    assert.deepEqual(containersOf(instance), [], `containers of practice run ${instance} left by the reset`);
    for (const kept of ['state.pickle', 'registry', 'run.json']) {
      assert.ok(!existsSync(join(practice, kept)), `practice/${kept} is still there after the reset`);
    }
    assert.ok(!existsSync(join(dataDir(home), 'launches', `${name}.json`)), 'the practice launch record is still there');
    const settings = JSON.parse(readFileSync(join(configDir(home), 'settings.json'), 'utf8'));
    assert.deepEqual(
      [settings.practiceWizard.executionRoleArn, settings.practiceWizard.repository, settings.practiceWizard.image],
      [null, null, null],
      'the wizard still remembers practice',
    );
    assert.equal(settings.account.practice.enabled, false, 'practice is left');
    assert.equal(user.seriousViolations().length, 0, describeViolations(user.seriousViolations()));
  } finally {
    await b.deleteSession().catch(() => {});
    if (tag) removeImages(name, tag);
  }
});
