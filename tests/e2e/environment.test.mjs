// The first page of the real app: the environment check and the language switch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, readdirSync } from 'node:fs';
import { byName, chooseLanguage, click, newMarker, openApp, pageText, processesWith, requireEnv, saveScreenshot, tempHome, waitForText } from './support/app.mjs';
import { practiceHome } from './support/practice.mjs';

// WebKitWebDriver runs one session at a time: each test closes its app before the next starts.
async function withApp(options, body) {
  const browser = await openApp(options);
  try {
    await body(browser);
  } finally {
    await browser.deleteSession().catch(() => {});
  }
}

const AWS_CONFIG = `[default]
region = ap-northeast-2

[profile staging]
role_arn = arn:aws:iam::123456789012:role/Deploy
source_profile = default
region = us-east-1
`;

test('shows the running Docker engine and the AWS profiles found', async () => {
  const dockerHost = requireEnv('DOCKER_HOST');
  const engineVersion = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], {
    env: { ...process.env, DOCKER_HOST: dockerHost },
  })
    .toString()
    .trim();

  await withApp({ home: tempHome({ awsConfig: AWS_CONFIG }), env: { DOCKER_HOST: dockerHost } }, async (browser) => {
    await chooseLanguage(browser, 'Language', 'en');

    await waitForText(browser, 'Docker engine is running');
    await waitForText(browser, engineVersion);
    await waitForText(browser, dockerHost);
    await saveScreenshot(browser, 'environment');
    const page = await pageText(browser);
    assert.match(page, /staging/);
    assert.match(page, /ap-northeast-2/);
    assert.match(page, /us-east-1/);
  });
});

test('switching to Korean changes the visible labels', async () => {
  await withApp({ home: tempHome(), env: { DOCKER_HOST: requireEnv('DOCKER_HOST') } }, async (browser) => {
    await chooseLanguage(browser, 'Language', 'en');
    await waitForText(browser, 'Repositories');

    await chooseLanguage(browser, 'Language', 'ko');
    await waitForText(browser, '리포지토리 목록');
    const rail = await browser.execute(() => document.querySelector('nav').innerText);
    for (const label of ['환경', '계정', '이미지', '실행', '배포 현황', '설정']) {
      assert.ok(rail.includes(label), `rail lacks "${label}": ${rail}`);
    }
    assert.ok(!rail.includes('Deployments'), `rail still in English: ${rail}`);
    assert.equal(await browser.$('html').getAttribute('lang'), 'ko');
    // The Language control is now labelled in Korean.
    await byName(browser, '언어', 2000);
    await saveScreenshot(browser, 'environment-ko');
  });
});

test('explains how to fix Docker when nothing answers at DOCKER_HOST', async () => {
  const missing = `unix://${tempHome()}/docker.sock`;
  await withApp({ home: tempHome(), env: { DOCKER_HOST: missing } }, async (browser) => {
    await chooseLanguage(browser, 'Language', 'en');

    await waitForText(browser, 'Docker is not running');
    await waitForText(browser, 'DOCKER_HOST environment variable points to');
    await waitForText(browser, missing);
    await saveScreenshot(browser, 'environment-docker-not-running');
  });
});

// A GPU shows itself as a DRM render node or WSL's /dev/dxg (src-tauri/src/painting.rs).
const hasGpu = existsSync('/dev/dxg') || (existsSync('/dev/dri') && readdirSync('/dev/dri').some((n) => n.startsWith('renderD')));

test(
  "without a GPU the web view paints on the CPU with compositing off, and a switch the user set is kept",
  { skip: hasGpu && 'this computer has a GPU: WebKit keeps its own way of painting' },
  async () => {
    const marker = newMarker();
    const [name, value] = marker.split('=');
    // The user chose GPU painting (llvmpipe here) themselves; compositing is left to Berth.
    const env = { DOCKER_HOST: requireEnv('DOCKER_HOST'), [name]: value, WEBKIT_SKIA_ENABLE_CPU_RENDERING: '0' };
    await withApp({ home: tempHome(), env }, async (browser) => {
      await waitForText(browser, 'Docker engine is running');
      const web = processesWith(marker).find((p) => p.name.startsWith('WebKitWebProces'));
      assert.ok(web, 'no WebKit web process of this app found');
      assert.equal(web.env.WEBKIT_DISABLE_COMPOSITING_MODE, '1');
      assert.equal(web.env.WEBKIT_SKIA_ENABLE_CPU_RENDERING, '0');
    });
  },
);

test('in practice, Environment, Settings and the rail say the same: signed in, in the practice region', async () => {
  // Practice with a profile whose ~/.aws has no default region, as a restart finds it.
  await withApp({ home: practiceHome(), env: { DOCKER_HOST: requireEnv('DOCKER_HOST') } }, async (browser) => {
    await chooseLanguage(browser, 'Language', 'en');
    await waitForText(browser, 'Practice — not real AWS');
    await waitForText(browser, 'US East (N. Virginia) — us-east-1, in practice (not real AWS)');
    await waitForText(browser, "doesn't use the AWS configuration below");
    const page = await pageText(browser);
    assert.doesNotMatch(page, /You will choose a region in the Account step/);
    assert.doesNotMatch(page, /Not set up yet/);
    // The identity chosen before signs in again by itself: Account is ticked without a visit.
    await browser.waitUntil(
      async () =>
        (
          await browser.execute(() =>
            [...document.querySelectorAll('nav li')].map((li) => li.textContent.replace(/\s+/g, ' ').trim()),
          )
        ).includes('Account done'),
      { timeout: 15000, timeoutMsg: 'the rail ticks Account' },
    );
    await saveScreenshot(browser, 'environment-practice');

    await click(browser, 'Settings');
    const region = await byName(browser, 'Default region');
    assert.equal(await region.getValue(), 'us-east-1');
  });
});

/** Whether the rail shows the Account step done. */
async function accountTicked(browser) {
  const items = await browser.execute(() =>
    [...document.querySelectorAll('nav li')].map((li) => li.textContent.replace(/\s+/g, ' ').trim()),
  );
  return items.includes('Account done');
}

test("Berth's own practice, after a restart: signed in again by itself, and every page says practice in us-east-1", async () => {
  const home = tempHome();
  const env = {
    DOCKER_HOST: requireEnv('DOCKER_HOST'),
    BERTH_PRACTICE_DIR: resolve(dirname(fileURLToPath(import.meta.url)), '../../practice'),
  };
  await withApp({ home, env }, async (browser) => {
    await chooseLanguage(browser, 'Language', 'en');
    await click(browser, 'Practice without AWS');
    await waitForText(browser, 'Signed in to the practice emulator', 120000);
  });
  // Berth starts again: practice comes back with it, and nobody opens the Account step.
  await withApp({ home, env }, async (browser) => {
    await chooseLanguage(browser, 'Language', 'en');
    await waitForText(browser, 'US East (N. Virginia) — us-east-1, in practice (not real AWS)');
    const page = await pageText(browser);
    assert.doesNotMatch(page, /Not set up yet/);
    assert.doesNotMatch(page, /You will choose a region in the Account step/);
    await browser.waitUntil(() => accountTicked(browser), {
      timeout: 90000,
      interval: 500,
      timeoutMsg: 'the rail ticks Account once practice is back',
    });
    await saveScreenshot(browser, 'environment-practice-restarted');
    await click(browser, 'Settings');
    assert.equal(await (await byName(browser, 'Default region')).getValue(), 'us-east-1');
  });
});
