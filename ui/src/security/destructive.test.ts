// Every command that destroys, stops or empties something is behind a confirmation: activating
// the action's button alone never calls it, cancelling leaves it uncalled, and only completing the
// confirmation does. The list of such commands lives here, next to the naming rule that catches a
// new one: a destructive command added to commands.ts without a case below fails this file.
import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import commandsSource from '../ipc/commands.ts?raw';
import type { ActivityEntry } from '../ipc/types';
import { resetAccount } from '../lib/account.svelte';
import { resetActivity } from '../lib/activity.svelte';
import Account from '../screens/Account.svelte';
import Activity from '../screens/Activity.svelte';
import Deployments from '../screens/Deployments.svelte';
import Launch from '../screens/Launch.svelte';
import Repositories from '../screens/Repositories.svelte';
import { resetRepositories } from '../screens/repositories/store.svelte';
import { mockDeploymentsBackend } from '../test/deployments';
import {
  accountOverview,
  activityView,
  launchOverview,
  launchRecord,
  mockAccountBackend,
  mockLaunchBackend,
  resetLanguage,
  sleep,
} from '../test/fixtures';
import { image, MiB, mockRepositories, repository } from '../test/repositories';

/** A command name that says it destroys, stops or empties something. */
const DESTRUCTIVE_NAME =
  /(^|_)(delete|remove|stop|teardown|clear|cancel|scale|destroy|deregister|terminate|purge|prune|revoke|detach|forget|reset|wipe|drop|kill|untag)(_|$)/;

/** Destructive commands the UI calls only after a confirmation (each has a case below). */
const CONFIRMED = [
  'remove_identity',
  'clear_activity',
  'delete_repository',
  'delete_repository_images',
  'delete_service',
  'stop_task',
  // Only scaling to 0 stops everything; other counts go straight through.
  'scale_service',
  // Not caught by the naming rule, but it replaces every running task of a service.
  'redeploy_service',
  'start_teardown',
  // Deletes everything made in practice (its accounts, images, launches and wizard state).
  'reset_practice',
] as const;
type Confirmed = (typeof CONFIRMED)[number];

/** Commands the naming rule catches that are deliberately one click, and why. */
const ONE_CLICK: Record<string, string> = {
  cancel_job:
    'stops a build, push, log stream, launch or teardown at its next step; nothing in AWS or the Docker engine is undone or removed',
  stop_local_run: 'stops the trial container Berth itself started on this machine; the image stays, one click runs it again',
  stop_practice:
    "leaves practice: stops Berth's own local practice backend, which saves its data and brings it back on the next start (deleting it is reset_practice, confirmed); nothing in AWS is touched",
};

/** Commands the naming rule catches that only read, or only change what the window listens to. */
const READS_ONLY: Record<string, string> = {
  plan_teardown: 'computes what a teardown would remove and shows it; changes nothing',
  detach_job: 'stops this window listening to a job (a page is left); the job runs on, nothing is stopped',
};

