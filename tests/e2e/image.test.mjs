// Wizard step 4 in the real app: the fixture folder (typed, as WebDriver cannot drive the native
// folder picker) is built with the real Docker engine and pushed with moto's ECR token to the
// stack's registry; the digest the app shows is the one the registry serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { byName, chooseLanguage, click, openApp, pageText, requireEnv, saveScreenshot, waitForText } from './support/app.mjs';
import { practiceHome } from './support/practice.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = resolve(here, '../fixtures/image/app');

/** CreateRepository in moto, as step 3 would (moto routes by the SigV4 scope, not the signature). */
async function createRepository(name) {
  const response = await fetch(requireEnv('BERTH_TEST_MOTO_URL'), {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'AmazonEC2ContainerRegistry_V20150921.CreateRepository',
      Authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20200101/us-east-1/ecr/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({ repositoryName: name }),
  });
  assert.equal(response.status, 200, await response.text());
}

/** Scrolls a section's heading to the top of the window (for a screenshot of that section). */
async function scrollToHeading(browser, text) {
  await browser.execute((wanted) => {
    const heading = [...document.querySelectorAll('h2')].find((h) => h.textContent.trim() === wanted);
    const main = document.querySelector('main');
    if (!heading || !main) return;
    // Only the page scrolls (scrollIntoView would shift the whole window when the page ends).
    document.scrollingElement.scrollTop = 0;
    main.scrollTop += heading.getBoundingClientRect().top - main.getBoundingClientRect().top - 56;
  }, text);
}

