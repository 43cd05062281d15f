// The desktop around Berth's window, per test: a private D-Bus session bus (with the
// accessibility bus screen readers use, to read the tray menu), and when asked a real tray host
// (trayer, an XEmbed tray: libayatana-appindicator falls back to it when no StatusNotifier host
// runs) and a real notification service (dunst, whose history is read back). The bus starts
// nothing on demand, so a "bare" desktop really has neither. Everything runs on the stack's Xvfb.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireEnv } from './app.mjs';

const HELPER = fileURLToPath(new URL('./desktop.py', import.meta.url));
// Debian's python3, which has python3-xlib and python3-gi (a pyenv python on PATH may not).
const PYTHON = '/usr/bin/python3';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs desktop.py `args` on the stack's display and private bus; its JSON answer. */
function helper(bus, ...args) {
  const out = execFileSync(PYTHON, [HELPER, ...args], {
    env: { ...process.env, DISPLAY: requireEnv('DISPLAY'), DBUS_SESSION_BUS_ADDRESS: bus },
    encoding: 'utf8',
    timeout: 30000,
  });
  return JSON.parse(out);
}

/** Waits until `probe()` answers something truthy; fails with `what` and the last answer. */
export async function waitFor(what, probe, timeout = 30000, interval = 300) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() > end) throw new Error(`${what} within ${timeout} ms; last seen: ${JSON.stringify(last)}`);
    await sleep(interval);
  }
}

/**
 * Starts the desktop: `tray` (trayer) and `notifications` (dunst) as asked. Returns its bus
 * address (give it to the app as DBUS_SESSION_BUS_ADDRESS) and what the tests use on it.
 */
export async function startDesktop({ tray = true, notifications = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-desktop-'));
  const socket = join(dir, 'bus');
  const bus = `unix:path=${socket}`;
  // No <servicedir>: nothing is started on demand (dunst's D-Bus activation file is installed).
  writeFileSync(
    join(dir, 'bus.conf'),
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=${socket}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>`,
  );
  const env = { ...process.env, DISPLAY: requireEnv('DISPLAY'), DBUS_SESSION_BUS_ADDRESS: bus, HOME: dir };
  const children = [];
  const start = (command, args) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err = (err + d).slice(-2000)));
    child.output = () => err;
    children.push(child);
    return child;
  };
  start('dbus-daemon', [`--config-file=${join(dir, 'bus.conf')}`, '--nofork', '--nopidfile']);
  await waitFor('the private D-Bus bus did not start', () => {
    try {
      execFileSync('dbus-send', ['--bus=' + bus, '--print-reply', '--dest=org.freedesktop.DBus', '/', 'org.freedesktop.DBus.ListNames'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }, 10000, 100);
  const names = () =>
    execFileSync('dbus-send', ['--bus=' + bus, '--print-reply', '--dest=org.freedesktop.DBus', '/', 'org.freedesktop.DBus.ListNames'], {
      encoding: 'utf8',
    });
  // The accessibility bus, through which the tray menu's items are read.
  start('/usr/libexec/at-spi-bus-launcher', ['--launch-immediately']);
  await waitFor('the accessibility bus did not start', () => names().includes('org.a11y.Bus'), 10000, 100);
  if (notifications) {
    const config = join(dir, 'dunstrc');
    // Notifications stay on screen until read back (no timeout), and all of them are kept.
    mkdirSync(join(dir, '.config', 'dunst'), { recursive: true });
    writeFileSync(config, '[global]\n    history_length = 100\n    sticky_history = yes\n[urgency_low]\n    timeout = 0\n[urgency_normal]\n    timeout = 0\n[urgency_critical]\n    timeout = 0\n');
    start('dunst', ['-config', config]);
    await waitFor('dunst did not take org.freedesktop.Notifications', () => names().includes('org.freedesktop.Notifications'), 10000, 100);
  }
  if (tray) {
    start('trayer', ['--edge', 'top', '--align', 'right', '--widthtype', 'request', '--height', '32', '--transparent', 'false', '--tint', '0x334455', '--SetDockType', 'true', '--expand', 'true']);
    await waitFor('trayer did not start', () => helper(bus, 'tray-icons') !== null, 10000, 200);
    await sleep(500);
  }

  return {
    bus,
    /** Icons embedded in the tray host. */
    trayIcons: () => helper(bus, 'tray-icons'),
    /** Saves the screen (or the box [x, y, w, h]) as PNG; reports the badge colours in it. */
    screenshot: (path, box = []) => helper(bus, 'screenshot', path, ...box.map(String)),
    /** The showing items of Berth's menus, as the accessibility bus tells them. */
    menu: () => helper(bus, 'menu'),
    windows: () => helper(bus, 'windows'),
    closeWindow: () => helper(bus, 'close-window'),
    /** A real click (xdotool) at the middle of `box`. */
    click: (box) => {
      const x = Math.round(box.x + box.width / 2);
      const y = Math.round(box.y + box.height / 2);
      execFileSync('xdotool', ['mousemove', String(x), String(y), 'click', '1'], { env });
    },
    key: (name) => execFileSync('xdotool', ['key', name], { env }),
    /** Every notification dunst was given, oldest first: {app, summary, body}. */
    notifications: () => {
      // Shown ones move to the history when closed; the history is newest first.
      execFileSync('dunstctl', ['close-all'], { env });
      const history = JSON.parse(execFileSync('dunstctl', ['history'], { env, encoding: 'utf8' }));
      return history.data[0]
        .map((n) => ({ app: n.appname.data, summary: n.summary.data, body: n.body.data, id: n.id.data }))
        .sort((a, b) => a.id - b.id)
        .map(({ app, summary, body }) => ({ app, summary, body }));
    },
    stop: async () => {
      for (const child of children.reverse()) child.kill('SIGTERM');
      await sleep(300);
    },
    logs: () => children.map((c) => c.output()).join('\n'),
  };
}
