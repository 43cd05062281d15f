// The installed .deb, as a stranger gets it: what the package declares, the desktop entry and icon
// it puts in place, the installed binary starting on its first screen, and practice started with
// one click from the files the package installed.
//   Run by tests/package/run.sh, which builds nothing: it installs BERTH_DEB with apt-get first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { byName, chooseLanguage, openApp, requireEnv, saveScreenshot, tempHome, waitForText } from '../e2e/support/app.mjs';

const deb = requireEnv('BERTH_DEB');
const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8' });
const field = (name) => run('dpkg-deb', ['--field', deb, name]).trim();
const packageName = field('Package');
const installedFiles = () => run('dpkg', ['--listfiles', packageName]).split('\n').filter(Boolean);

/** The keys of a .desktop file's [Desktop Entry] group. */
function desktopEntry(path) {
  const entry = {};
  let inGroup = false;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('[')) inGroup = line.trim() === '[Desktop Entry]';
    else if (inGroup && line.includes('=')) entry[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return entry;
}

test('the package declares the libraries the app loads, and apt installed it', () => {
  const depends = field('Depends');
  for (const library of ['libwebkit2gtk-4.1-0', 'libgtk-3-0', 'libayatana-appindicator3-1']) {
    assert.match(depends, new RegExp(`(^|, )${library.replace(/[.]/g, '\\.')}( |,|$)`), `Depends lacks ${library}: ${depends}`);
  }
  const status = run('dpkg-query', ['--show', '--showformat', '${db:Status-Status} ${Version}', packageName]);
  assert.equal(status, `installed ${field('Version')}`);
});

test('every shared library of the installed binary resolves', () => {
  const binary = requireEnv('BERTH_APP_BIN');
  assert.ok(installedFiles().includes(binary), `${binary} is not a file of ${packageName}`);
  const missing = run('ldd', [binary]).split('\n').filter((line) => line.includes('not found'));
  assert.deepEqual(missing, [], `unresolved libraries:\n${missing.join('\n')}`);
});

test('the desktop entry validates and starts the installed binary under its icon', () => {
  const desktopFiles = installedFiles().filter((f) => f.startsWith('/usr/share/applications/') && f.endsWith('.desktop'));
  assert.equal(desktopFiles.length, 1, `desktop files: ${desktopFiles}`);
  // desktop-file-validate prints hints and errors; it exits non-zero on errors only.
  const report = run('desktop-file-validate', [desktopFiles[0]]).trim();
  assert.ok(!/error/i.test(report), report);

  const entry = desktopEntry(desktopFiles[0]);
  assert.equal(entry.Name, 'Berth');
  assert.equal(entry.Type, 'Application');
  assert.ok(entry.Comment?.length > 10, `Comment: ${entry.Comment}`);
  assert.ok(entry.Categories?.split(';').includes('Development'), `Categories: ${entry.Categories}`);
  assert.equal(entry.Exec.split(' ')[0], requireEnv('BERTH_APP_BIN').split('/').pop());

  // The icon theme finds Icon= by name in hicolor, in the sizes menus and docks ask for.
  const sizes = installedFiles()
    .map((f) => new RegExp(`^/usr/share/icons/hicolor/(\\d+)x\\1(@2)?/apps/${entry.Icon}\\.png$`).exec(f))
    .filter(Boolean)
    .map((m) => m[0]);
  for (const size of ['32x32', '64x64', '128x128', '256x256', '512x512']) {
    assert.ok(sizes.some((p) => p.includes(`/${size}/`)), `no ${size} icon named ${entry.Icon}: ${sizes}`);
  }
  for (const icon of sizes) {
    assert.ok(existsSync(icon));
    assert.equal(readFileSync(icon).subarray(1, 4).toString(), 'PNG', `${icon} is not a PNG`);
  }
});

test('the installed binary opens the environment check with the running Docker engine', async () => {
  const dockerHost = requireEnv('DOCKER_HOST');
  const engineVersion = run('docker', ['version', '--format', '{{.Server.Version}}']).trim();
  const browser = await openApp({ home: tempHome(), env: { DOCKER_HOST: dockerHost } });
  try {
    await chooseLanguage(browser, 'Language', 'en');
    await waitForText(browser, 'Docker engine is running', 30000);
    await waitForText(browser, engineVersion);
    await saveScreenshot(browser, 'installed-deb-environment');

    // A stranger in Korean: the same screen speaks Korean.
    await chooseLanguage(browser, 'Language', 'ko');
    await waitForText(browser, 'Docker 엔진이 실행 중입니다');
    await saveScreenshot(browser, 'installed-deb-environment-ko');
  } finally {
    await browser.deleteSession().catch(() => {});
  }
});

/** Live processes running `python -m berth_moto`, with the folder each runs in. */
function practiceBackends() {
  const found = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args.includes('berth_moto') && args.includes('--state-file')) {
        found.push({ pid, cwd: readlinkSync(`/proc/${pid}/cwd`) });
      }
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

test('the installed app practises with one click, from the files the package installed', async () => {
  const practiceDir = installedFiles().find((f) => f.endsWith('/practice/berth_moto/__main__.py'));
  assert.ok(practiceDir, 'the package installs the practice backend');
  const before = practiceBackends().map((p) => p.pid);
  const browser = await openApp({
    home: tempHome(),
    env: { DOCKER_HOST: requireEnv('DOCKER_HOST') },
    unset: ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
  });
  try {
    await chooseLanguage(browser, 'Language', 'en');
    await waitForText(browser, 'Docker engine is running', 30000);
    await (await byName(browser, 'Practice without AWS')).click();
    await waitForText(browser, 'Practising on this computer', 120000);
    await waitForText(browser, '123456789012', 30000);
    await saveScreenshot(browser, 'installed-deb-practice');
    const started = practiceBackends().filter((p) => !before.includes(p.pid));
    assert.equal(started.length, 1, `one practice backend: ${JSON.stringify(started)}`);
    assert.equal(`${started[0].cwd}/berth_moto/__main__.py`, practiceDir, 'it runs from the installed files');

    await (await byName(browser, 'Leave practice')).click();
    const deadline = Date.now() + 30000;
    while (practiceBackends().some((p) => p.pid === started[0].pid) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(!practiceBackends().some((p) => p.pid === started[0].pid), 'leaving practice stops its backend');
  } finally {
    await browser.deleteSession().catch(() => {});
  }
});