/** The digest the registry serves for repository:tag, asked over its HTTP API. */
async function registryDigest(repository, tag) {
  const auth = Buffer.from(
    `${requireEnv('BERTH_TEST_REGISTRY_USER')}:${requireEnv('BERTH_TEST_REGISTRY_PASSWORD')}`,
  ).toString('base64');
  const response = await fetch(`http://${requireEnv('BERTH_TEST_REGISTRY')}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { Authorization: `Basic ${auth}`, Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  assert.equal(response.status, 200, `the registry has no ${repository}:${tag}`);
  return response.headers.get('docker-content-digest');
}

test('the fixture folder is built, pushed with live progress, and the digest shown is the registry’s', async () => {
  const repository = `e2e-image-${process.pid}-${Date.now()}`;
  await createRepository(repository);
  const home = practiceHome({ wizard: { repository } });
  const commit = execFileSync('git', ['-C', fixture, 'rev-parse', '--short', 'HEAD']).toString().trim();
  const browser = await openApp({ home, env: { DOCKER_HOST: requireEnv('DOCKER_HOST') } });
  try {
    await chooseLanguage(browser, 'Language', 'en');
    await click(browser, 'Image');
    await waitForText(browser, `Pushes to ${repository} in the practice registry`);

    const folder = await byName(browser, 'Folder');
    await folder.setValue(fixture);
    await browser.keys('Enter');
    // The folder is read: its Dockerfile, what .dockerignore keeps out, the git commit as tag.
    await waitForText(browser, 'Kept out by .dockerignore');
    const tag = await byName(browser, 'Tag');
    assert.equal(await tag.getValue(), commit);
    await saveScreenshot(browser, 'image-folder');

    await click(browser, 'Build image');
    await waitForText(browser, `Built ${repository}:${commit}`, 60000);
    const afterBuild = await pageText(browser);
    // BuildKit's steps: the fixture's FROM is step 1 of 2 and its COPY step 2 of 2; its plain log.
    assert.match(afterBuild, /Step 2 of 2/);
    assert.match(afterBuild, /COPY \. \/app\//);
    assert.match(afterBuild, /#\d+ \[2\/2\] COPY \. \/app\//);
    assert.match(afterBuild, /Successfully tagged/);
    await saveScreenshot(browser, 'image-built');

    await click(browser, `Push to ${repository}`);
    await waitForText(browser, `Pushed to ${repository}`, 120000);
    const shown = await pageText(browser);
    const digest = await registryDigest(repository, commit);
    assert.ok(digest?.startsWith('sha256:'));
    assert.ok(shown.includes(digest), `the app shows ${digest}`);
    assert.ok(shown.includes(`123456789012.dkr.ecr.us-east-1.amazonaws.com/${repository}:${commit}`));
    assert.match(shown, /\d+ of \d+ layers? done/);
    // Every layer has a progress bar a screen reader can read, and each ended full.
    const bars = await browser.execute(() =>
      [...document.querySelectorAll('[role="progressbar"]')]
        .filter((el) => /^Layer [0-9a-f]{12}$/.test(el.getAttribute('aria-label') ?? ''))
        .map((el) => ({ name: el.getAttribute('aria-label'), now: el.getAttribute('aria-valuenow') })),
    );
    assert.ok(bars.length >= 1, 'a progress bar per layer');
    for (const bar of bars) assert.equal(bar.now, '100', bar.name);
    await scrollToHeading(browser, 'Push to ECR');
    await saveScreenshot(browser, 'image-pushed');

    // The images already in the engine are offered too, with their platform.
    await click(browser, 'Use an image already on this computer');
    const listed = await byName(browser, `${repository}:${commit}`);
    assert.equal(await listed.getAttribute('type'), 'radio');
    // Its own row: the platform, the engine's size in decimal units as `docker images` writes it
    // (not any other image's row: the engine holds whatever else the machine built), and a date.
    const engineSize = Number(
      execFileSync('docker', ['image', 'inspect', '--format', '{{.Size}}', `${repository}:${commit}`]).toString(),
    );
    let meta = '';
    await browser.waitUntil(
      async () => /^linux\/amd64 · [\d.]+ (B|kB|MB) · created \S/.test((meta = (await description(browser, listed)).trim())),
      { timeout: 15000, timeoutMsg: `the local image list shows platform, size and date (shown: "${meta}")` },
    );
    const [, number, unit] = meta.match(/ · ([\d.]+) (B|kB|MB) · /);
    const shownSize = Number(number) * { B: 1, kB: 1e3, MB: 1e6 }[unit];
    assert.ok(Math.abs(shownSize - engineSize) <= engineSize * 0.05, `${meta} is ${engineSize} bytes`);
    await saveScreenshot(browser, 'image-local');

    // The pushed image is remembered: back on the step (in Korean), it is still there.
    await click(browser, 'Environment');
    await chooseLanguage(browser, 'Language', 'ko');
    await click(browser, '이미지');
    await waitForText(browser, `${repository}에 푸시 완료`);
    await scrollToHeading(browser, 'ECR에 푸시');
    await saveScreenshot(browser, 'image-pushed-ko');
  } finally {
    await browser.deleteSession().catch(() => {});
    // The images this test made (the build, and its tag for the registry).
    const registry = requireEnv('BERTH_TEST_REGISTRY');
    for (const image of [`${repository}:${commit}`, `${registry}/${repository}:${commit}`]) {
      try {
        execFileSync('docker', ['rmi', image], { stdio: 'ignore' });
      } catch {
        // Not made (the test failed before): nothing to remove.
      }
    }
  }
});

/** The text of what the control points at with aria-describedby (its hint and its error). */
async function description(browser, control) {
  return browser.execute(
    (el) =>
      (el.getAttribute('aria-describedby') ?? '')
        .split(/\s+/)
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    control,
  );
}

test('a folder without a Dockerfile is named at Folder; after a restart the step opens as it was left', async () => {
  const repository = `e2e-restart-${process.pid}-${Date.now()}`;
  await createRepository(repository);
  const home = practiceHome({ wizard: { repository } });
  const commit = execFileSync('git', ['-C', fixture, 'rev-parse', '--short', 'HEAD']).toString().trim();
  const env = { DOCKER_HOST: requireEnv('DOCKER_HOST') };
  const noDockerfile = mkdtempSync(join(tmpdir(), 'berth-e2e-nodockerfile-'));
  writeFileSync(join(noDockerfile, 'app.js'), 'console.log("hi")\n');
  let browser = await openApp({ home, env });
  try {
    await chooseLanguage(browser, 'Language', 'en');
    await click(browser, 'Image');
    await waitForText(browser, `Pushes to ${repository} in the practice registry`);

    // The folder lacks the Dockerfile: said at Folder, with Advanced left folded.
    let folder = await byName(browser, 'Folder');
    await folder.setValue(noDockerfile);
    await browser.keys('Enter');
    await waitForText(browser, 'This folder has no Dockerfile.');
    assert.equal(await folder.getAttribute('aria-invalid'), 'true');
    assert.match(await description(browser, folder), /This folder has no Dockerfile/);
    const advancedOpen = await browser.execute(() => document.querySelector('details.advanced')?.open ?? null);
    assert.equal(advancedOpen, false, 'the Dockerfile path field stays folded away');
    await saveScreenshot(browser, 'image-no-dockerfile');

    await folder.clearValue();
    await folder.setValue(fixture);
    await browser.keys('Enter');
    await waitForText(browser, 'Kept out by .dockerignore');
    await click(browser, 'Build image');
    await waitForText(browser, `Built ${repository}:${commit}`, 60000);
    await click(browser, `Push to ${repository}`);
    await waitForText(browser, `Pushed to ${repository}`, 120000);

    // Berth quits and starts again on the same home.
    await browser.deleteSession();
    browser = await openApp({ home, env });
    await chooseLanguage(browser, 'Language', 'en');
    await click(browser, 'Image');
    await waitForText(browser, `Pushed to ${repository}`);
    folder = await byName(browser, 'Folder');
    await browser.waitUntil(async () => (await folder.getValue()) === realpathSync(fixture), {
      timeout: 15000,
      timeoutMsg: 'the folder is filled in again',
    });
    await waitForText(browser, 'Kept out by .dockerignore');
    assert.equal(await (await byName(browser, 'Tag')).getValue(), commit);
    await waitForText(browser, `Built ${repository}:${commit}`);
    assert.equal(await (await byName(browser, 'Build image')).isEnabled(), true);
    assert.equal(await (await byName(browser, `Push to ${repository}`)).isEnabled(), true);
    await click(browser, 'Try it locally Optional');
    assert.equal(await (await byName(browser, 'Run locally')).isEnabled(), true);
    assert.doesNotMatch(await pageText(browser), /Build or choose an image first/);
    await saveScreenshot(browser, 'image-restored');
  } finally {
    await browser.deleteSession().catch(() => {});
    const registry = requireEnv('BERTH_TEST_REGISTRY');
    for (const image of [`${repository}:${commit}`, `${registry}/${repository}:${commit}`]) {
      try {
        execFileSync('docker', ['rmi', image], { stdio: 'ignore' });
      } catch {
        // Not made (the test failed before): nothing to remove.
      }
    }
  }
});
