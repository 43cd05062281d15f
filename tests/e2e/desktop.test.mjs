// Watching from the desktop, on a real desktop under Xvfb: Berth's icon in a real tray host
// (trayer), its menu opened with a real click and its items read through the accessibility bus
// and used; notifications shown by a real notification service (dunst) and read back from its
// history. And a bare desktop (neither) where Berth says so once and goes on working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { byName, chooseLanguage, click, openApp, requireEnv, waitForText } from './support/app.mjs';
import { configDir, practiceHomeFor } from './support/practice.mjs';
import { deployCrashing, isolatedAccount, json, launchedService, stopTaskElsewhere, waitForTaskStopped } from './support/moto.mjs';
import { startDesktop, waitFor } from './support/desktop.mjs';
import { countingRelay, refreshes } from './support/relay.mjs';

// What one refresh of the Deployments view asks AWS, in batches: nothing per service or task.
// DescribeScalableTargets is one call for the whole account (which services scale themselves).
const BATCHED = new Set(['ListClusters', 'DescribeClusters', 'ListServices', 'DescribeServices', 'ListTasks', 'DescribeTasks', 'DescribeTaskDefinition', 'DescribeNetworkInterfaces', 'DescribeScalableTargets']);

/** Counts the refreshes of `seconds` of watching: calls of each, and the time between them. */
async function measureRefreshes(relay, seconds, name) {
  relay.reset();
  await sleep(seconds * 1000);
  // The first and last may be cut by the window: only whole ones in between count.
  const bursts = refreshes(relay.calls());
  const whole = bursts.slice(1, -1);
  const gaps = bursts.slice(1).map((b, i) => (b.start - bursts[i].start) / 1000);
  const report = { intervalSecs: INTERVAL, refreshes: bursts.length, gapsSecs: gaps, perRefresh: bursts.map((b) => ({ calls: b.calls, ops: b.ops })) };
  writeFileSync(join(ARTIFACTS, `${name}.json`), JSON.stringify(report, null, 2));
  assert.ok(bursts.length >= 3, JSON.stringify(report));
  for (const gap of gaps) assert.ok(gap >= INTERVAL - 0.5 && gap <= INTERVAL + 3, `refreshes ${gap} s apart: ${JSON.stringify(report)}`);
  for (const burst of whole) {
    for (const op of Object.keys(burst.ops)) assert.ok(BATCHED.has(op), `${op} in a refresh: ${JSON.stringify(report)}`);
  }
  return report;
}

const INTERVAL = 5;
const ARTIFACTS = process.env.BERTH_E2E_ARTIFACTS ?? fileURLToPath(new URL('./artifacts/', import.meta.url));
mkdirSync(ARTIFACTS, { recursive: true });

