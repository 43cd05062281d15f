// Start-up time and memory of the real app, measured under Xvfb through WebDriver, against an empty
// Tauri window (scripts/bench/window, the same Tauri and profile) measured the same way in the
// same run, launches alternating.
//   node scripts/bench/app.mjs [runs]      (with the test stack's env sourced, BERTH_APP_BIN and
//                                           BERTH_BENCH_WINDOW_BIN set)
// Prints one JSON object: launch-to-interactive times (median of runs: until the page holds the
// first screen's text, and until that text's pixels are on the display) and the resident/proportional
// memory of every process of the app (the Rust process and its WebKit web and network processes)
// at rest on the first screen, and with the Deployments view open on a few services in moto; the
// same for the empty window, and Berth's ratios to it.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { click, newMarker, openApp, processesWith, requireEnv, tempHome, waitForText } from '../../tests/e2e/support/app.mjs';
import { practiceHome } from '../../tests/e2e/support/practice.mjs';
import { isolatedAccount, launchedService } from '../../tests/e2e/support/moto.mjs';

const runs = Number(process.argv[2] ?? 5);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function openMarked(home, marker, app = requireEnv('BERTH_APP_BIN'), env = {}) {
  const [name, value] = marker.split('=');
  return openApp({ home, app, env: { DOCKER_HOST: requireEnv('DOCKER_HOST'), [name]: value, ...env } });
}

const berth = { app: () => requireEnv('BERTH_APP_BIN'), interactive: 'Docker engine is running' };
const emptyWindow = { app: () => requireEnv('BERTH_BENCH_WINDOW_BIN'), interactive: 'Empty Tauri window' };
/**
 * The WebKit switches Berth set for its web process (those in its environment and not in the
 * environment Berth was started with, such as WebKitWebDriver's own): without a GPU, Berth has
 * WebKit paint on the CPU with compositing off (src-tauri/src/painting.rs), where an app left to
 * WebKit's default paints and composites through Mesa's emulated GPU. The empty window started
 * with the same switches is the like-for-like baseline for memory.
 */
function webkitSwitches(processes) {
  const web = processes.find((p) => p.name.startsWith('WebKitWebProces'))?.env ?? {};
  const app = processes.find((p) => !p.name.startsWith('WebKit'))?.env ?? {};
  return Object.fromEntries(Object.entries(web).filter(([name, value]) => name.startsWith('WEBKIT_') && app[name] !== value));
}

/**
 * Starts watching `region` of the X display for `seconds`; resolves once the watch has begun, to
 * `{ paintedAt }`: a promise of the wall-clock time (ms) at which the region took on the content it
 * ended with (wrapped: a promise resolved with a promise would wait for that one too).
 */
