// Turns the measurements scripts/bench/all.sh collected in DIR into the markdown of
// docs/benchmarks.md.   node scripts/bench/table.mjs DIR RUNS
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, runs] = process.argv.slice(2);
const read = (name) => (existsSync(join(dir, name)) ? JSON.parse(readFileSync(join(dir, name), 'utf8')) : null);
const app = read('app.json');
const scale = read('scale.json');
const deb = read('deb.json');
const machine = read('machine.json');
const imageText = readFileSync(join(dir, 'image.txt'), 'utf8');

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const perProcess = (memory) =>
  memory.processes
    .toSorted((a, b) => a.name.localeCompare(b.name))
    .map((p) => `${p.name} ${p.rssMiB}/${p.pssMiB}`)
    .join(', ');
const calls = (byOperation) =>
  Object.entries(byOperation)
    .map(([operation, n]) => `${operation} ${n}`)
    .join(', ');

/** The push/build lines of scripts/bench-image.sh: Berth s, docker s, ratio, goal. */
function imageRow(kind) {
  const m = new RegExp(`${kind}\\s+(.*?):\\s+Berth\\s+([\\d.]+) s\\s+docker \\w+\\s+([\\d.]+) s\\s+ratio ([\\d.]+)\\s+\\(goal <= ([\\d.]+)\\)`).exec(imageText);
  if (!m) return `| ${kind} | not measured | |`;
  const [, what, berth, docker, ratio, goal] = m;
  const verdict = Number(ratio) <= Number(goal) ? 'meets' : 'misses';
  return `| Image ${kind}: ${what}, Berth / \`docker ${kind}\` | **${ratio}** (${berth} s / ${docker} s) | ${verdict} the goal ≤ ${goal}; median of the runs |`;
}

const rows = [
  `| Launch → interactive first screen | **${app.launchToInteractiveMs} ms** median (${app.launchToInteractiveRangeMs.join('–')} ms, ${app.runs} launches) | from the WebDriver session request (which starts the process) until the environment check shows the running Docker engine; ${app.webviewNavigationToInteractiveMs} ms of it inside the webview |`,
  `| Launch → interactive, Berth / an empty Tauri window | **${app.ratios.launchToInteractive}** (${app.launchToInteractiveMs} ms / ${app.emptyWindow.launchToInteractiveMs} ms) | the empty window (\`scripts/bench/window\`: the same Tauri and profile, a page with one line) measured the same way, launches alternating; its range ${app.emptyWindow.launchToInteractiveRangeMs.join('–')} ms |`,
  `| Launch → first screen on the display, Berth / an empty Tauri window | **${app.ratios.launchToShown}** (${app.launchToShownMs} ms / ${app.emptyWindow.launchToShownMs} ms) | the same launches, until the pixels where that text shows took their final form (\`scripts/bench/on_screen.py\` reads that part of the X display every ~5 ms): what the user sees, where the row above stops when the page's text is there. Ranges: Berth ${app.launchToShownRangeMs.join('–')} ms, the empty window ${app.emptyWindow.launchToShownRangeMs.join('–')} ms |`,
  `| Memory at rest, first screen | **RSS ${app.memoryAtRest.totalRssMiB} MiB, PSS ${app.memoryAtRest.totalPssMiB} MiB** | every app process, RSS/PSS MiB: ${perProcess(app.memoryAtRest)} |`,
  `| Memory at rest, Berth / an empty Tauri window | **${app.ratios.pssAtRest}** (PSS ${app.memoryAtRest.totalPssMiB} MiB / ${app.emptyWindow.memoryAtRest.totalPssMiB} MiB) | the empty window: RSS ${app.emptyWindow.memoryAtRest.totalRssMiB} MiB, PSS ${app.emptyWindow.memoryAtRest.totalPssMiB} MiB; ${perProcess(app.emptyWindow.memoryAtRest)} |`,
  `| Memory at rest, Berth / an empty Tauri window painting the same way | **${app.ratios.pssAtRestSamePainting}** (PSS ${app.memoryAtRest.totalPssMiB} MiB / ${app.emptyWindow.memoryAtRestSamePainting.totalPssMiB} MiB) | like for like: the empty window started with the WebKit switches Berth's web process had (${Object.entries(app.emptyWindow.painting).map(([k, v]) => `\`${k}=${v}\``).join(', ') || 'none'}; without a GPU Berth paints on the CPU with compositing off, \`src-tauri/src/painting.rs\`); the row above compares with an app left to WebKit's default, which paints and composites through Mesa's emulated GPU (llvmpipe) when there is no GPU |`,
  `| Memory, Deployments view open | **RSS ${app.memoryDeployments.totalRssMiB} MiB, PSS ${app.memoryDeployments.totalPssMiB} MiB** | ${app.memoryDeployments.services} services, ${app.memoryDeployments.tasks} tasks with logs and metrics in moto; ${perProcess(app.memoryDeployments)} |`,
  deb
    ? `| .deb size | **${mb(deb.bytes)}** (installed ${mb(deb.installedKiB * 1024)}) | \`${deb.path}\`; Depends: ${deb.depends} |`
    : '| .deb size | not measured (no .deb built) | |',
  scale
    ? `| Dashboard refresh, ${scale.services} services / ${scale.tasks.toLocaleString('en')} tasks in moto | **${Math.round(scale.first.ms)} ms, ${scale.first.calls} API calls** (next refresh ${Math.round(scale.next.ms)} ms, ${scale.next.calls} calls) | first: ${calls(scale.first.byOperation)}; the next one reuses task definitions and addresses. The time is mostly moto serving over loopback (a Python server), not Berth |`
    : '| Dashboard refresh | not measured | |',
  imageRow('push'),
  imageRow('build'),
];

console.log(`# Benchmarks

Measured by \`bash scripts/bench/all.sh ${runs}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${machine.os}, ${machine.cores} cores, ${machine.memGiB} GiB RAM, load average ${machine.load} when it ended (the machine is shared, so times are indicative). Start-up and memory measure \`${machine.binary}\` (${mb(machine.binaryBytes)}) under Xvfb through tauri-driver; the refresh and image runs use the release test build, against the local test stack.

| What | Result | How / notes |
|---|---|---|
${rows.join('\n')}

RSS counts shared pages in every process that maps them; PSS splits them between the processes, so
the PSS total is what the app really costs the machine. The image ratios compare Berth's engine
calls (bollard) with the docker CLI on the same engine, alternating runs; each push goes to an empty
registry of its own and each build runs without the cache.

Start-up is given two ways. "Interactive" stops when WebDriver reads the first screen's text in the
page; "on the display" stops when that text's pixels are on the X display. Without a GPU they differ:
WebKit left to its default composites through Mesa's emulated GPU, and its page holds the text a few
hundred milliseconds before the display shows it; Berth, painting on the CPU with compositing off,
paints on the page's own thread, so the page answers WebDriver later but the display shows the text
within a frame or two.
`);