/** The command names commands.ts invokes (the only module that calls into Tauri). */
function invokedCommands(): string[] {
  return [...commandsSource.matchAll(/\bcall<[^>(]*(?:<[^>]*>[^>(]*)*>\(\s*'([a-z_]+)'/g)].map((m) => m[1]);
}

type Case = {
  /** Renders the screen; answers how often the command was called so far. */
  render: () => Promise<(cmd: string) => number>;
  /** Activates the action's own button (what an accidental click does). */
  ask: () => Promise<void>;
  /** Backs out of the confirmation. */
  cancel: () => Promise<void>;
  /** Completes the confirmation. */
  confirm: () => Promise<void>;
};

const shopCard = () => page.getByRole('article', { name: 'shop' });
const dialog = () => page.getByRole('dialog');

async function renderDeployments() {
  const backend = mockDeploymentsBackend();
  await render(Deployments);
  await expect.element(shopCard()).toBeVisible();
  return (cmd: string) => backend.argsOf(cmd).length;
}

const CASES: Record<Confirmed, Case> = {
  remove_identity: {
    async render() {
      const backend = mockAccountBackend(
        accountOverview({
          profiles: [],
          identities: [{ name: 'work', maskedKeyId: 'AKIA…BBBB', hasSessionToken: false }],
          settings: { source: { kind: 'keychain', name: 'work' } },
        }),
      );
      await render(Account);
      await expect.element(page.getByRole('button', { name: 'Verify', exact: true })).toBeVisible();
      return (cmd) => backend.argsOf(cmd).length;
    },
    ask: () => page.getByRole('button', { name: 'Remove work from the keychain' }).click(),
    cancel: () => page.getByRole('button', { name: 'Keep', exact: true }).click(),
    confirm: () => page.getByRole('button', { name: 'Remove', exact: true }).click(),
  },

  clear_activity: {
    async render() {
      const backend = mockAccountBackend();
      const entry: ActivityEntry = {
        id: 1,
        at: Date.UTC(2026, 10, 25, 9, 0),
        action: 'sts.getCallerIdentity',
        target: '',
        command: 'aws sts get-caller-identity',
        status: 'succeeded',
        error: null,
      };
      backend.answers.list_activity = () => activityView([entry]);
      await render(Activity);
      await expect.element(page.getByRole('listitem')).toBeVisible();
      return (cmd) => backend.argsOf(cmd).length;
    },
    ask: () => page.getByRole('button', { name: 'Clear log' }).click(),
    cancel: () => page.getByRole('button', { name: 'Cancel' }).click(),
    confirm: () => page.getByRole('button', { name: 'Clear', exact: true }).click(),
  },

  delete_repository: {
    async render() {
      const fake = mockRepositories([repository('web', { images: [image(['v1'], 10 * MiB)] })]);
      await render(Repositories);
      await expect.element(page.getByRole('rowheader', { name: /^web\b/ })).toBeVisible();
      await expect.element(page.getByText('10.5 MB').first()).toBeVisible();
      return (cmd) => fake.argsOf(cmd).length;
    },
    ask: () => page.getByRole('button', { name: 'Delete web' }).click(),
    cancel: () => dialog().getByRole('button', { name: 'Cancel' }).click(),
    async confirm() {
      await dialog().getByLabelText('Type web to confirm').fill('web');
      await dialog().getByRole('button', { name: 'Delete repository' }).click();
    },
  },

  delete_repository_images: {
    async render() {
      const fake = mockRepositories([repository('web', { images: [image(['v1'], 10 * MiB), image(['v2'], 20 * MiB)] })]);
      await render(Repositories);
      await page.getByRole('button', { name: 'Open web' }).click();
      await page.getByRole('checkbox', { name: 'Select v1' }).click();
      return (cmd) => fake.argsOf(cmd).length;
    },
    ask: () => page.getByRole('button', { name: 'Delete selected (1)…' }).click(),
    cancel: () => dialog().getByRole('button', { name: 'Cancel' }).click(),
    confirm: () => dialog().getByRole('button', { name: 'Delete 1 image' }).click(),
  },

  delete_service: {
    render: renderDeployments,
    ask: () => shopCard().getByRole('button', { name: 'Delete shop' }).first().click(),
    cancel: () => shopCard().getByRole('button', { name: 'Keep it' }).click(),
    async confirm() {
      await shopCard().getByLabelText('Type shop to confirm').fill('shop');
      await shopCard().getByRole('button', { name: 'Delete shop' }).last().click();
    },
  },

  stop_task: {
    render: renderDeployments,
    ask: () => page.getByRole('button', { name: 'Stop task 0f1e2d3c' }).click(),
    cancel: () => page.getByRole('group', { name: 'Stop task 0f1e2d3c?' }).getByRole('button', { name: 'Keep' }).click(),
    confirm: () => page.getByRole('group', { name: 'Stop task 0f1e2d3c?' }).getByRole('button', { name: 'Stop task' }).click(),
  },

  scale_service: {
    async render() {
      const count = await renderDeployments();
      await page.getByRole('button', { name: 'Scale shop' }).click();
      await userEvent.fill(page.getByRole('spinbutton', { name: 'Desired tasks' }), '0');
      return count;
    },
    ask: () => page.getByRole('button', { name: 'Set desired count' }).click(),
    cancel: () => page.getByRole('button', { name: 'Keep running' }).click(),
    confirm: () => page.getByRole('button', { name: 'Scale to 0' }).click(),
  },

  redeploy_service: {
    render: renderDeployments,
    ask: () => page.getByRole('button', { name: 'Restart the tasks of shop' }).click(),
    cancel: () => shopCard().getByRole('button', { name: 'Cancel' }).click(),
    confirm: () => shopCard().getByRole('button', { name: 'Restart tasks', exact: true }).click(),
  },

  reset_practice: {
    async render() {
      const backend = mockAccountBackend(
        accountOverview({
          settings: {
            region: 'us-east-1',
            practice: { enabled: true, managed: true, endpointUrl: 'http://127.0.0.1:41234', registry: '127.0.0.1:41235' },
          },
        }),
      );
      backend.answers.reset_practice = () => accountOverview();
      await render(Account);
      await expect.element(page.getByRole('button', { name: 'Leave practice' })).toBeVisible();
      return (cmd) => backend.argsOf(cmd).length;
    },
    ask: () => page.getByRole('button', { name: 'Reset practice data…' }).click(),
    cancel: () => dialog().getByRole('button', { name: 'Cancel' }).click(),
    confirm: () => dialog().getByRole('button', { name: 'Reset practice data', exact: true }).click(),
  },

  start_teardown: {
    async render() {
      const backend = mockLaunchBackend(launchOverview({ records: [launchRecord({ status: 'failed' })] }));
      await render(Launch, { onnavigate: () => {} });
      await expect.element(page.getByRole('button', { name: 'Review plan' })).toBeEnabled();
      return (cmd) => backend.argsOf(cmd).length;
    },
    ask: () => page.getByRole('button', { name: 'Tear down' }).click(),
    cancel: () => page.getByRole('button', { name: 'Back' }).click(),
    async confirm() {
      await page.getByRole('textbox', { name: 'Type web to confirm' }).fill('web');
      await page.getByRole('button', { name: 'Tear down' }).click();
    },
  },
};

beforeEach(async () => {
  await page.viewport(1180, 780);
  resetLanguage();
  resetAccount();
  resetActivity();
  resetRepositories();
});

afterEach(() => {
  clearMocks();
  resetLanguage();
  resetAccount();
  resetRepositories();
});

describe('the list of destructive commands', () => {
  test('commands.ts is parsed: it invokes dozens of commands, among them the known destructive ones', () => {
    const invoked = invokedCommands();
    expect(invoked.length).toBeGreaterThan(50);
    expect(invoked).toEqual(expect.arrayContaining([...CONFIRMED, ...Object.keys(ONE_CLICK), ...Object.keys(READS_ONLY)]));
  });

  test('every command named like a destructive one is either confirmed (with a case) or one click with a reason', () => {
    const named = invokedCommands().filter((cmd) => DESTRUCTIVE_NAME.test(cmd));
    const unaccounted = named.filter(
      (cmd) => !(CONFIRMED as readonly string[]).includes(cmd) && !(cmd in ONE_CLICK) && !(cmd in READS_ONLY),
    );
    expect(unaccounted).toEqual([]);
    expect(Object.keys(CASES).sort()).toEqual([...CONFIRMED].sort());
    for (const cmd of CONFIRMED) expect(cmd in ONE_CLICK, cmd).toBe(false);
  });
});

describe.each(CONFIRMED)('%s', (cmd) => {
  const c = CASES[cmd];

  test('is not called by its button alone, nor after cancelling; only completing the confirmation calls it', async () => {
    const calls = await c.render();

    await c.ask();
    await sleep(50);
    expect(calls(cmd)).toBe(0);

    await c.cancel();
    await sleep(50);
    expect(calls(cmd)).toBe(0);

    await c.ask();
    await sleep(50);
    expect(calls(cmd)).toBe(0);
    await c.confirm();
    await expect.poll(() => calls(cmd)).toBe(1);
  });

  test('an Enter right after the button (a double press) lands on something safe and calls nothing', async () => {
    const calls = await c.render();
    await c.ask();
    await userEvent.keyboard('{Enter}');
    await sleep(100);
    expect(calls(cmd)).toBe(0);
  });
});
