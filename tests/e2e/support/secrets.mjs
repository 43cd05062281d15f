// Looks for secrets where they must never be: every file under a folder (config, data, logs,
// ~/.docker), and what the webview holds (DOM, localStorage, sessionStorage).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function filesUnder(dir, skip = () => false) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (skip(path)) return [];
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return []; // a socket or a file that went away
    }
    if (stat.isDirectory()) return filesUnder(path, skip);
    return stat.isFile() ? [path] : [];
  });
}

/** `[where, secret name]` for every file under `dirs` that contains one of `secrets`. */
export function secretsInFiles(dirs, secrets, { skip } = {}) {
  const found = [];
  let scanned = 0;
  for (const dir of dirs) {
    for (const file of filesUnder(dir, skip)) {
      let text;
      try {
        text = readFileSync(file).toString('latin1');
      } catch (error) {
        // Listed, then removed by the running app (WebKit's SQLite -shm/-wal files come and go):
        // what no longer exists holds nothing.
        if (error.code === 'ENOENT') continue;
        throw error;
      }
      scanned += 1;
      for (const [label, value] of Object.entries(secrets)) {
        if (text.includes(value)) found.push(`${file} holds the ${label}`);
      }
    }
  }
  return { found, scanned };
}

/**
 * Keeps a copy of every reply the backend sends to the webview, so they can be searched
 * afterwards: secrets must never cross IPC towards the window. Tauri's IPC (invoke replies and
 * channel data) arrives through fetch() of its ipc: protocol, looked up at call time, so wrapping
 * fetch sees it all (Tauri's own invoke cannot be replaced: it is read-only).
 */
export async function recordIpcReplies(browser) {
  await browser.execute(() => {
    if (window.__ipcReplies) return;
    window.__ipcReplies = [];
    const fetch = window.fetch.bind(window);
    window.fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = String(input?.url ?? input);
      if (url.startsWith('ipc:') || url.includes('ipc.localhost')) {
        response
          .clone()
          .text()
          .then((text) => window.__ipcReplies.push(`${decodeURIComponent(url.split('/').pop())} ${text}`))
          .catch(() => {});
      }
      return response;
    };
  });
}

/**
 * The same, for the webview's DOM (with form values), localStorage, sessionStorage and the IPC
 * replies recorded by recordIpcReplies.
 */
export async function secretsInWebview(browser, secrets) {
  const held = await browser.execute(() => {
    const values = [...document.querySelectorAll('input, textarea, select')].map((el) => el.value).join('\n');
    const storage = (s) => Object.keys(s).map((k) => `${k}=${s.getItem(k)}`).join('\n');
    return {
      dom: document.documentElement.outerHTML,
      'form values': values,
      localStorage: storage(window.localStorage),
      sessionStorage: storage(window.sessionStorage),
      'IPC replies': (window.__ipcReplies ?? []).join('\n'),
      ipcCount: String(window.__ipcReplies?.length ?? 0),
    };
  });
  const found = [];
  if (held.ipcCount === '0') found.push('no IPC reply was recorded: the check saw nothing');
  delete held.ipcCount;
  for (const [where, text] of Object.entries(held)) {
    for (const [label, value] of Object.entries(secrets)) {
      if (text.includes(value)) found.push(`the webview's ${where} holds the ${label}`);
    }
  }
  return found;
}