/** A practice HOME for `keys` that keeps Berth in the tray and refreshes every 5 s. */
function homeWith(keys, preferences, endpointUrl) {
  const home = practiceHomeFor(keys);
  const file = join(configDir(home), 'settings.json');
  const settings = JSON.parse(readFileSync(file, 'utf8'));
  if (endpointUrl) settings.account.practice.endpointUrl = endpointUrl;
  settings.preferences = { language: 'en', refreshIntervalSecs: INTERVAL, keepInTray: true, notifications: true, ...preferences };
  writeFileSync(file, JSON.stringify(settings, null, 2));
  return home;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A RUNNING task of `service` (its scheduler replaces stopped ones). */
function runningTask(keys, cluster, service) {
  const ECS = 'AmazonEC2ContainerServiceV20141113';
  return waitFor(`${service} has no running task`, async () => {
    const { taskArns } = await json('ecs', `${ECS}.ListTasks`, { cluster, serviceName: service, desiredStatus: 'RUNNING' }, keys);
    if (!taskArns.length) return null;
    const { tasks } = await json('ecs', `${ECS}.DescribeTasks`, { cluster, tasks: taskArns }, keys);
    return tasks.find((t) => t.lastStatus === 'RUNNING')?.taskArn ?? null;
  }, 60000, 500);
}

/**
 * Opens the tray menu with a click on Berth's icon; its items once one includes `expect`. A menu
 * showing older lines is closed and opened again (the next refresh rebuilds it).
 */
async function openMenu(desktop, expect) {
  const [icon] = desktop.trayIcons().filter((i) => i.class.includes('berth'));
  assert.ok(icon, 'Berth has no icon in the tray host');
  return waitFor(`the tray menu did not show "${expect}"`, async () => {
    let items = desktop.menu();
    if (items.length === 0) {
      desktop.click(icon);
      await sleep(700);
      items = desktop.menu();
    }
    if (items.some((i) => i.name.includes(expect))) return items;
    if (items.length) desktop.key('Escape');
    return null;
  }, 30000, 1000);
}

async function closeMenu(desktop) {
  desktop.key('Escape');
  await waitFor('the tray menu did not close', () => desktop.menu().length === 0, 5000);
}

/** The notifications dunst shows, once `count` have arrived. */
function notified(desktop, count, what) {
  return waitFor(`${what}: fewer than ${count} notifications`, () => {
    const all = desktop.notifications();
    return all.length >= count ? all : null;
  }, 90000, 1000);
}

test('the tray icon counts what runs, turns red when a service fails, and its menu opens a service and quits; notifications come once each', async () => {
  const keys = await isolatedAccount();
  const cluster = 'e2e-tray';
  const { taskArns } = await launchedService(keys, { cluster, service: 'shop', tasks: 1 });
  const desktop = await startDesktop({ tray: true, notifications: true });
  const relay = await countingRelay();
  const browser = await openApp({
    home: homeWith(keys, {}, relay.url),
    env: { DOCKER_HOST: requireEnv('DOCKER_HOST'), DBUS_SESSION_BUS_ADDRESS: desktop.bus },
  });
  try {
    // The icon is in the tray host, with a green badge counting the one task.
    const icon = await waitFor('no Berth icon in the tray host', () => desktop.trayIcons().find((i) => i.class.includes('berth')));
    let items = await openMenu(desktop, 'shop — running 1/1');
    const names = items.map((i) => i.name);
    assert.deepEqual(names, ['1 task running', 'shop — running 1/1', 'Open Berth', 'Refresh now', 'Quit Berth'], names.join(' | '));
    const shot = desktop.screenshot(join(ARTIFACTS, 'tray-menu.png'));
    await closeMenu(desktop);
    const well = desktop.screenshot(join(ARTIFACTS, 'tray-icon.png'), [icon.x - 200, 0, 200 + icon.width + 2, icon.y + icon.height + 2]);
    assert.ok(well.badge.green > 50 && well.badge.red === 0, `the badge is not green: ${JSON.stringify(well.badge)} (${shot.path})`);

    // Closing the window keeps Berth in the tray.
    assert.deepEqual(desktop.closeWindow().length, 1, 'no Berth window to close');
    await waitFor('the window did not hide', () => desktop.windows().every((w) => !w.mapped), 10000);
    assert.ok(desktop.trayIcons().some((i) => i.class.includes('berth')), 'the icon left the tray with the window');
    // With the window closed, it refreshes at the Settings interval with the batched calls only.
    await measureRefreshes(relay, 3.6 * INTERVAL, 'refresh-calls-window-closed');

    // A new service reaching RUNNING, a task stopping, a deployment failing: one notification each.
    await launchedService(keys, { cluster, service: 'api', tasks: 1 });
    let all = await notified(desktop, 1, 'api running');
    await stopTaskElsewhere(keys, cluster, taskArns[0], 'Essential container in task exited');
    await waitForTaskStopped(keys, cluster, taskArns[0]);
    all = await waitFor('no notification of the stop', () => {
      const n = desktop.notifications();
      return n.some((x) => x.summary === 'A task of shop stopped') ? n : null;
    }, 60000, 1000);
    await deployCrashing(keys, cluster, 'api', { rollback: false });
    all = await waitFor('no notification of the failed deployment', () => {
      const n = desktop.notifications();
      return n.some((x) => x.summary === 'Deployment of api failed') ? n : null;
    }, 60000, 1000);
    // Two more refreshes say nothing new.
    await sleep(2.5 * INTERVAL * 1000);
    all = desktop.notifications();
    const summaries = all.map((n) => n.summary);
    const once = (summary) => assert.equal(summaries.filter((s) => s === summary).length, 1, `"${summary}" not once in ${summaries.join(' | ')}`);
    once('api is running');
    once('A task of shop stopped');
    once('Deployment of api failed');
    assert.ok(all.every((n) => n.app === 'Berth'));
    const running = all.find((n) => n.summary === 'api is running');
    assert.match(running.body, /App: api · Service: api · Cluster: e2e-tray$/);
    const stop = all.find((n) => n.summary === 'A task of shop stopped');
    assert.equal(stop.body, 'Essential container in task exited (exit code 137)\nApp: shop · Service: shop · Cluster: e2e-tray');
    const failed = all.find((n) => n.summary === 'Deployment of api failed');
    assert.match(failed.body, /circuit breaker/);
    assert.match(failed.body, /App: api · Service: api · Cluster: e2e-tray$/);
    writeFileSync(join(ARTIFACTS, 'dunst-history.json'), JSON.stringify(all, null, 2));
    // No two notifications alike.
    assert.equal(new Set(all.map((n) => n.summary + n.body)).size, all.length, JSON.stringify(all, null, 2));

    // The failing service turns the badge red and reads "failing" in the menu.
    const red = desktop.screenshot(join(ARTIFACTS, 'tray-icon-failing.png'), [icon.x - 200, 0, 200 + icon.width + 2, icon.y + icon.height + 2]);
    assert.ok(red.badge.red > 50 && red.badge.green === 0, `the badge is not red: ${JSON.stringify(red.badge)}`);
    items = await openMenu(desktop, 'api — failing');
    desktop.screenshot(join(ARTIFACTS, 'tray-menu-failing.png'));
    // Choosing the service opens the window on its card.
    desktop.click(items.find((i) => i.name.startsWith('api — failing')));
    await waitFor('the window did not come back', () => desktop.windows().some((w) => w.mapped), 10000);
    await waitFor('the api card is not focused', () =>
      browser.execute(() => document.activeElement?.dataset?.service ?? null).then((s) => s === `${cluster}/api`),
    15000);
    await waitForText(browser, 'Deployments');

    // Korean from Settings: the next notification speaks it; turned off, none comes.
    await click(browser, 'Settings');
    await chooseLanguage(browser, 'Language', 'ko');
    await waitForText(browser, '데스크톱 알림');
    const before = desktop.notifications().length;
    await stopTaskElsewhere(keys, cluster, await runningTask(keys, cluster, 'shop'), 'OutOfMemoryError: Container killed');
    all = await waitFor('no Korean notification of the stop', () => {
      const n = desktop.notifications();
      return n.some((x) => x.summary === 'shop의 태스크가 멈췄습니다') ? n : null;
    }, 60000, 1000);
    const ko = all.find((x) => x.summary === 'shop의 태스크가 멈췄습니다');
    assert.equal(ko.body, 'OutOfMemoryError: Container killed (종료 코드 137)\n앱: shop · 서비스: shop · 클러스터: e2e-tray');
    // Any other news of it (shop short of tasks, then recovered) is in Korean too.
    assert.ok(all.slice(before).every((n) => /[가-힣]/.test(n.summary)), JSON.stringify(all.slice(before), null, 2));
    writeFileSync(join(ARTIFACTS, 'dunst-history.json'), JSON.stringify(all, null, 2));

    await click(browser, '데스크톱 알림');
    await waitForText(browser, '저장됨');
    const quiet = desktop.notifications().length;
    await stopTaskElsewhere(keys, cluster, await runningTask(keys, cluster, 'shop'), 'Task failed container health checks');
    await click(browser, '배포 현황');
    await waitForText(browser, 'Task failed container health checks', 60000);
    await sleep(2 * INTERVAL * 1000);
    assert.equal(desktop.notifications().length, quiet, 'a notification came while they were off');

    // Quit from the tray menu (in Korean now): the icon leaves the tray.
    items = await openMenu(desktop, 'Berth 종료');
    desktop.click(items.find((i) => i.name === 'Berth 종료'));
    await waitFor('the icon stayed in the tray after Quit', () => !desktop.trayIcons().some((i) => i.class.includes('berth')), 15000);
  } finally {
    await browser.deleteSession().catch(() => {});
    await desktop.stop();
    await relay.stop();
  }
});

test('on a bare desktop (no tray host, no notification service) Berth says so once and keeps working; closing the window quits', async () => {
  const keys = await isolatedAccount();
  const cluster = 'e2e-bare';
  const { taskArns } = await launchedService(keys, { cluster, service: 'web', tasks: 1 });
  const desktop = await startDesktop({ tray: false, notifications: false });
  const relay = await countingRelay();
  const output = join(ARTIFACTS, 'bare-desktop-app.log');
  writeFileSync(output, '');
  const browser = await openApp({
    home: homeWith(keys, {}, relay.url),
    env: { DOCKER_HOST: requireEnv('DOCKER_HOST'), DBUS_SESSION_BUS_ADDRESS: desktop.bus },
    output,
  });
  try {
    await click(browser, 'Settings');
    await waitForText(browser, 'This desktop shows no tray icons, so Berth cannot stay in a tray');
    await waitForText(browser, 'This desktop has no notification service, so Berth shows no notifications');
    await click(browser, 'Deployments');
    await waitForText(browser, 'web');
    // The same calls while the Deployments view shows (to compare with the closed window's).
    await measureRefreshes(relay, 3.6 * INTERVAL, 'refresh-calls-deployments-view');
    // Events that would notify: Berth goes on, the stop shows in the view.
    await stopTaskElsewhere(keys, cluster, taskArns[0], 'Essential container in task exited');
    await waitForTaskStopped(keys, cluster, taskArns[0]);
    await waitForText(browser, 'Essential container in task exited', 60000);
    await sleep(2 * INTERVAL * 1000);
    const said = readFileSync(output, 'utf8').split('\n').filter((l) => l.startsWith('berth: This desktop'));
    assert.deepEqual(
      said,
      [
        'berth: This desktop shows no tray icons, so Berth cannot stay in a tray: closing the window quits Berth. What runs is in the Deployments view.',
        'berth: This desktop has no notification service, so Berth shows no notifications. Stops and deployments are listed in the Deployments view.',
      ],
      readFileSync(output, 'utf8'),
    );
    // Closing the window quits instead of hiding it into a tray nobody sees.
    assert.equal(desktop.closeWindow().length, 1);
    await waitFor('Berth did not quit', () => desktop.windows().length === 0, 15000);
  } finally {
    await browser.deleteSession().catch(() => {});
    await desktop.stop();
    await relay.stop();
  }
});
