// Opens the real Berth binary under Xvfb through tauri-driver (started by tests/stack/up.sh).
// Each session gets its own HOME and environment, so tests are independent of this machine.
import { remote } from 'webdriverio';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run scripts/test.sh, or tests/stack/up.sh and source its env file`);
  }
  return value;
}

/** A fresh HOME, optionally with an ~/.aws/config. */
export function tempHome({ awsConfig } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'berth-e2e-home-'));
  if (awsConfig) {
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'config'), awsConfig);
  }
  return home;
}

/**
 * Starts the app with `env` added to its environment and `unset` removed from it. tauri-driver
 * has no option for the app's environment, so the "application" is /usr/bin/env, which sets the
 * variables and runs Berth. App data and the AWS files are those of `home`; no region variable
 * is inherited. With `output`, the app's stdout and stderr go to that file (through sh).
 */
export async function openApp({
  home,
  env = {},
  unset = ['AWS_REGION', 'AWS_DEFAULT_REGION'],
  output = null,
  app = requireEnv('BERTH_APP_BIN'),
}) {
  const driver = new URL(requireEnv('BERTH_TEST_WEBDRIVER_URL'));
  const vars = Object.entries({
    HOME: home,
    // Fresh app data (settings, localStorage) per session.
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
    ...env,
  }).map(([k, v]) => `${k}=${v}`);
  vars.unshift(...unset.flatMap((name) => ['-u', name]));
  const command = output ? ['/bin/sh', '-c', 'exec "$0" >>"$1" 2>&1', app, output] : [app];
  const browser = await remote({
    hostname: driver.hostname,
    port: Number(driver.port),
    logLevel: 'warn',
    connectionRetryCount: 1,
    capabilities: {
      'tauri:options': { application: '/usr/bin/env', args: [...vars, ...command] },
      'wdio:enforceWebDriverClassic': true,
    },
  });
  await browser.setTimeout({ implicit: 0 });
  return browser;
}

/** A fresh `NAME=value` to put in an app's `env`, to find its processes with {@link processesWith}. */
export function newMarker() {
  return `BERTH_TEST_RUN=${process.pid}-${Math.random().toString(36).slice(2)}`;
}

/**
 * Every live process whose environment holds `marker`: the app and the WebKit processes it
 * starts. Each with its name, the environment it was started with (/proc shows that one, not
 * what the process set later), and its resident and proportional memory.
 */
export function processesWith(marker) {
  const found = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!environ.includes(marker)) continue;
      const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (name === 'env') continue;
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
      const env = Object.fromEntries(environ.filter((v) => v.includes('=')).map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]));
      found.push({ pid: Number(pid), name, env, rssMiB: kb('Rss') / 1024, pssMiB: kb('Pss') / 1024 });
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return found;
}

export async function saveScreenshot(browser, name) {
  // Beside the tests, wherever they are run from (scripts/test.sh sets the same folder).
  const dir = process.env.BERTH_E2E_ARTIFACTS ?? fileURLToPath(new URL('../artifacts/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  // WebKitGTK under Xvfb paints a moment after the DOM changes; a screenshot taken at once shows
  // the previous frame.
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  await browser.pause(500);
  // WebKit's WebDriver screenshot waits for the web view's next paint. With compositing off
  // (Berth's choice without a GPU, src-tauri/src/painting.rs) a page at rest paints no more, and
  // the screenshot waited for ever: one pixel's transparent colour changes every frame until it
  // is taken (a repaint that shows nothing).
  await browser.execute(() => {
    const pixel = document.createElement('div');
    pixel.setAttribute('aria-hidden', 'true');
    pixel.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none';
    document.body.append(pixel);
    let frame = 0;
    const repaint = () => {
      pixel.style.backgroundColor = `rgba(0, 0, ${frame++ % 2}, 0)`;
      if (pixel.isConnected) requestAnimationFrame(repaint);
    };
    repaint();
    window.__berthScreenshotPixel = pixel;
  });
  try {
    await browser.saveScreenshot(path);
  } finally {
    await browser.execute(() => window.__berthScreenshotPixel?.remove());
  }
  return path;
}

/** The text a user sees (innerText: WebDriver's getText drops text in ellipsis-clipped boxes). */
export function pageText(browser) {
  return browser.execute(() => document.body.innerText);
}

/**
 * Waits until the page's visible text contains `text`, reading it every `interval` ms; fails with
 * what the page shows instead.
 */
export async function waitForText(browser, text, timeout = 15000, interval = 200) {
  let last = '';
  try {
    await browser.waitUntil(
      async () => {
        last = await pageText(browser);
        return last.includes(text);
      },
      { timeout, interval },
    );
  } catch {
    throw new Error(`"${text}" did not appear within ${timeout} ms; the page shows:\n${last}`);
  }
}

/**
 * Finds the control whose accessible name is `name` (aria-label, aria-labelledby, <label>, or the
 * text of a button or link), the way a screen reader user would. Waits until it exists. `name`
 * may be a RegExp, for a name with a count in it ("Reads (3)").
 */
export async function byName(browser, name, timeout = 15000) {
  let found = null;
  let lastError = null;
  await browser
    .waitUntil(
      async () => {
        found = await browser
          .execute((wanted) => {
          const test = typeof wanted === 'string' ? (n) => n === wanted : (n) => new RegExp(wanted.source, wanted.flags).test(n);
          // Text a screen reader would read: aria-hidden parts (decorative numbers, icons) are skipped.
          const visibleText = (node) => {
            if (node.nodeType === Node.TEXT_NODE) return node.textContent;
            if (node.nodeType !== Node.ELEMENT_NODE || node.getAttribute('aria-hidden') === 'true') return '';
            return [...node.childNodes].map(visibleText).join('');
          };
          const text = (el) => (el ? visibleText(el) : '').replace(/\s+/g, ' ').trim();
          const accessibleName = (el) => {
            const label = el.getAttribute('aria-label');
            if (label) return label.trim();
            const ids = el.getAttribute('aria-labelledby');
            if (ids) return ids.split(/\s+/).map((id) => text(document.getElementById(id))).join(' ');
            if (el.labels && el.labels.length) return [...el.labels].map(text).join(' ');
            if (['BUTTON', 'A', 'SUMMARY'].includes(el.tagName)) return text(el);
            return '';
          };
          const all = document.querySelectorAll('button, a, input, select, textarea, summary, [role], [aria-label]');
          return [...all].find((el) => test(accessibleName(el))) ?? null;
          }, typeof name === 'string' ? name : { source: name.source, flags: name.flags })
          .catch((e) => {
            lastError = e;
            return null;
          });
        return found !== null;
      },
      { timeout, interval: 200 },
    )
    .catch(() => {
      const why = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(`no control named "${name}" appeared within ${timeout} ms${why}`);
    });
  return browser.$(found);
}

/** Selects a language in the Language control (named `label` in the current language). */
export async function chooseLanguage(browser, label, value) {
  const select = await byName(browser, label);
  await select.selectByAttribute('value', value);
}

/**
 * Clicks the control named `name`. The control is scrolled to the middle of the window first:
 * WebDriver otherwise scrolls it to the top edge, under the sticky "Practice" banner, and the
 * click lands on the banner.
 */
export async function click(browser, name, timeout = 15000) {
  const control = await byName(browser, name, timeout);
  await control.scrollIntoView({ block: 'center' });
  await control.click();
  return control;
}
