// Start-up time and memory of the real app, measured under Xvfb through WebDriver, against an empty
// Tauri window (scripts/bench/window, the same Tauri and profile) measured the same way in the
// same run, launches alternating.
//   node scripts/bench/app.mjs [runs]      (with the test stack's env sourced, BERTH_APP_BIN and
//                                           BERTH_BENCH_WINDOW_BIN set)
// Prints one JSON object: launch-to-interactive times (median of runs) and the resident/proportional
// memory of every process of the app (the Rust process and its WebKit web and network processes)
// at rest on the first screen, and with the Deployments view open on a few services in moto; the
// same for the empty window, and Berth's ratios to it.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { click, openApp, requireEnv, tempHome, waitForText } from '../../tests/e2e/support/app.mjs';
import { practiceHome } from '../../tests/e2e/support/practice.mjs';
import { isolatedAccount, launchedService } from '../../tests/e2e/support/moto.mjs';

const runs = Number(process.argv[2] ?? 5);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Every live process whose environment holds `marker` (the app and the WebKit processes it starts). */
function processesWith(marker) {
  const found = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (!env.split('\0').includes(marker)) continue;
      const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (name === 'env') continue;
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
      found.push({ pid: Number(pid), name, rssMiB: kb('Rss') / 1024, pssMiB: kb('Pss') / 1024 });
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return found;
}

function newMarker() {
  return `BERTH_BENCH_RUN=${process.pid}-${Math.random().toString(36).slice(2)}`;
}

function openMarked(home, marker, app = requireEnv('BERTH_APP_BIN'), env = {}) {
  const [name, value] = marker.split('=');
  return openApp({ home, app, env: { DOCKER_HOST: requireEnv('DOCKER_HOST'), [name]: value, ...env } });
}

const berth = { app: () => requireEnv('BERTH_APP_BIN'), interactive: 'Docker engine is running' };
const emptyWindow = { app: () => requireEnv('BERTH_BENCH_WINDOW_BIN'), interactive: 'Empty Tauri window' };
// Without a GPU Berth has WebKit paint on the CPU (src-tauri/src/painting.rs), where an app left
// to WebKit's default paints through Mesa's emulated GPU: the empty window painting the same way
// is the like-for-like baseline for memory.
const emptyWindowCpuPainting = { ...emptyWindow, env: { WEBKIT_SKIA_ENABLE_CPU_RENDERING: '1' } };

/**
 * One launch of `subject`: from the WebDriver session request (which starts the process) until
 * its first screen shows `subject.interactive` (Berth: the Docker check's result).
 */
export async function measureStartup(subject = berth) {
  const marker = newMarker();
  const started = performance.now();
  const browser = await openMarked(tempHome(), marker, subject.app(), subject.env);
  try {
    // Read every 20 ms (the tests' 200 ms would add up to 200 ms to whichever subject needs a
    // second look).
    await waitForText(browser, subject.interactive, 30000, 20);
    const interactiveMs = performance.now() - started;
    const pageMs = await browser.execute(() => performance.now());
    // At rest: give the webview a moment to settle before reading memory.
    await browser.pause(3000);
    const processes = processesWith(marker);
    return { interactiveMs, pageMs, processes };
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
  for (let i = 0; i < runs; i++) {
    baseline.push(await measureStartup(emptyWindow));
    results.push(await measureStartup(berth));
  }
  const cpuPainting = await measureStartup(emptyWindowCpuPainting);
  const deployments = await measureDeployments();
  const interactive = Math.round(median(results.map((r) => r.interactiveMs)));
  const baselineInteractive = Math.round(median(baseline.map((r) => r.interactiveMs)));
  const atRest = memory(results.at(-1).processes);
  const baselineAtRest = memory(baseline.at(-1).processes);
  const cpuPaintingAtRest = memory(cpuPainting.processes);
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
        memoryAtRest: atRest,
        memoryDeployments: { services: deployments.services, tasks: deployments.tasks, ...memory(deployments.processes) },
        emptyWindow: {
          binary: requireEnv('BERTH_BENCH_WINDOW_BIN'),
          launchToInteractiveMs: baselineInteractive,
          launchToInteractiveRangeMs: [
            Math.round(Math.min(...baseline.map((r) => r.interactiveMs))),
            Math.round(Math.max(...baseline.map((r) => r.interactiveMs))),
          ],
          memoryAtRest: baselineAtRest,
          memoryAtRestCpuPainting: cpuPaintingAtRest,
        },
        ratios: {
          launchToInteractive: ratio(interactive, baselineInteractive),
          pssAtRest: ratio(atRest.totalPssMiB, baselineAtRest.totalPssMiB),
          pssAtRestSamePainting: ratio(atRest.totalPssMiB, cpuPaintingAtRest.totalPssMiB),
        },
      },
      null,
      2,
    ),
  );
}
