// The Deployments view in the real app against moto: a service launched as Berth launches it
// shows with its tasks, cost, logs and CPU/memory chart; scaling it changes the desired count in
// AWS; a task stopped elsewhere shows with its reason; another tag is deployed pinned by digest and
// rolled back from. Settings remember the theme and interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { byName, chooseLanguage, click, openApp, pageText, requireEnv, saveScreenshot, waitForText } from './support/app.mjs';
import { configDir, practiceHome } from './support/practice.mjs';
import { describeService, isolatedAccount, launchedService, stopTaskElsewhere, waitForTaskStopped } from './support/moto.mjs';
import { pushRunnableImage } from './support/registry.mjs';

/** A practice HOME signed in with `keys` (an account of this test's own). */
function homeFor(keys) {
  const home = practiceHome();
  writeFileSync(
    join(home, '.aws', 'credentials'),
    `[practice]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\naws_session_token = ${keys.sessionToken}\n`,
  );
  return home;
}

async function withApp(home, body) {
  const browser = await openApp({ home, env: { DOCKER_HOST: requireEnv('DOCKER_HOST') } });
  try {
    // Any style or script the CSP blocks would show up here (e.g. from the chart library).
    await browser.execute(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`),
      );
    });
    await body(browser);
  } finally {
    await browser.deleteSession().catch(() => {});
  }
}

/** The number shown in a service card's count box (desired, running, pending). */
function count(browser, service, which) {
  return browser.execute(
    (name, kind) => {
      const card = [...document.querySelectorAll('article')].find((a) => a.querySelector('h3')?.textContent === name);
      return card?.querySelector(`[data-count="${kind}"]`)?.textContent ?? null;
    },
    service,
    which,
  );
}

test('a launched service shows with its tasks, logs and chart, and scaling it changes the desired count', async () => {
  const keys = await isolatedAccount();
  const cluster = 'e2e-web';
  const service = 'shop';
  const { taskArns } = await launchedService(keys, {
    cluster,
    service,
    tasks: 1,
    logLines: ['Listening on :8080', 'GET / 200 3ms', 'GET /health 200 1ms', 'ERROR payment gateway timeout', 'GET / 200 2ms'],
  });

  await withApp(homeFor(keys), async (browser) => {
    await chooseLanguage(browser, 'Language', 'en');
    await click(browser, 'Deployments');
    await waitForText(browser, 'Tasks running');
    await waitForText(browser, service);
    await waitForText(browser, 'Made by Berth');
    const text = await pageText(browser);
    assert.ok(text.includes(cluster), 'the cluster is named');
    assert.ok(text.includes('0.25 vCPU · 0.5 GB · x86-64'), `the task size is not shown:\n${text}`);
    assert.ok(text.includes(`${keys.account}.dkr.ecr.us-east-1.amazonaws.com/${service}:v1`), 'the image is shown');
    assert.ok(text.includes(taskArns[0].split('/').pop().slice(0, 8)), 'the task is listed');
    assert.ok(/\$\d+\.\d{2}/.test(text), 'a monthly cost is shown');
    assert.equal(await count(browser, service, 'desired'), '1');
    await saveScreenshot(browser, 'deployments');

    // Scale to 2 through the form, as a keyboard or screen reader user would.
    await click(browser, `Scale ${service}`);
    const input = await byName(browser, 'Desired tasks');
    await input.clearValue();
    await input.setValue('2');
    await click(browser, 'Set desired count');
    await waitForText(browser, `${service} now keeps 2 tasks running.`);
    await browser.waitUntil(async () => (await count(browser, service, 'desired')) === '2', {
      timeout: 15000,
      timeoutMsg: 'the desired count shown did not become 2',
    });
    assert.equal((await describeService(keys, cluster, service)).desiredCount, 2, 'AWS has the new desired count');
    await click(browser, 'Activity');
    await waitForText(browser, `aws ecs update-service --cluster ${cluster} --service ${service} --desired-count 2`);
    await click(browser, 'Deployments');
    await waitForText(browser, service);

    // The service's logs: the newest lines of its task's stream, and search.
    await click(browser, `Logs of ${service}`);
    await waitForText(browser, 'ERROR payment gateway timeout');
    await waitForText(browser, 'Start of the stream');
    const search = await byName(browser, 'Search the log');
    await search.setValue('payment');
    await click(browser, 'Search');
    await waitForText(browser, '1 line contains “payment”');
    await saveScreenshot(browser, 'deployments-logs');

    // CPU and memory, drawn by the chart library without any CSP violation.
    await click(browser, `CPU and memory of ${service}`);
    await waitForText(browser, 'CPU: average');
    await browser.waitUntil(() => browser.execute(() => document.querySelector('.uplot canvas') !== null), {
      timeout: 10000,
      timeoutMsg: 'no chart was drawn',
    });
    await saveScreenshot(browser, 'deployments-chart');
    assert.deepEqual(await browser.execute(() => window.__cspViolations), [], 'the CSP blocked something');

    // A task stopped outside Berth shows with its reason.
    await stopTaskElsewhere(keys, cluster, taskArns[0], 'Essential container in task exited');
    await waitForTaskStopped(keys, cluster, taskArns[0]);
    await click(browser, 'Refresh');
    await waitForText(browser, 'Stopped in the last hour');
    await waitForText(browser, 'Essential container in task exited');
  });
});

test('another tag is deployed pinned by its digest, and a roll back to the earlier revision is confirmed and followed until it runs', async () => {
  const keys = await isolatedAccount();
  const cluster = 'e2e-roll';
  const service = 'rollshop';
  await launchedService(keys, { cluster, service, tasks: 1 });
  // A second build of the app: another digest under the tag v2.
  const v2 = pushRunnableImage(service, 'v2', { cmd: ['sh', '-c', 'echo version 2; exec httpd -f -p 80'] });

  await withApp(homeFor(keys), async (browser) => {
    await chooseLanguage(browser, 'Language', 'en');
    await click(browser, 'Deployments');
    await waitForText(browser, service);

    await click(browser, `Deploy another tag of ${service}`);
    const field = await byName(browser, 'Image tag');
    await field.setValue('v2');
    await click(browser, 'Deploy');
    await waitForText(browser, `(digest ${v2.replace('sha256:', '').slice(0, 12)}) to ${service} as ${service}:2.`);
    await browser.waitUntil(
      async () => {
        const s = await describeService(keys, cluster, service);
        return s.taskDefinition.endsWith(`/${service}:2`) && s.deployments.length === 1 && s.runningCount === 1;
      },
      { timeout: 90000, interval: 1000, timeoutMsg: `${service}:2 never ran alone` },
    );

    await click(browser, `Revisions of ${service}`);
    await waitForText(browser, `Revisions of ${service}, newest first`);
    await waitForText(browser, 'Running now');
    await click(browser, `Roll back ${service} to ${service}:1`);
    await waitForText(browser, `Roll back ${service} to ${service}:1?`);
    await waitForText(browser, `aws ecs update-service --cluster ${cluster} --service ${service} --task-definition ${service}:1`);
    await saveScreenshot(browser, 'deployments-rollback-confirm');
    await click(browser, 'Roll back');
    await waitForText(browser, `Rolling ${service} back to ${service}:1`);
    await waitForText(browser, `${service} runs ${service}:1 again.`, 120000);
    await saveScreenshot(browser, 'deployments-rollback-done');
    const rolled = await describeService(keys, cluster, service);
    assert.ok(rolled.taskDefinition.endsWith(`/${service}:1`), `the service runs ${rolled.taskDefinition}`);

    await click(browser, 'Activity');
    await waitForText(browser, `aws ecs update-service --cluster ${cluster} --service ${service} --task-definition ${service}:1`);
  });
});

test('settings remember the theme and refresh interval, and the Deployments view speaks Korean', async () => {
  const keys = await isolatedAccount();
  const home = homeFor(keys);
  await withApp(home, async (browser) => {
    await chooseLanguage(browser, 'Language', 'en');
    await click(browser, 'Settings');
    await waitForText(browser, 'Keep watching in the tray when the window is closed');
    await click(browser, 'Dark');
    await browser.waitUntil(() => browser.execute(() => document.documentElement.dataset.theme === 'dark'), {
      timeout: 5000,
      timeoutMsg: 'the dark theme was not applied',
    });
    await (await byName(browser, 'Refresh every')).selectByAttribute('value', '60');
    await waitForText(browser, 'Saved');
    await saveScreenshot(browser, 'settings-dark');

    await click(browser, 'Deployments');
    await waitForText(browser, 'Nothing runs in US East (N. Virginia) — us-east-1 yet');
    await waitForText(browser, 'Refreshes every 1 minute');

    await click(browser, 'Settings');
    await chooseLanguage(browser, 'Language', 'ko');
    await waitForText(browser, '창을 닫아도 트레이에서 계속 지켜보기');
    await click(browser, '배포 현황');
    await waitForText(browser, '실행 중인 태스크');
    await saveScreenshot(browser, 'deployments-ko-dark');
  });
  const settings = JSON.parse(readFileSync(join(configDir(home), 'settings.json'), 'utf8'));
  assert.equal(settings.preferences.theme, 'dark');
  assert.equal(settings.preferences.refreshIntervalSecs, 60);
  assert.equal(settings.preferences.language, 'ko', 'the tray and notifications follow the language');
});
