// The real app's window, probed from inside as injected script would: the Tauri API is not on
// `window`, Object.prototype is frozen, the CSP blocks inline script, eval and connections anywhere but IPC,
// and the IPC layer refuses what the capability does not grant while it answers what it does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, requireEnv, tempHome, waitForText } from './support/app.mjs';

test('an injected script finds no global API, a frozen Object.prototype, a CSP that holds, and IPC limited to the capability', async () => {
  const moto = requireEnv('BERTH_TEST_MOTO_URL');
  const browser = await openApp({ home: tempHome() });
  try {
    await waitForText(browser, 'Berth');

    const globals = await browser.execute(() => ({
      tauri: typeof window.__TAURI__,
      internals: typeof window.__TAURI_INTERNALS__,
      objectFrozen: Object.isFrozen(Object.prototype),
    }));
    assert.equal(globals.tauri, 'undefined', 'withGlobalTauri exposes window.__TAURI__');
    assert.equal(globals.internals, 'object', 'the probe needs the IPC bridge the app itself uses');
    assert.equal(globals.objectFrozen, true, 'Object.prototype is not frozen');

    // Inline script is refused by script-src 'self'.
    const inline = await browser.executeAsync((done) => {
      const s = document.createElement('script');
      s.textContent = 'window.__berthInlineRan = true;';
      document.head.append(s);
      setTimeout(() => done(window.__berthInlineRan === true), 200);
    });
    assert.equal(inline, false, 'an inline script ran');

    // connect-src allows only IPC: a request to another local server never leaves the window.
    const fetched = await browser.executeAsync(
      (url, done) => {
        let violated = null;
        document.addEventListener('securitypolicyviolation', (e) => (violated = e.effectiveDirective), { once: true });
        fetch(url).then(
          () => done('reached'),
          () => setTimeout(() => done(`blocked by ${violated}`), 100),
        );
      },
      `${moto}/moto-api/`,
    );
    assert.equal(fetched, 'blocked by connect-src', `a fetch to ${moto}`);

    // A granted command answers; plugin commands and commands outside the capability do not.
    // Neither eval nor new Function (no 'unsafe-eval').
    const evaluated = await browser.executeAsync((done) => {
      const tries = [() => eval('1 + 1'), () => new Function('return 2')()];
      done(
        tries.map((run) => {
          try {
            run();
            return 'ran';
          } catch (e) {
            return `refused: ${e}`;
          }
        }),
      );
    });
    for (const answer of evaluated) assert.match(answer, /^refused/, 'eval ran');

    const ipc = await browser.executeAsync((done) => {
      const invoke = (cmd, args) =>
        window.__TAURI_INTERNALS__.invoke(cmd, args).then(
          () => 'allowed',
          (e) => `refused: ${typeof e === 'string' ? e : JSON.stringify(e)}`,
        );
      Promise.all([
        invoke('app_info'),
        invoke('plugin:dialog|message', { message: 'injected', title: 'x' }),
        invoke('plugin:dialog|save', {}),
        invoke('plugin:fs|read_text_file', { path: '/etc/hostname' }),
        invoke('plugin:shell|open', { path: 'https://example.invalid' }),
        invoke('not_a_berth_command'),
      ]).then(done);
    });
    const [appInfo, message, save, fs, shell, unknown] = ipc;
    assert.equal(appInfo, 'allowed', `app_info: ${appInfo}`);
    for (const [name, answer] of Object.entries({ message, save, fs, shell, unknown })) {
      assert.match(answer, /^refused/, `${name} was allowed`);
    }
  } finally {
    await browser.deleteSession().catch(() => {});
  }
});
