import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { setLanguage } from '../lib/i18n/index.svelte';
import { cluster, mockDeploymentsBackend, monitorState, revisionList, rolledBack, service, snapshot, task } from '../test/deployments';
import { resetLanguage, sleep, teardownPlan } from '../test/fixtures';
import Deployments from './Deployments.svelte';

const shopCard = () => page.getByRole('article', { name: 'shop' });

beforeEach(() => resetLanguage());
afterEach(() => {
  clearMocks();
  resetLanguage();
});

describe('what runs', () => {
  test('shows each cluster, its services with counts, size, image, cost, events and tasks', async () => {
    mockDeploymentsBackend();
    await render(Deployments);

    await expect.element(page.getByRole('heading', { name: 'Cluster web' })).toBeVisible();
    await expect.element(shopCard()).toBeVisible();
    await expect.element(shopCard().getByText('Running', { exact: true }).first()).toBeVisible();
    await expect.element(shopCard().getByText('Made by Berth')).toBeVisible();
    await expect.element(shopCard().getByRole('definition').filter({ hasText: '0.25 vCPU · 0.5 GB · x86-64' })).toBeVisible();
    await expect.element(shopCard().getByText('123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:v3')).toBeVisible();
    await expect.element(shopCard().getByText('$13.47')).toBeVisible();
    await expect.element(shopCard().getByText('— (service shop) has reached a steady state.')).toBeVisible();

    const table = shopCard().getByRole('table', { name: 'Tasks of service shop' });
    await expect.element(table.getByRole('rowheader', { name: '0f1e2d3c' })).toBeVisible();
    await expect.element(table.getByText('3.91.20.7')).toBeVisible();
    await expect.element(table.getByText('$0.0185')).toBeVisible();

    const totals = page.getByRole('region', { name: 'Totals' });
    await expect.element(totals.getByText('$0.0185')).toBeVisible();
    await expect.element(totals.getByText('$13.47')).toBeVisible();
    await expect.element(page.getByText('On-demand prices as of Nov 1, 2026', { exact: false })).toBeVisible();
  });

  test('tells the backend the view is shown, follows new states, and says when the view goes away', async () => {
    const backend = mockDeploymentsBackend();
    const screen = await render(Deployments);
    await expect.element(shopCard()).toBeVisible();
    expect(backend.argsOf('show_deployments')).toEqual([{ visible: true }]);

    backend.push(monitorState({ snapshot: snapshot({ clusters: [cluster({ services: [service({ desired: 3, running: 1, pending: 2 })] })] }) }));
    await expect.element(shopCard().getByText('1 of 3 running')).toBeVisible();
    await expect.element(shopCard().getByRole('definition').first()).toHaveTextContent('3');

    screen.unmount();
    await sleep(10);
    expect(backend.argsOf('show_deployments').at(-1)).toEqual({ visible: false });
    // The loop's job runs on for the tray; only the view's listener is gone.
    expect(backend.jobs.allWatchers()).toEqual([]);
    expect(backend.argsOf('cancel_job')).toEqual([]);
  });

  test('coming back shows the newest state at once, as the loop left it', async () => {
    const backend = mockDeploymentsBackend();
    const screen = await render(Deployments);
    await expect.element(shopCard()).toBeVisible();
    screen.unmount();
    backend.push(monitorState({ snapshot: snapshot({ clusters: [cluster({ services: [service({ desired: 4, running: 2, pending: 2 })] })] }) }));
    await render(Deployments);
    await expect.element(shopCard().getByText('2 of 4 running')).toBeVisible();
  });

  test('a service being deleted says so, rolls nothing out and offers no changes, only its logs and charts', async () => {
    const backend = mockDeploymentsBackend();
    await render(Deployments);
    await expect.element(shopCard().getByRole('button', { name: 'Scale shop' })).toBeVisible();
    await shopCard().getByRole('button', { name: 'Scale shop' }).click();

    const draining = service({
      status: 'DRAINING',
      desired: 0,
      deployments: [{ ...service().deployments[0], rolloutState: 'IN_PROGRESS', desired: 0 }],
    });
    backend.push(monitorState({ snapshot: snapshot({ clusters: [cluster({ services: [draining] })] }) }));
    await expect.element(shopCard().getByText('Being deleted')).toBeVisible();
    expect(shopCard().getByText('Deploying', { exact: false }).query()).toBeNull();
    for (const name of ['Scale shop', 'Restart the tasks of shop', 'Delete shop', 'Tear down shop']) {
      expect(shopCard().getByRole('button', { name, exact: false }).query()).toBeNull();
    }
    // The open scale panel closed with its button.
    expect(shopCard().getByRole('spinbutton').query()).toBeNull();
    await expect.element(shopCard().getByRole('button', { name: 'Logs of shop', exact: false })).toBeVisible();
  });

  test('an empty region says so and offers the Launch step', async () => {
    mockDeploymentsBackend(monitorState({ snapshot: snapshot({ clusters: [], runningTasks: 0 }) }));
    let launched = false;
    await render(Deployments, { onlaunch: () => (launched = true) });
    await expect.element(page.getByRole('heading', { name: 'Nothing runs in US East (N. Virginia) — us-east-1 yet' })).toBeVisible();
    await page.getByRole('button', { name: 'Go to Launch' }).click();
    expect(launched).toBe(true);
  });

  test('a failed refresh keeps the last snapshot and says when Berth tries again', async () => {
    mockDeploymentsBackend(
      monitorState({
        error: { kind: 'throttled', params: { action: 'ecs:DescribeServices', code: 'ThrottlingException' }, details: 'Rate exceeded' },
        failures: 2,
        nextRefreshAt: Date.now() + 120_000,
      }),
    );
    await render(Deployments);
    const alert = page.getByRole('alert');
    await expect.element(alert.getByText('AWS asked Berth to slow down')).toBeVisible();
    await expect.element(alert.getByText(/Berth tries again in (1|2) min/)).toBeVisible();
    await expect.element(shopCard()).toBeVisible();
  });

  test('tasks stopped elsewhere are listed with their reason, the user’s own stops as such', async () => {
    const crashed = task({
      id: 'aaaaaaaa11112222',
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedAt: Date.now() - 60_000,
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 137, reason: null }],
    });
    const mine = task({ id: 'bbbbbbbb33334444', lastStatus: 'STOPPED', stoppedReason: 'Stopped from Berth', stoppedByBerth: true });
    mockDeploymentsBackend(monitorState({ snapshot: snapshot({ recentlyStopped: [crashed, mine] }) }));
    await render(Deployments);
    const stopped = page.getByRole('region', { name: 'Stopped in the last hour' });
    await expect.element(stopped.getByText('Essential container in task exited (exit code 137)')).toBeVisible();
    await expect.element(stopped.getByText('Stopped from Berth')).toBeVisible();
    // ECS's words are marked English (a Korean page does not take them for untranslated text); ours are not.
    expect(stopped.getByText('Essential container in task exited', { exact: true }).element().getAttribute('lang')).toBe('en');
    expect(stopped.getByText('Stopped from Berth').element().closest('[lang]')?.tagName).toBe('HTML');
  });

  test('in Korean, ECS event messages and stopped reasons are marked as ECS’s English', async () => {
    setLanguage('ko');
    const crashed = task({
      id: 'aaaaaaaa11112222',
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedAt: Date.now() - 60_000,
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 1, reason: null }],
    });
    mockDeploymentsBackend(monitorState({ snapshot: snapshot({ recentlyStopped: [crashed] }) }));
    await render(Deployments);
    await expect.element(page.getByText('Essential container in task exited (종료 코드 1)')).toBeVisible();
    for (const text of ['(service shop) has reached a steady state.', '(service shop) has started 1 tasks: (task 0f1e2d3c).', 'Essential container in task exited']) {
      const el = [...document.querySelectorAll('span')].find((e) => e.textContent === text);
      expect(el?.closest('[lang]')?.getAttribute('lang'), text).toBe('en');
    }
  });

  test('long unbreakable ECS words (ARNs, ids) wrap inside the page at the smallest window width', async () => {
    const arn = 'arn:aws:ecs:us-east-1:123456789012:task/e2e-crash-499-996120/0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    const long = `(service e2e-crash-499-996120) (deployment ecs-svc/8586470108987336235) deployment failed: tasks failed to start. ${arn}`;
    const crashed = task({
      id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedReason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): ${arn}${arn}`,
    });
    const events = [
      { id: 'e2', at: Date.now(), message: long },
      { id: 'e1', at: Date.now(), message: `(service e2e-crash-499-996120) has started 1 tasks: (task ${arn}${arn}).` },
    ];
    mockDeploymentsBackend(
      monitorState({ snapshot: snapshot({ clusters: [cluster({ services: [service({ events })] })], recentlyStopped: [crashed] }) }),
    );
    const screen = await render(Deployments);
    // The main area at a 900 px window is 668 px wide; it scrolls only down.
    Object.assign(screen.container.style, { width: '668px', overflow: 'auto' });
    await expect.element(shopCard()).toBeVisible();
    (shopCard().element().querySelector('details') as HTMLDetailsElement).open = true;
    await expect.element(shopCard().getByText(/has started 1 tasks/)).toBeVisible();
    expect(screen.container.scrollWidth).toBeLessThanOrEqual(screen.container.clientWidth);
    // Nothing is hidden: the whole event is there to read.
    expect(shopCard().element().textContent).toContain(arn + arn);
  });
});

describe('actions', () => {
  test('scaling checks the count before asking AWS, then sets it', async () => {
    const backend = mockDeploymentsBackend();
    await render(Deployments);
    await page.getByRole('button', { name: 'Scale shop' }).click();
    const input = page.getByRole('spinbutton', { name: 'Desired tasks' });
    await expect.element(input).toHaveFocus();
    await userEvent.fill(input, '101');
    await page.getByRole('button', { name: 'Set desired count' }).click();
    await expect.element(page.getByText('Enter a whole number from 0 to 100.')).toBeVisible();
    await expect.element(input).toHaveAttribute('aria-invalid', 'true');
    expect(backend.argsOf('scale_service')).toEqual([]);

    await userEvent.fill(input, '2');
    await expect.element(page.getByText('About $26.94 a month at this count.')).toBeVisible();
    await page.getByRole('button', { name: 'Set desired count' }).click();
    await expect.element(page.getByRole('status').getByText('shop now keeps 2 tasks running', { exact: false })).toBeVisible();
    expect(backend.argsOf('scale_service')).toEqual([{ cluster: 'web', service: 'shop', desired: 2 }]);
  });

  test('deleting a service needs its name typed first', async () => {
    const backend = mockDeploymentsBackend();
    await render(Deployments);
    await page.getByRole('button', { name: 'Delete shop' }).click();
    const confirm = page.getByRole('button', { name: 'Delete shop' }).last();
    await expect.element(confirm).toBeDisabled();
    await userEvent.fill(page.getByLabelText('Type shop to confirm'), 'sho');
    await expect.element(confirm).toBeDisabled();
    await userEvent.fill(page.getByLabelText('Type shop to confirm'), 'shop');
    await expect.element(confirm).toBeEnabled();
    await confirm.click();
    await expect.element(page.getByText('shop is being deleted', { exact: false })).toBeVisible();
    expect(backend.argsOf('delete_service')).toEqual([{ cluster: 'web', service: 'shop' }]);
  });

  test('tearing down an app Berth made shows the plan, needs the app name typed, then says it is gone', async () => {
    const backend = mockDeploymentsBackend();
    await render(Deployments);
    await shopCard().getByRole('button', { name: 'Tear down shop' }).click();

    // The teardown takes the page: the app's services leave the list while it runs.
    await expect.element(shopCard()).not.toBeInTheDocument();
    const items = page.getByRole('list', { name: 'What teardown does' }).getByRole('listitem');
    await expect.element(items.nth(0)).toHaveTextContent(/Delete\s*Service\s*shop/);
    const confirm = page.getByRole('textbox', { name: 'Type shop to confirm' });
    await expect.element(confirm).toHaveFocus();
    const button = page.getByRole('button', { name: 'Tear down', exact: true });
    await expect.element(button).toBeDisabled();
    await confirm.fill('sho');
    await expect.element(button).toBeDisabled();
    expect(backend.argsOf('start_teardown')).toHaveLength(0);

    await confirm.fill('shop');
    await button.click();
    await expect.element(page.getByText('Berth removed what it listed for “shop”.')).toHaveFocus();
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.element(page.getByRole('status').getByText('shop was torn down', { exact: false })).toBeVisible();
    expect(backend.argsOf('start_teardown')).toEqual([
      { name: 'shop', remove: { repository: false, executionRole: false, deployUser: false } },
    ]);
    expect(backend.argsOf('refresh_deployments').length).toBeGreaterThan(0);
  });

  test('a teardown that runs when the view opens takes the page, and is not started again', async () => {
    const backend = mockDeploymentsBackend();
    const job = backend.jobs.start('teardown', 'shop');
    backend.jobs.launch(job, { event: 'action', resource: 'service', outcome: 'deleted', name: 'shop', id: null, command: null });
    await render(Deployments);
    await expect.element(page.getByRole('list', { name: 'Removed so far' })).toHaveTextContent(/Deleted/);
    await expect.element(shopCard()).not.toBeInTheDocument();
    backend.jobs.launch(job, { event: 'tornDown', app: 'shop' });
    backend.jobs.finish(job, { outcome: 'tornDown', value: teardownPlan('shop') });
    await expect.element(page.getByText('Berth removed what it listed for “shop”.')).toBeVisible();
    expect(backend.argsOf('start_teardown')).toHaveLength(0);
  });

  test('going back from the teardown plan returns to the list and removes nothing', async () => {
    const backend = mockDeploymentsBackend();
    await render(Deployments);
    await shopCard().getByRole('button', { name: 'Tear down shop' }).click();
    await page.getByRole('button', { name: 'Back' }).click();
    await expect.element(shopCard()).toBeVisible();
    await expect.element(page.getByRole('heading', { level: 1, name: 'Deployments' })).toHaveFocus();
    expect(backend.argsOf('start_teardown')).toHaveLength(0);
  });

  test('stopping a task asks first and says a service replaces it', async () => {
    const backend = mockDeploymentsBackend();
    await render(Deployments);
    await page.getByRole('button', { name: 'Stop task 0f1e2d3c' }).click();
    await expect.element(page.getByText('Its service starts a new task to replace it.')).toBeVisible();
    expect(backend.argsOf('stop_task')).toEqual([]);
    await page.getByRole('group', { name: 'Stop task 0f1e2d3c?' }).getByRole('button', { name: 'Stop task' }).click();
    await expect.poll(() => backend.argsOf('stop_task').length).toBe(1);
    expect(backend.argsOf('stop_task')[0].task).toBe(task().arn);
  });

  test('deploying another tag refuses a bad tag and shows the new revision', async () => {
    const backend = mockDeploymentsBackend();
    await render(Deployments);
    await page.getByRole('button', { name: 'Deploy another tag of shop' }).click();
    const field = page.getByRole('textbox', { name: 'Image tag' });
    await userEvent.fill(field, '-bad tag');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await expect.element(page.getByText("A tag is up to 128 letters, digits, and . _ - and can't start with . or -")).toBeVisible();
    expect(backend.argsOf('deploy_image_tag')).toEqual([]);
    await userEvent.fill(field, 'v4');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await expect
      .element(page.getByText('Deploying 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:v4 (digest 444444444444) to shop as shop:4.', { exact: false }))
      .toBeVisible();
  });
});

describe('revisions and roll back', () => {
  const revisionsOf = () => shopCard().getByRole('table', { name: 'Revisions of shop, newest first' });
  const row = (definition: string) => revisionsOf().getByRole('row').filter({ has: page.getByRole('rowheader', { name: definition }) });

  test('lists the revisions newest first with image, date and who registered them, the running one marked', async () => {
    const backend = mockDeploymentsBackend();
    await render(Deployments);
    await shopCard().getByRole('button', { name: 'Revisions of shop' }).click();

    await expect.element(revisionsOf()).toBeVisible();
    expect(backend.argsOf('list_revisions')).toEqual([{ cluster: 'web', service: 'shop' }]);
    const headers = revisionsOf().getByRole('rowheader');
    await expect.element(headers.nth(0)).toHaveTextContent('shop:3');
    await expect.element(headers.nth(2)).toHaveTextContent('shop:1');
    await expect.element(row('shop:3').getByText('Running now')).toBeVisible();
    expect(row('shop:3').getByRole('button').query()).toBeNull();
    await expect.element(row('shop:2').getByText('v2')).toBeVisible();
    await expect.element(row('shop:2').getByText('222222222222')).toBeVisible();
    await expect.element(row('shop:2').getByText('Deploy (github-ci)')).toBeVisible();
    await expect.element(row('shop:2').getByText('Nov 23, 2026', { exact: false })).toBeVisible();
    await expect.element(row('shop:2').getByRole('button', { name: 'Roll back shop to shop:2' })).toBeVisible();
    await expect.element(row('shop:1').getByText('untagged')).toBeVisible();
    await expect.element(row('shop:1').getByText('Image no longer in the repository')).toBeVisible();
    expect(shopCard().getByText('Only the 20 newest revisions are listed', { exact: false }).query()).toBeNull();
  });

  test('says when older revisions are not listed', async () => {
    const backend = mockDeploymentsBackend();
    backend.answers.list_revisions = () => revisionList({ more: true });
    await render(Deployments);
    await shopCard().getByRole('button', { name: 'Revisions of shop' }).click();
    await expect.element(shopCard().getByText('Only the 20 newest revisions are listed. Older ones are in the AWS console.')).toBeVisible();
  });

  test('rolling back asks first, naming what will happen, then follows the roll back until the service runs', async () => {
    const backend = mockDeploymentsBackend();
    let finish: () => void = () => {};
    backend.answers.start_rollback = async (args, emit) => {
      emit({ event: 'action', resource: 'service', outcome: 'updated', name: 'shop', id: 'shop:2', command: 'aws ecs update-service --cluster web --service shop --task-definition shop:2' });
      emit({ event: 'service', desired: 1, running: 0, pending: 1, message: '(service shop) has started 1 tasks: (task bbbb2222).', rollout: 'IN_PROGRESS' });
      emit({ event: 'task', taskId: 'bbbb2222cccc3333', lastStatus: 'PENDING', desiredStatus: 'RUNNING' });
      await new Promise<void>((resolve) => (finish = resolve));
      emit({ event: 'task', taskId: 'bbbb2222cccc3333', lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
      return rolledBack(args.taskDefinition as string);
    };
    await render(Deployments);
    await shopCard().getByRole('button', { name: 'Revisions of shop' }).click();
    await row('shop:2').getByRole('button', { name: 'Roll back shop to shop:2' }).click();

    const dialog = page.getByRole('dialog', { name: 'Roll back shop to shop:2?' });
    await expect.element(dialog).toBeVisible();
    await expect
      .element(dialog.getByText('shop runs shop:3 now. ECS starts 1 task of shop:2 with the image v2, and stops the task of shop:3 once it runs.'))
      .toBeVisible();
    await expect.element(dialog.getByText('the deployment circuit breaker stops the deployment and ECS goes back to shop:3', { exact: false })).toBeVisible();
    await expect.element(dialog.getByText('aws ecs update-service --cluster web --service shop --task-definition shop:2', { exact: false })).toBeVisible();
    // The safe choice has the focus; Escape keeps what runs.
    await expect.element(dialog.getByRole('button', { name: 'Keep shop:3' })).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    await expect.element(dialog).not.toBeInTheDocument();
    expect(backend.argsOf('start_rollback')).toEqual([]);

    await row('shop:2').getByRole('button', { name: 'Roll back shop to shop:2' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back', exact: true }).click();
    await expect.poll(() => backend.argsOf('start_rollback')).toEqual([{ cluster: 'web', service: 'shop', taskDefinition: 'shop:2' }]);

    const progress = shopCard().getByRole('heading', { name: 'Rolling shop back to shop:2' });
    await expect.element(progress).toHaveFocus();
    await expect.element(shopCard().getByRole('list', { name: 'Tasks of the roll back' })).toHaveTextContent(/bbbb2222\s*Pending/);
    await expect.element(shopCard().getByRole('button', { name: 'Stop watching' })).toBeVisible();

    finish();
    await expect.element(shopCard().getByText('shop runs shop:2 again.')).toHaveFocus();
    await expect.element(shopCard().getByRole('list', { name: 'Tasks of the roll back' })).toHaveTextContent(/bbbb2222\s*Running/);
    await shopCard().getByRole('button', { name: 'Close' }).click();
    await expect.element(revisionsOf()).toBeVisible();
    expect(backend.argsOf('list_revisions')).toHaveLength(2);
  });

  test('a roll back the backend refuses says why in the dialog; one that fails says what stopped', async () => {
    const backend = mockDeploymentsBackend();
    backend.refusals.start_rollback = (args) => ({
      kind: 'invalidInput',
      params: { field: 'taskDefinition', rule: 'inactive', taskDefinition: args.taskDefinition as string },
      details: null,
    });
    await render(Deployments);
    await shopCard().getByRole('button', { name: 'Revisions of shop' }).click();
    await row('shop:2').getByRole('button', { name: 'Roll back shop to shop:2' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll back shop to shop:2?' });
    await dialog.getByRole('button', { name: 'Roll back', exact: true }).click();
    await expect.element(dialog.getByRole('alert')).toHaveTextContent("shop:2 was deregistered (INACTIVE): ECS doesn't deploy it again.");
    expect(backend.jobs.latest('rollback')).toBeUndefined();
    await dialog.getByRole('button', { name: 'Keep shop:3' }).click();

    delete backend.refusals.start_rollback;
    backend.answers.start_rollback = (args) =>
      rolledBack(args.taskDefinition as string, {
        end: {
          state: 'stopped',
          diagnosis: {
            taskId: 'bbbb2222cccc3333',
            cause: 'appExited',
            stoppedReason: 'Essential container in task exited',
            stopCode: 'EssentialContainerExited',
            exitCode: 1,
            containerReason: null,
            logLines: ['boom'],
            logGroup: '/berth/shop',
            logStream: 'ecs/app/bbbb2222cccc3333',
          },
          then: { kind: 'rolledBack', taskDefinition: 'shop:3' },
        },
      });
    await row('shop:2').getByRole('button', { name: 'Roll back shop to shop:2' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back', exact: true }).click();
    await expect.element(shopCard().getByText('A task of shop:2 stopped before the roll back was complete.')).toBeVisible();
    await expect.element(shopCard().getByText('The deployment circuit breaker rolled the service back to shop:3', { exact: false })).toBeVisible();
    await expect.element(shopCard().getByText('Essential container in task exited', { exact: false }).first()).toBeVisible();
  });

  test('a roll back still running when the panel opens is shown, not started again', async () => {
    const backend = mockDeploymentsBackend();
    const job = backend.jobs.start('rollback', 'web/shop');
    backend.jobs.launch(job, { event: 'action', resource: 'service', outcome: 'updated', name: 'shop', id: 'shop:1', command: null });
    await render(Deployments);
    await shopCard().getByRole('button', { name: 'Revisions of shop' }).click();
    await expect.element(shopCard().getByRole('heading', { name: 'Rolling shop back to shop:1' })).toBeVisible();
    backend.jobs.finish(job, { outcome: 'rolledBack', value: rolledBack('shop:1') });
    await expect.element(shopCard().getByText('shop runs shop:1 again.')).toBeVisible();
    expect(backend.argsOf('start_rollback')).toEqual([]);
  });
});

describe('secrets', () => {
  test('lists the names of a service’s secrets and changes a value, which redeploys; the value is not kept', async () => {
    const backend = mockDeploymentsBackend();
    await render(Deployments);
    await shopCard().getByRole('button', { name: 'Secrets of shop' }).click();
    const list = shopCard().getByRole('list', { name: 'Secrets of shop' });
    await expect.element(list.getByText('DB_PASSWORD', { exact: true })).toBeVisible();
    await expect.element(list.getByText('/berth/shop/DB_PASSWORD')).toBeVisible();
    await list.getByRole('button', { name: 'Change the value of DB_PASSWORD' }).click();
    const input = list.getByLabelText('New value of DB_PASSWORD');
    await expect.element(input).toHaveAttribute('type', 'password');
    await userEvent.type(input, 'n3w-value');
    await list.getByRole('button', { name: 'Save and redeploy' }).click();
    await expect.element(shopCard().getByRole('status').getByText('DB_PASSWORD has a new value', { exact: false })).toBeVisible();
    expect(backend.argsOf('change_service_secret')).toEqual([
      { cluster: 'web', service: 'shop', name: 'DB_PASSWORD', value: 'n3w-value' },
    ]);
    expect(document.body.innerHTML).not.toContain('n3w-value');
  });

  test('in Korean the secrets button and field have Korean names', async () => {
    setLanguage('ko');
    mockDeploymentsBackend();
    await render(Deployments);
    await shopCard().getByRole('button', { name: 'shop의 비밀' }).click();
    await shopCard().getByRole('button', { name: 'DB_PASSWORD의 값 바꾸기' }).click();
    await expect.element(shopCard().getByLabelText('DB_PASSWORD의 새 값')).toBeVisible();
  });
});

describe('logs and charts', () => {
  test('logs show the newest lines, load earlier ones, and search', async () => {
    const backend = mockDeploymentsBackend();
    const line = (n: number) => ({ at: Date.UTC(2026, 10, 25, 8, 0, n), message: `line ${n}` });
    backend.answers.read_task_logs = (args) => {
      const request = args.request as { token: string | null; search: string | null };
      if (request.search) return { lines: [line(7)], earlier: null, later: null };
      if (request.token === 'b/1') return { lines: [line(1), line(2)], earlier: 'b/0', later: 'f/0' };
      if (request.token?.startsWith('f/')) return { lines: [], earlier: null, later: request.token };
      return { lines: Array.from({ length: 200 }, (_, i) => line(i + 10)), earlier: 'b/1', later: 'f/1' };
    };
    await render(Deployments);
    await page.getByRole('button', { name: 'Logs of shop' }).click();
    const log = page.getByRole('log', { name: 'Log lines' });
    await expect.element(log.getByText('line 209')).toBeVisible();
    await log.getByRole('button', { name: 'Load earlier lines' }).click();
    await expect.element(log.getByText('line 1', { exact: true })).toBeInTheDocument();
    await expect.element(log.getByText('Start of the stream')).toBeInTheDocument();

    await userEvent.fill(page.getByRole('searchbox', { name: 'Search the log' }), 'line 7');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.element(log.getByText('1 line contains “line 7”')).toBeVisible();
    expect(backend.argsOf('read_task_logs').at(-1)?.request).toMatchObject({ search: 'line 7', token: null });
  });

  test('a service without metric data says so instead of drawing an empty chart', async () => {
    mockDeploymentsBackend();
    await render(Deployments);
    await page.getByRole('button', { name: 'CPU and memory of shop' }).click();
    await expect.element(page.getByText('No CPU or memory data in the last hour.', { exact: false })).toBeVisible();
    expect(document.querySelector('.uplot')).toBeNull();
  });

  test('metric data is drawn with a summary a screen reader can read; the range can change', async () => {
    const backend = mockDeploymentsBackend();
    const points = (base: number) => Array.from({ length: 30 }, (_, i) => ({ at: 1_800_000_000 + i * 60, value: base + (i % 5) }));
    backend.answers.read_service_metrics = (args) => ({
      range: args.range,
      start: 1_800_000_000,
      end: 1_800_003_600,
      periodSecs: 60,
      cpu: points(20),
      memory: points(40),
    });
    await render(Deployments);
    await page.getByRole('button', { name: 'CPU and memory of shop' }).click();
    const chart = page.getByRole('img', { name: 'CPU: average 22.0%, peak 24.0% · Memory: average 42.0%, peak 44.0%' });
    await expect.element(chart).toBeVisible();
    await expect.poll(() => document.querySelector('.uplot canvas') !== null).toBe(true);
    // The radio itself is drawn as a segmented control: the user clicks its label.
    await page.getByText('Last day').click();
    await expect.element(page.getByRole('radio', { name: 'Last day' })).toBeChecked();
    await expect.poll(() => backend.argsOf('read_service_metrics').map((a) => a.range)).toEqual(['hour', 'day']);
  });
});

test('the view is in Korean in Korean mode', async () => {
  mockDeploymentsBackend();
  setLanguage('ko');
  await render(Deployments);
  await expect.element(page.getByRole('heading', { name: '배포 현황', level: 1 })).toBeVisible();
  await expect.element(page.getByRole('button', { name: 'shop 규모 조정' })).toBeVisible();
  await expect.element(page.getByText('실행 중인 태스크', { exact: true })).toBeVisible();
  // The same "$" as in English and on every other screen, not "US$".
  await expect.element(page.getByText('$13.47').first()).toBeVisible();
  expect(document.body.textContent).not.toContain('US$');
  // The revisions and the roll back speak Korean too.
  await page.getByRole('button', { name: 'shop의 리비전' }).click();
  await expect.element(page.getByRole('table', { name: 'shop의 리비전, 최신순' })).toBeVisible();
  await expect.element(page.getByText('지금 실행 중', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'shop 서비스를 shop:2 리비전으로 롤백' }).click();
  await expect.element(page.getByRole('dialog', { name: 'shop 서비스를 shop:2 리비전으로 롤백할까요?' })).toBeVisible();
});