function watchRegion(region, seconds) {
  const script = fileURLToPath(new URL('./on_screen.py', import.meta.url));
  const watcher = spawn('/usr/bin/python3', [script, ...region.map(String), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((ready, failed) => {
    watcher.on('error', failed);
    watcher.stdout.on('data', (chunk) => {
      out += chunk;
      if (out === 'watching\n') ready({ paintedAt: new Promise((settled) => watcher.on('close', () => settled(Number(out.split('\n')[1])))) });
    });
  });
}

/** Where the element showing `text` is on the display: [x, y, width, height]. */
function regionOf(browser, text) {
  return browser.execute((wanted) => {
    const holder = [...document.body.querySelectorAll('*')].find((e) => e.childElementCount === 0 && e.textContent.includes(wanted));
    const r = holder.getBoundingClientRect();
    return [r.x + window.screenX, r.y + window.screenY, Math.max(1, r.width), Math.max(1, r.height)].map(Math.round);
  }, text);
}

/**
 * One launch of `subject`: from the WebDriver session request (which starts the process) until
 * its first screen shows `subject.interactive` (Berth: the Docker check's result) in the page, and,
 * given the `region` of the display where that text shows, until its pixels are there.
 */
export async function measureStartup(subject = berth, region = null) {
  const marker = newMarker();
  const watch = region && (await watchRegion(region, 8));
  const startedAt = Date.now();
  const started = performance.now();
  const browser = await openMarked(tempHome(), marker, subject.app(), subject.env);
  try {
    // Read every 20 ms (the tests' 200 ms would add up to 200 ms to whichever subject needs a
    // second look).
    await waitForText(browser, subject.interactive, 30000, 20);
    const interactiveMs = performance.now() - started;
    const pageMs = await browser.execute(() => performance.now());
    const textRegion = await regionOf(browser, subject.interactive);
    // At rest: give the webview a moment to settle before reading memory.
    await browser.pause(3000);
    const processes = processesWith(marker);
    const paintedAt = watch && (await watch.paintedAt);
    return { interactiveMs, shownMs: paintedAt ? paintedAt - startedAt : null, pageMs, processes, textRegion };
  } finally {
    await browser.deleteSession().catch(() => {});
  }
}

/**
 * Memory with the Deployments view open on `services` services of `tasksEach` tasks (with logs and
 * metrics) in an account of their own in moto, signed in through practice mode.
 */
export async function measureDeployments({ services = 5, tasksEach = 2 } = {}) {
  const keys = await isolatedAccount();
  const names = Array.from({ length: services }, (_, i) => `bench-svc-${i + 1}`);
  for (const service of names) {
    await launchedService(keys, { cluster: 'bench', service, tasks: tasksEach, logLines: ['Listening on :8080'] });
  }
  const home = practiceHome();
  writeFileSync(
    join(home, '.aws', 'credentials'),
    `[practice]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\naws_session_token = ${keys.sessionToken}\n`,
  );
  const marker = newMarker();
  const browser = await openMarked(home, marker);
  try {
    await click(browser, 'Deployments', 30000);
    await waitForText(browser, 'Tasks running', 30000);
    for (const service of names) await waitForText(browser, service, 30000);
    // Let the view's first refresh, charts and logs settle.
    await browser.pause(5000);
    return { services, tasks: services * tasksEach, processes: processesWith(marker) };
  } finally {
    await browser.deleteSession().catch(() => {});
  }
}

function memory(processes) {
  const sum = (key) => processes.reduce((total, p) => total + p[key], 0);
  return {
    totalRssMiB: Math.round(sum('rssMiB')),
    totalPssMiB: Math.round(sum('pssMiB')),
    processes: processes.map((p) => ({ name: p.name, rssMiB: Math.round(p.rssMiB), pssMiB: Math.round(p.pssMiB) })),
  };
}

const ratio = (a, b) => Math.round((a / b) * 100) / 100;

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = [];
  const baseline = [];
  // Where each first screen's text shows on the display, from a launch that is not counted.
  const region = { berth: (await measureStartup(berth)).textRegion, window: (await measureStartup(emptyWindow)).textRegion };
  for (let i = 0; i < runs; i++) {
    baseline.push(await measureStartup(emptyWindow, region.window));
    results.push(await measureStartup(berth, region.berth));
  }
  const shown = (list) => Math.round(median(list.map((r) => r.shownMs)));
  const shownRange = (list) => [Math.round(Math.min(...list.map((r) => r.shownMs))), Math.round(Math.max(...list.map((r) => r.shownMs)))];
  const painting = webkitSwitches(results.at(-1).processes);
  const samePainting = await measureStartup({ ...emptyWindow, env: painting });
  const deployments = await measureDeployments();
  const interactive = Math.round(median(results.map((r) => r.interactiveMs)));
  const baselineInteractive = Math.round(median(baseline.map((r) => r.interactiveMs)));
  const atRest = memory(results.at(-1).processes);
  const baselineAtRest = memory(baseline.at(-1).processes);
  const samePaintingAtRest = memory(samePainting.processes);
  console.log(
    JSON.stringify(
      {
        binary: requireEnv('BERTH_APP_BIN'),
        runs,
        launchToInteractiveMs: interactive,
        launchToInteractiveRangeMs: [
          Math.round(Math.min(...results.map((r) => r.interactiveMs))),
          Math.round(Math.max(...results.map((r) => r.interactiveMs))),
        ],
        webviewNavigationToInteractiveMs: Math.round(median(results.map((r) => r.pageMs))),
        launchToShownMs: shown(results),
        launchToShownRangeMs: shownRange(results),
        memoryAtRest: atRest,
        memoryDeployments: { services: deployments.services, tasks: deployments.tasks, ...memory(deployments.processes) },
        emptyWindow: {
          binary: requireEnv('BERTH_BENCH_WINDOW_BIN'),
          launchToInteractiveMs: baselineInteractive,
          launchToInteractiveRangeMs: [
            Math.round(Math.min(...baseline.map((r) => r.interactiveMs))),
            Math.round(Math.max(...baseline.map((r) => r.interactiveMs))),
          ],
          launchToShownMs: shown(baseline),
          launchToShownRangeMs: shownRange(baseline),
          memoryAtRest: baselineAtRest,
          painting,
          memoryAtRestSamePainting: samePaintingAtRest,
        },
        ratios: {
          launchToInteractive: ratio(interactive, baselineInteractive),
          launchToShown: ratio(shown(results), shown(baseline)),
          pssAtRest: ratio(atRest.totalPssMiB, baselineAtRest.totalPssMiB),
          pssAtRestSamePainting: ratio(atRest.totalPssMiB, samePaintingAtRest.totalPssMiB),
        },
      },
      null,
      2,
    ),
  );
}
