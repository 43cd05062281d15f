// Start-up time and memory of the real app, measured under Xvfb through WebDriver.
//   node scripts/bench/app.mjs [runs]      (with the test stack's env sourced and BERTH_APP_BIN set)
// Prints one JSON object: launch-to-interactive times (median of runs) and the resident/proportional
// memory of every process of the app (the Rust process and its WebKit web and network processes)
// at rest on the first screen.
import { readFileSync, readdirSync } from 'node:fs';
import { openApp, requireEnv, tempHome, waitForText } from '../../tests/e2e/support/app.mjs';

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

export async function measureStartup(extraEnv = {}) {
  const marker = `BERTH_BENCH_RUN=${process.pid}-${Math.random().toString(36).slice(2)}`;
  const started = performance.now();
  const browser = await openApp({
    home: tempHome(),
    env: { DOCKER_HOST: requireEnv('DOCKER_HOST'), [marker.split('=')[0]]: marker.split('=')[1], ...extraEnv },
  });
  try {
    // Interactive: the first screen has rendered its Docker check result.
    await waitForText(browser, 'Docker engine is running', 30000);
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await measureStartup());
  const last = results.at(-1);
  const sum = (key) => last.processes.reduce((total, p) => total + p[key], 0);
  console.log(
    JSON.stringify(
      {
        runs,
        launchToInteractiveMs: Math.round(median(results.map((r) => r.interactiveMs))),
        webviewNavigationToInteractiveMs: Math.round(median(results.map((r) => r.pageMs))),
        memoryAtRest: {
          totalRssMiB: Math.round(sum('rssMiB')),
          totalPssMiB: Math.round(sum('pssMiB')),
          processes: last.processes.map((p) => ({ name: p.name, rssMiB: Math.round(p.rssMiB), pssMiB: Math.round(p.pssMiB) })),
        },
      },
      null,
      2,
    ),
  );
}
