import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { LaunchChoices, LaunchEvent } from '../ipc/types';
import { setLanguage } from '../lib/i18n/index.svelte';
import {
  deferred,
  launchChoices,
  launchOverview,
  launchPlan,
  launchRecord,
  mockLaunchBackend,
  resetLanguage,
  ROLE_ARN,
  teardownPlan,
} from '../test/fixtures';
import Launch from './Launch.svelte';

const reviewButton = () => page.getByRole('button', { name: 'Review plan' });

async function renderLaunch(onnavigate = vi.fn()) {
  const screen = await render(Launch, { onnavigate });
  await expect.element(page.getByRole('heading', { level: 1, name: 'Launch' })).toBeVisible();
  return { screen, onnavigate };
}

async function renderReady() {
  const result = await renderLaunch();
  await expect.element(reviewButton()).toBeEnabled();
  return result;
}

beforeEach(() => resetLanguage());
afterEach(() => {
  clearMocks();
  resetLanguage();
});

describe('what the earlier steps left', () => {
  test('without an image or a role it says so, links to those steps, and cannot be reviewed', async () => {
    mockLaunchBackend(launchOverview({ image: null, executionRoleArn: null }));
    const { onnavigate } = await renderLaunch();

    await expect.element(page.getByText('No image pushed yet.', { exact: false })).toBeVisible();
    await expect.element(page.getByText('No task execution role yet.', { exact: false })).toBeVisible();
    await expect.element(reviewButton()).toBeDisabled();
    await page.getByRole('button', { name: 'Go to the IAM step' }).click();
    expect(onnavigate).toHaveBeenCalledWith('iam');
    await page.getByRole('button', { name: 'Go to the Image step' }).click();
    expect(onnavigate).toHaveBeenCalledWith('image');
  });

  test('shows the image and role it will use', async () => {
    mockLaunchBackend();
    await renderReady();
    await expect.element(page.getByText('123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1')).toBeVisible();
    await expect.element(page.getByText(ROLE_ARN)).toBeVisible();
    await expect.element(page.getByText('Built for linux/amd64', { exact: true })).toBeVisible();
  });
});

describe('size', () => {
  test('offers the seven CPU rows and only the memory sizes Fargate allows with each', async () => {
    mockLaunchBackend();
    await renderReady();
    const cpu = page.getByRole('combobox', { name: 'CPU' });
    const memory = page.getByRole('combobox', { name: 'Memory' });

    expect(cpu.getByRole('option').all()).toHaveLength(7);
    await expect.element(cpu.getByRole('option').nth(0)).toHaveTextContent('0.25 vCPU');
    await expect.element(cpu.getByRole('option').nth(6)).toHaveTextContent('16 vCPU');
    expect(memory.getByRole('option').elements().map((o) => o.textContent)).toEqual(['0.5 GB', '1 GB', '2 GB']);

    // 1 vCPU allows 2–8 GB: the 0.5 GB choice moves to the smallest allowed.
    await cpu.selectOptions('1 vCPU');
    await expect.element(memory).toHaveValue('2048');
    expect(memory.getByRole('option').elements().map((o) => o.textContent)).toEqual([
      '2 GB',
      '3 GB',
      '4 GB',
      '5 GB',
      '6 GB',
      '7 GB',
      '8 GB',
    ]);
    await memory.selectOptions('8 GB');
    // 2 vCPU allows 8 GB too, so it is kept.
    await cpu.selectOptions('2 vCPU');
    await expect.element(memory).toHaveValue('8192');
  });

  test('warns when the architecture does not match the pushed image', async () => {
    mockLaunchBackend();
    await renderReady();
    await page.getByRole('radio', { name: 'ARM64 (Graviton)' }).click();
    await expect.element(page.getByRole('alert')).toHaveTextContent(/built for linux\/amd64, so it can't start on ARM64/);
    await page.getByRole('radio', { name: 'x86-64 (Intel/AMD)' }).click();
    expect(page.getByRole('alert').query()).toBeNull();
  });
});

describe('cost', () => {
  test('the estimate follows size, count and public IP, with the price date and source', async () => {
    const backend = mockLaunchBackend();
    await renderReady();
    // 0.25 vCPU / 0.5 GB + a public IP in us-east-1: (0.0123425 + 0.005) × 730.
    await expect.element(page.getByText('$12.66')).toBeVisible();
    await expect.element(page.getByText(/as of Nov 1, 2026, from https:\/\/aws\.amazon\.com\/fargate\/pricing\//)).toBeVisible();

    await page.getByRole('combobox', { name: 'Number of tasks' }).selectOptions('3');
    await expect.element(page.getByText('$37.98')).toBeVisible();
    await page.getByRole('checkbox', { name: 'Give the task a public IP address' }).click();
    await expect.element(page.getByText('$27.03')).toBeVisible();
    const last = backend.argsOf('estimate_launch_cost').at(-1)!.choices as LaunchChoices;
    expect(last.count).toBe(3);
    expect(last.network.publicIp).toBe(false);
    // Without a public IP, the user is told what breaks.
    await expect.element(page.getByText(/can't reach ECR and stops with CannotPullContainerError/)).toBeVisible();
  });

  test('a region without prices says so instead of guessing', async () => {
    const backend = mockLaunchBackend(launchOverview({ region: 'eu-west-1' }));
    backend.answers.estimate_launch_cost = () => null;
    await renderReady();
    await expect.element(page.getByText(/no price data for Europe \(Ireland\)/)).toBeVisible();
  });
});

describe('container and network fields', () => {
  test('environment variable names are checked as they are typed', async () => {
    mockLaunchBackend();
    await renderReady();
    await page.getByRole('button', { name: 'Add variable' }).click();
    const name1 = page.getByRole('textbox', { name: 'Name of variable 1' });
    await expect.element(name1).toHaveFocus();
    await userEvent.type(name1, '1ST');
    await expect.element(name1).toHaveAttribute('aria-invalid', 'true');
    await expect.element(name1).toHaveAccessibleDescription('Use letters, digits and _, not starting with a digit.');
    await name1.fill('GREETING');
    await expect.element(name1).not.toHaveAttribute('aria-invalid');

    await page.getByRole('button', { name: 'Add variable' }).click();
    await userEvent.type(page.getByRole('textbox', { name: 'Name of variable 2' }), 'GREETING');
    await expect.element(page.getByText('GREETING is already set above.')).toBeVisible();
    await page.getByRole('button', { name: 'Remove variable 2' }).click();
    expect(page.getByText('GREETING is already set above.').query()).toBeNull();
  });

  test('a variable can be marked secret: its value is typed hidden and sent as secret', async () => {
    const backend = mockLaunchBackend();
    await renderReady();
    await page.getByRole('button', { name: 'Add variable' }).click();
    await userEvent.type(page.getByRole('textbox', { name: 'Name of variable 1' }), 'DB_PASSWORD');
    const secret = page.getByRole('checkbox', { name: 'Keep variable 1 secret' });
    await expect.element(secret).not.toBeChecked();
    await secret.click();
    // A password field: the value is hidden as it is typed.
    const value = page.getByLabelText('Value of variable 1');
    await expect.element(value).toHaveAttribute('type', 'password');
    await expect.element(value).toHaveAttribute('placeholder', 'Empty keeps the stored value');
    await userEvent.type(value, 'hunter2');
    await reviewButton().click();
    const sent = backend.argsOf('plan_launch')[0].choices as LaunchChoices;
    expect(sent.environment).toEqual([{ name: 'DB_PASSWORD', value: 'hunter2', secret: true }]);

    await page.getByRole('button', { name: 'Launch now' }).click();
    const launched = backend.argsOf('start_launch')[0].choices as LaunchChoices;
    expect(launched.environment).toEqual([{ name: 'DB_PASSWORD', value: 'hunter2', secret: true }]);
  });

  test('the secret checkbox has its name in Korean', async () => {
    setLanguage('ko');
    mockLaunchBackend();
    await render(Launch, { onnavigate: vi.fn() });
    await page.getByRole('button', { name: '변수 추가' }).click();
    await expect.element(page.getByRole('checkbox', { name: '변수 1 값을 비밀로 보관' })).toBeVisible();
  });

  test('the app name is checked as it is typed, with a one-click fix, and the names it makes only when valid', async () => {
    const backend = mockLaunchBackend();
    await renderReady();
    const app = page.getByRole('textbox', { name: 'App name' });
    await app.fill('');
    // Emptied: the hint names no made-up "app", and the error says what to do.
    await expect
      .element(app)
      .toHaveAccessibleDescription(
        'Names everything Berth creates for it: the service, the task definition, the log group and the security group. Enter a name for your app.',
      );
    await app.clear();
    await userEvent.type(app, 'My App');
    // Flagged while typing, before any Review plan, with the fix one click away.
    await expect.element(app).toHaveAttribute('aria-invalid', 'true');
    await expect.element(page.getByText('Use lower-case letters, digits and hyphens', { exact: false })).toBeVisible();
    expect(page.getByText('/berth/My App', { exact: false }).query()).toBeNull();
    await page.getByRole('button', { name: 'Use my-app as the app name' }).click();
    await expect.element(app).toHaveValue('my-app');
    await expect.element(app).toHaveFocus();
    await expect.element(app).not.toHaveAttribute('aria-invalid');
    await expect.element(page.getByText('log group /berth/my-app', { exact: false })).toBeVisible();
    await expect.element(page.getByText('A security group named berth-my-app', { exact: false })).toBeVisible();

    // A 300-character name is cut to a valid one by the fix, and never written into the hints.
    await app.fill('x'.repeat(300));
    await expect.element(page.getByText('Use at most 32 characters.')).toBeVisible();
    expect(page.getByText('x'.repeat(40), { exact: false }).query()).toBeNull();
    await page.getByRole('button', { name: `Use ${'x'.repeat(32)} as the app name` }).click();
    await expect.element(app).toHaveValue('x'.repeat(32));
    await reviewButton().click();
    await expect.element(page.getByRole('heading', { name: 'Review the plan' })).toBeVisible();
    expect((backend.argsOf('plan_launch')[0].choices as LaunchChoices).app).toBe('x'.repeat(32));
  });

  test('a bad port or range is flagged and stops the review before any backend call', async () => {
    const backend = mockLaunchBackend();
    await renderReady();
    const port = page.getByRole('textbox', { name: 'Port' });
    await port.fill('70000');
    await expect.element(page.getByText('Enter a port from 1 to 65535.')).toBeVisible();
    await reviewButton().click();
    await expect.element(port).toHaveFocus();
    expect(backend.argsOf('plan_launch')).toHaveLength(0);
    await port.fill('8080');

    await page.getByRole('radio', { name: 'Only one address range' }).click();
    const cidr = page.getByRole('textbox', { name: 'Address range (CIDR)' });
    await cidr.fill('203.0.113.7');
    await expect.element(page.getByText('Enter an IPv4 range like 203.0.113.7/32.')).toBeVisible();
    await page.getByRole('button', { name: 'Use my current IP' }).click();
    await expect.element(cidr).toHaveValue('203.0.113.7/32');
    await reviewButton().click();
    await expect.element(page.getByRole('heading', { name: 'Review the plan' })).toBeVisible();
    const sent = backend.argsOf('plan_launch')[0].choices as LaunchChoices;
    expect(sent.port).toBe(8080);
    expect(sent.network.ingress).toEqual({ kind: 'cidr', cidr: '203.0.113.7/32' });
  });

  test('a task that runs once offers no inbound access: nothing connects to it', async () => {
    const backend = mockLaunchBackend();
    await renderReady();
    await page.getByRole('radio', { name: 'Only one address range' }).click();
    await page.getByRole('textbox', { name: 'Address range (CIDR)' }).fill('not a range');
    await page.getByRole('radio', { name: 'Run it once (task)' }).click();
    expect(page.getByRole('radio', { name: 'Anyone on the internet' }).query()).toBeNull();
    await expect.element(page.getByText('A task that runs once gets no inbound rule', { exact: false })).toBeVisible();
    // The hidden range is not checked: the plan is asked for.
    await reviewButton().click();
    await expect.element(page.getByRole('heading', { name: 'Review the plan' })).toBeVisible();
    expect((backend.argsOf('plan_launch')[0].choices as LaunchChoices).mode).toBe('task');
    await page.getByRole('button', { name: 'Back to edit' }).click();
    await page.getByRole('radio', { name: 'Keep it running (service)', exact: false }).click();
    await expect.element(page.getByRole('radio', { name: 'Anyone on the internet' })).toBeVisible();
  });

  test('in practice mode Berth does not look up the user address', async () => {
    const backend = mockLaunchBackend(launchOverview({ practice: true }));
    await renderReady();
    await page.getByRole('radio', { name: 'Only one address range' }).click();
    expect(page.getByRole('button', { name: 'Use my current IP' }).query()).toBeNull();
    await expect.element(page.getByText(/doesn't look up your address on the internet/)).toBeVisible();
    expect(backend.argsOf('detect_my_ip')).toHaveLength(0);
  });

  test('a region without a default VPC explains it and offers a VPC and subnet picker', async () => {
    const backend = mockLaunchBackend();
    backend.answers.get_launch_network = () => ({
      region: 'us-east-1',
      defaultVpc: null,
      vpcs: [
        {
          id: 'vpc-mine',
          cidr: '10.1.0.0/16',
          name: 'mine',
          isDefault: false,
          subnets: [
            { id: 'subnet-private', availabilityZone: 'us-east-1a', availabilityZoneId: 'use1-az1', cidr: '10.1.1.0/24', name: null, defaultForAz: false, fargate: true, fargateArm: true, public: false },
            { id: 'subnet-public', availabilityZone: 'us-east-1b', availabilityZoneId: 'use1-az2', cidr: '10.1.2.0/24', name: null, defaultForAz: false, fargate: true, fargateArm: true, public: true },
            { id: 'subnet-az3', availabilityZone: 'us-east-1e', availabilityZoneId: 'use1-az3', cidr: '10.1.3.0/24', name: null, defaultForAz: false, fargate: false, fargateArm: false, public: true },
          ],
        },
      ],
    });
    await renderReady();
    await expect.element(page.getByText('This region has no default VPC')).toBeVisible();
    const vpc = page.getByRole('combobox', { name: 'VPC' });
    await vpc.selectOptions('vpc-mine mine — 10.1.0.0/16');
    // The public subnet is chosen for the user; the private one is marked.
    await expect.element(page.getByRole('checkbox', { name: /subnet-public/ })).toBeChecked();
    await expect.element(page.getByRole('checkbox', { name: /subnet-private.*No internet route/ })).not.toBeChecked();
    // A public subnet in a zone where Fargate runs no tasks is neither chosen nor choosable.
    await expect.element(page.getByRole('checkbox', { name: /subnet-az3/ })).toBeDisabled();
    await expect.element(page.getByText("Fargate doesn't run X86_64 tasks in this zone")).toBeVisible();
    await page.getByRole('checkbox', { name: /subnet-private/ }).click();
    await expect.element(page.getByText(/can't pull its image from ECR \(it stops with CannotPullContainerError/)).toBeVisible();

    await reviewButton().click();
    const sent = backend.argsOf('plan_launch')[0].choices as LaunchChoices;
    expect(sent.network.vpcId).toBe('vpc-mine');
    expect(sent.network.subnetIds).toEqual(['subnet-public', 'subnet-private']);
  });
});

describe('review', () => {
  test('lists each resource as create or reuse with its commands and cost; nothing is launched yet', async () => {
    const backend = mockLaunchBackend();
    await renderReady();
    await reviewButton().click();

    const heading = page.getByRole('heading', { name: 'Review the plan' });
    await expect.element(heading).toHaveFocus();
    const items = page.getByRole('list', { name: 'Resources' }).getByRole('listitem');
    await expect.element(items.nth(0)).toHaveTextContent(/Reuse\s*Cluster\s*berth/);
    await expect.element(items.nth(1)).toHaveTextContent(/Create\s*Log group\s*\/berth\/web/);
    await expect.element(items.nth(4)).toHaveTextContent(/0\.25 vCPU, 0\.5 GB, X86_64, port 80; logs via awslogs to \/berth\/web; execution role ecsTaskExecutionRole/);
    await expect.element(page.getByText('About $12.66 per month ($0.0173 per hour).')).toBeVisible();
    await page.getByText('Show the 2 aws commands').click();
    await expect.element(page.getByText('aws logs create-log-group --log-group-name /berth/web --region us-east-1')).toBeVisible();
    expect(backend.argsOf('start_launch')).toHaveLength(0);

    await page.getByRole('button', { name: 'Back to edit' }).click();
    await expect.element(reviewButton()).toBeVisible();
  });

  test('a missing execution role blocks Launch and leads to the IAM step', async () => {
    const backend = mockLaunchBackend();
    backend.answers.plan_launch = (args) =>
      launchPlan(args.choices as LaunchChoices, { blocked: true, notes: [{ kind: 'executionRoleMissing', role: ROLE_ARN }] });
    const { onnavigate } = await renderReady();
    await reviewButton().click();
    await expect.element(page.getByText(/The task execution role .* doesn't exist/)).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Launch now' })).toBeDisabled();
    await page.getByRole('button', { name: 'Go to the IAM step' }).click();
    expect(onnavigate).toHaveBeenCalledWith('iam');
  });

  test('an input error from the backend is shown at its field', async () => {
    const backend = mockLaunchBackend();
    backend.answers.plan_launch = () =>
      Promise.reject({
        kind: 'invalidInput',
        params: { field: 'memory', rule: 'fargateMemory', cpu: '0.25', memory: '4096', min: '512', max: '2048' },
        details: null,
      });
    await renderReady();
    await reviewButton().click();
    const memory = page.getByRole('combobox', { name: 'Memory' });
    await expect.element(memory).toHaveAttribute('aria-invalid', 'true');
    await expect.element(memory).toHaveAccessibleDescription(/With 0\.25 vCPU, Fargate allows 512–2048 MiB/);
  });
});

describe('launch', () => {
  const action = (resource: string, outcome: string, name: string): LaunchEvent =>
    ({ event: 'action', resource, outcome, name, id: null, command: `aws do ${resource}` }) as LaunchEvent;

  async function toTimeline(backend: ReturnType<typeof mockLaunchBackend>) {
    await renderReady();
    await reviewButton().click();
    await page.getByRole('button', { name: 'Launch now' }).click();
    await expect.element(page.getByRole('heading', { name: /“web”/ })).toBeVisible();
    return backend;
  }

  test('each action appears as it completes, then the task lifecycle to RUNNING and the address', async () => {
    const backend = mockLaunchBackend(launchOverview({ choices: launchChoices({ mode: 'task' }) }));
    const done = deferred<unknown>();
    let emit: (e: LaunchEvent) => void = () => {};
    backend.answers.start_launch = (_args, e) => {
      emit = e;
      return done.promise;
    };
    await toTimeline(backend);
    // While it works, focus is on the timeline's heading.
    await expect.element(page.getByRole('heading', { name: 'Launching “web”' })).toHaveFocus();
    const actions = page.getByRole('list', { name: 'Completed actions' }).getByRole('listitem');

    emit(action('cluster', 'reused', 'berth'));
    emit(action('logGroup', 'created', '/berth/web'));
    await expect.element(actions.nth(1)).toHaveTextContent(/Created\s*Log group\s*\/berth\/web/);
    await expect.element(actions.nth(0)).toHaveTextContent(/Already there\s*Cluster\s*berth/);
    emit(action('task', 'started', 'web'));
    emit({ event: 'task', taskId: 'abc123', lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING' });
    const lifecycle = page.getByRole('list', { name: 'Lifecycle of task abc123' });
    await expect.element(lifecycle.getByRole('listitem').nth(0)).toHaveAttribute('aria-current', 'step');
    emit({ event: 'task', taskId: 'abc123', lastStatus: 'PENDING', desiredStatus: 'RUNNING' });
    await expect.element(lifecycle.getByRole('listitem').nth(1)).toHaveAttribute('aria-current', 'step');
    emit({ event: 'task', taskId: 'abc123', lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
    emit({
      event: 'address',
      address: { taskId: 'abc123', publicIp: '203.0.113.9', privateIp: '172.31.3.4', url: 'http://203.0.113.9:80' },
    });
    await expect.element(lifecycle.getByRole('listitem').nth(2)).toHaveAttribute('aria-current', 'step');
    await expect.element(page.getByText('http://203.0.113.9:80')).toBeVisible();
    await page.getByRole('button', { name: 'Stop' }).click();
    expect(backend.argsOf('cancel_job')).toEqual([{ id: backend.jobs.latest('launch')?.id }]);

    done.resolve(launchRecord({ status: 'running' }));
    await expect.element(page.getByText('Your container is running.')).toHaveFocus();
    await page.getByRole('button', { name: 'Open in browser' }).click();
    expect(backend.argsOf('open_address')).toEqual([{ url: 'http://203.0.113.9:80' }]);
  });

  test('a stopped task is explained with its cause, fix, exit code and last log lines', async () => {
    const backend = mockLaunchBackend();
    backend.answers.start_launch = (_args, emit) => {
      emit({ event: 'task', taskId: 'abc123', lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
      emit({
        event: 'stopped',
        diagnosis: {
          taskId: 'abc123',
          cause: 'appExited',
          stoppedReason: 'Essential container in task exited',
          stopCode: 'EssentialContainerExited',
          exitCode: 1,
          containerReason: null,
          logLines: ['listening on :80', "Error: Cannot find module 'express'"],
          logGroup: '/berth/web',
          logStream: 'ecs/web/abc123',
        },
        then: { kind: 'rolledBack', taskDefinition: 'web:3' },
      });
      return launchRecord({ status: 'stopped' });
    };
    await toTimeline(backend);
    await expect.element(page.getByRole('heading', { name: 'Your app exited' })).toBeVisible();
    // What ECS does next: here the circuit breaker went back to the version that ran.
    await expect.element(page.getByText(/rolled the service back to web:3/)).toBeVisible();
    await expect.element(page.getByText('then its program ended with exit code 1', { exact: false })).toBeVisible();
    await expect.element(page.getByText('Essential container in task exited')).toBeVisible();
    await expect.element(page.getByLabelText('Last log lines')).toHaveTextContent("Error: Cannot find module 'express'");
    await expect.element(page.getByText(/Read the log lines for the error/)).toBeVisible();
  });

  test('a wait for AWS to catch up is said with its reason, and goes once the launch moves on', async () => {
    const backend = mockLaunchBackend();
    const done = deferred<unknown>();
    let emit: (e: LaunchEvent) => void = () => {};
    backend.answers.start_launch = (_args, e) => {
      emit = e;
      return done.promise;
    };
    await toTimeline(backend);
    emit({ event: 'retrying', reason: { kind: 'rolePropagating', role: 'ecsTaskExecutionRole' }, afterSecs: 5 });
    const waitNote = page.getByText(/still spreading the new role ecsTaskExecutionRole.*Trying again in 5 seconds/);
    await expect.element(waitNote).toBeVisible();
    emit(action('taskDefinition', 'created', 'web:1'));
    await expect.element(waitNote).not.toBeInTheDocument();
    done.resolve(launchRecord({ status: 'running' }));
  });

  test('a launch that fails on the role says what to do and leads to the IAM step', async () => {
    const backend = mockLaunchBackend();
    backend.answers.start_launch = () =>
      Promise.reject({ kind: 'executionRoleMissing', params: { role: ROLE_ARN }, details: 'ECS was unable to assume the role' });
    backend.answers.get_launch = () => launchOverview();
    await toTimeline(backend);
    await expect.element(page.getByText('The task execution role is missing')).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Go to the IAM step' })).toBeVisible();
  });
});

describe('resume and teardown', () => {
  test('an unfinished launch offers Resume, which continues it by name', async () => {
    const backend = mockLaunchBackend(launchOverview({ records: [launchRecord({ status: 'starting' })] }));
    await renderReady();
    await expect.element(page.getByRole('heading', { name: 'Unfinished launch of “web”' })).toBeVisible();
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.element(page.getByText('Your container is running.')).toBeVisible();
    expect(backend.argsOf('resume_launch')).toEqual([{ name: 'web' }]);
  });

  test('teardown shows its plan, needs the app name typed, then removes and reports', async () => {
    const backend = mockLaunchBackend(launchOverview({ records: [launchRecord({ status: 'failed' })] }));
    backend.answers.start_teardown = (args, emit) => {
      emit({ event: 'action', resource: 'service', outcome: 'scaledDown', name: 'web', id: null, command: 'aws ecs update-service' });
      emit({ event: 'action', resource: 'service', outcome: 'deleted', name: 'web', id: null, command: 'aws ecs delete-service' });
      emit({ event: 'tornDown', app: args.name as string });
      return null;
    };
    await renderReady();
    await page.getByRole('button', { name: 'Tear down' }).click();

    const items = page.getByRole('list', { name: 'What teardown does' }).getByRole('listitem');
    await expect.element(items.nth(0)).toHaveTextContent(/Delete\s*Service\s*web/);
    await expect.element(items.nth(2)).toHaveTextContent(/Keep\s*Security group\s*berth-web\s*not made by Berth/);
    await expect.element(items.nth(3)).toHaveTextContent(/Keep\s*Cluster\s*berth\s*other apps still use it/);
    const confirm = page.getByRole('textbox', { name: 'Type web to confirm' });
    await expect.element(confirm).toHaveFocus();
    const button = page.getByRole('button', { name: 'Tear down' });
    await expect.element(button).toBeDisabled();
    await userEvent.keyboard('{Enter}');
    await confirm.fill('we');
    await expect.element(button).toBeDisabled();
    expect(backend.argsOf('start_teardown')).toHaveLength(0);

    await confirm.fill('web');
    await button.click();
    await expect.element(page.getByText('Berth removed what it listed for “web”.')).toHaveFocus();
    await expect.element(page.getByRole('list', { name: 'Removed so far' })).toHaveTextContent(/Scaled to 0.*Deleted/);
    // The repository, role and deploy user are kept unless ticked.
    expect(backend.argsOf('start_teardown')).toEqual([
      { name: 'web', remove: { repository: false, executionRole: false, deployUser: false } },
    ]);
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.element(reviewButton()).toBeVisible();
  });

  test('a window that opens while a launch runs shows it live, to the end', async () => {
    const backend = mockLaunchBackend(launchOverview({ records: [launchRecord({ status: 'inProgress' })] }));
    // Started before this page was shown (another visit, or before the window reloaded).
    const job = backend.jobs.start('launch', 'web');
    backend.jobs.launch(job, { event: 'action', resource: 'cluster', outcome: 'created', name: 'berth', id: null, command: null });
    await renderLaunch();
    await expect.element(page.getByRole('heading', { name: 'Launching “web”' })).toBeVisible();
    // What happened while the page was away is replayed first.
    await expect.element(page.getByText('Created', { exact: true })).toBeVisible();
    expect(page.getByRole('heading', { name: 'Unfinished launch of “web”' }).query()).toBeNull();

    backend.jobs.launch(job, { event: 'task', taskId: 'abc123', lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
    backend.jobs.finish(job, { outcome: 'launched', value: launchRecord({ status: 'running' }) });
    await expect.element(page.getByText('Your container is running.')).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Tear down' })).toBeVisible();
    expect(backend.argsOf('start_launch')).toHaveLength(0);
  });

  test('leaving during a launch lets it run; coming back re-attaches and shows the timeline so far', async () => {
    const backend = mockLaunchBackend(launchOverview({ choices: launchChoices({ mode: 'task' }) }));
    const done = deferred<unknown>();
    let emit: (e: LaunchEvent) => void = () => {};
    backend.answers.start_launch = (_args, e) => {
      emit = e;
      return done.promise;
    };
    const { screen } = await renderReady();
    await reviewButton().click();
    await page.getByRole('button', { name: 'Launch now' }).click();
    const actions = () => page.getByRole('list', { name: 'Completed actions' }).getByRole('listitem');
    emit({ event: 'action', resource: 'cluster', outcome: 'reused', name: 'berth', id: null, command: null });
    emit({ event: 'action', resource: 'logGroup', outcome: 'created', name: '/berth/web', id: null, command: null });
    await expect.element(actions().nth(1)).toHaveTextContent(/Created\s*Log group\s*\/berth\/web/);

    // The user goes to another page: the launch goes on, only the listening stops.
    screen.unmount();
    const job = backend.jobs.latest('launch')?.id ?? '';
    await expect.poll(() => backend.jobs.watchers(job)).toEqual([]);
    expect(backend.argsOf('cancel_job')).toEqual([]);
    emit({ event: 'action', resource: 'task', outcome: 'started', name: 'web', id: null, command: null });

    // Back: the timeline so far, in order, and then the rest as it comes.
    await renderLaunch();
    await expect.element(page.getByRole('heading', { name: 'Launching “web”' })).toBeVisible();
    await expect.element(actions()).toHaveLength(3);
    await expect.element(actions().nth(0)).toHaveTextContent(/Already there\s*Cluster\s*berth/);
    await expect.element(actions().nth(2)).toHaveTextContent(/Task\s*web/);
    expect(backend.jobs.watchers(job)).toEqual(['launch']);

    emit({ event: 'task', taskId: 'abc123', lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
    emit({
      event: 'address',
      address: { taskId: 'abc123', publicIp: '203.0.113.9', privateIp: '172.31.3.4', url: 'http://203.0.113.9:80' },
    });
    done.resolve(launchRecord({ status: 'running' }));
    await expect.element(page.getByText('Your container is running.')).toBeVisible();
    await expect.element(page.getByText('http://203.0.113.9:80')).toBeVisible();
    expect(backend.argsOf('start_launch')).toHaveLength(1);
    expect(backend.argsOf('cancel_job')).toEqual([]);
  });

  test('a launch that ends while the page is away is shown with its outcome on return, once', async () => {
    const backend = mockLaunchBackend();
    const done = deferred<unknown>();
    backend.answers.start_launch = () => done.promise;
    const { screen } = await renderReady();
    await reviewButton().click();
    await page.getByRole('button', { name: 'Launch now' }).click();
    await expect.element(page.getByRole('heading', { name: 'Launching “web”' })).toBeVisible();
    screen.unmount();
    done.resolve(launchRecord({ status: 'running' }));
    await expect.poll(() => backend.jobs.latest('launch')?.running).toBe(false);

    const again = await renderLaunch();
    await expect.element(page.getByText('Your container is running.')).toBeVisible();
    again.screen.unmount();
    // Seen: the next visit is the form again.
    await renderReady();
    expect(page.getByText('Your container is running.').query()).toBeNull();
  });

  test('teardown says what stays and what it costs, and removes the repository only when ticked', async () => {
    const backend = mockLaunchBackend(launchOverview({ records: [launchRecord({ status: 'failed' })] }));
    backend.answers.start_teardown = (args) => {
      const plan = teardownPlan(args.name as string);
      plan.shared[1] = { ...plan.shared[1], action: 'keep', reason: 'notChosen', commands: [] };
      return plan;
    };
    await renderReady();
    await page.getByRole('button', { name: 'Tear down' }).click();

    const shared = page.getByRole('list', { name: 'Shared resources teardown keeps' }).getByRole('listitem');
    await expect
      .element(shared.nth(0))
      .toHaveTextContent('3 images, 2.1 GB stored: about $0.20 per month while it stays (ECR storage, $0.10 per GB-month).');
    await expect.element(shared.nth(1)).toHaveTextContent('No charge while it stays: IAM users and roles are free.');
    // The deploy user signs the requests: it cannot remove itself, so there is no box for it.
    await expect.element(shared.nth(2)).toHaveTextContent(/Keep\s*Deploy user\s*berth-deployer\s*it is the identity in use/);
    await expect.element(page.getByRole('checkbox', { name: /berth-deployer/ })).not.toBeInTheDocument();
    const repo = page.getByRole('checkbox', { name: 'Also delete repository web and all its images' });
    const role = page.getByRole('checkbox', { name: 'Also delete execution role ecsTaskExecutionRole' });
    await expect.element(repo).not.toBeChecked();
    await expect.element(role).not.toBeChecked();
    await repo.click();
    await expect.element(page.getByText("Deleted images can't be recovered; the next launch needs a new push.")).toBeVisible();

    await page.getByRole('textbox', { name: 'Type web to confirm' }).fill('web');
    await page.getByRole('button', { name: 'Tear down' }).click();
    await expect.element(page.getByText('Berth removed what it listed for “web”.')).toBeVisible();
    expect(backend.argsOf('start_teardown')).toEqual([
      { name: 'web', remove: { repository: true, executionRole: false, deployUser: false } },
    ]);
    await expect.element(page.getByText('Also removed: Repository web')).toBeVisible();
    await expect.element(page.getByText('Execution role ecsTaskExecutionRole: no charge')).toBeVisible();
    await expect.element(page.getByText('Deploy user berth-deployer: no charge')).toBeVisible();
  });

  test('a teardown that runs already is shown as it goes, not started again', async () => {
    const backend = mockLaunchBackend();
    const job = backend.jobs.start('teardown', 'web');
    await renderLaunch();
    await expect.element(page.getByRole('heading', { name: 'Tear down “web”' })).toBeVisible();
    backend.jobs.launch(
      job,
      { event: 'action', resource: 'service', outcome: 'deleted', name: 'web', id: null, command: null },
      { event: 'tornDown', app: 'web' },
    );
    backend.jobs.finish(job, { outcome: 'tornDown', value: teardownPlan() });
    await expect.element(page.getByText('Berth removed what it listed for “web”.')).toBeVisible();
    expect(backend.argsOf('start_teardown')).toHaveLength(0);
  });

  test('a teardown that had to stop a running launch of the app says so before its removals', async () => {
    const backend = mockLaunchBackend();
    const job = backend.jobs.start('teardown', 'web');
    await renderLaunch();
    backend.jobs.launch(
      job,
      { event: 'launchStopped', app: 'web' },
      { event: 'action', resource: 'service', outcome: 'deleted', name: 'web', id: null, command: null },
    );
    await expect
      .element(page.getByText('The launch of “web” was still running: Berth stopped it, and waited for it to end, before removing anything.'))
      .toBeVisible();
    await expect.element(page.getByRole('list', { name: 'Removed so far' })).toHaveTextContent(/Deleted/);
  });

  test('Stop during a teardown cancels that job, and the plan of what is left comes back', async () => {
    const backend = mockLaunchBackend();
    const job = backend.jobs.start('teardown', 'web');
    backend.jobs.launch(job, { event: 'action', resource: 'service', outcome: 'scaledDown', name: 'web', id: null, command: null });
    await renderLaunch();
    await expect.element(page.getByRole('list', { name: 'Removed so far' })).toHaveTextContent(/Scaled to 0/);
    await page.getByRole('button', { name: 'Stop' }).click();
    expect(backend.argsOf('cancel_job')).toEqual([{ id: job }]);
    backend.jobs.finish(job, { outcome: 'cancelled' });
    await expect.element(page.getByRole('textbox', { name: 'Type web to confirm' })).toBeVisible();
    expect(backend.argsOf('plan_teardown')).toEqual([{ name: 'web' }]);
  });

  test('Escape in the confirmation goes back without removing anything', async () => {
    const backend = mockLaunchBackend(launchOverview({ records: [launchRecord({ status: 'starting' })] }));
    await renderReady();
    await page.getByRole('button', { name: 'Tear down' }).click();
    await expect.element(page.getByRole('textbox', { name: 'Type web to confirm' })).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    await expect.element(reviewButton()).toBeVisible();
    expect(backend.argsOf('start_teardown')).toHaveLength(0);
  });
});

describe('language', () => {
  test('the Launch page is in Korean', async () => {
    mockLaunchBackend();
    setLanguage('ko');
    await render(Launch, { onnavigate: vi.fn() });
    await expect.element(page.getByRole('heading', { level: 1, name: '실행' })).toBeVisible();
    await expect.element(page.getByRole('button', { name: '계획 검토' })).toBeEnabled();
    await expect.element(page.getByRole('radio', { name: '계속 실행 (서비스)' })).toBeChecked();
    await expect.element(page.getByRole('combobox', { name: '메모리' })).toBeVisible();
    await expect.element(page.getByText('예상 비용', { exact: true })).toBeVisible();
    // The same "$" as in English and on every other screen, not "US$".
    await expect.element(page.getByText('$12.66')).toBeVisible();
    expect(document.body.textContent).not.toContain('US$');
  });
});

describe('catalogs', () => {
  test('every input rule the Launch backend names has a message in both languages', async () => {
    const { default: en } = await import('../lib/i18n/en.json');
    const { default: ko } = await import('../lib/i18n/ko.json');
    const rules = [
      'app.required', 'app.tooLong', 'app.characters', 'cpu.fargateCpu', 'memory.fargateMemory',
      'architecture.platformMismatch', 'port.range', 'envName.required', 'envName.characters',
      'envName.reserved', 'envName.duplicate', 'envName.tooMany', 'command.quotes', 'count.range',
      'cidr.format', 'cidr.practice', 'subnets.required', 'subnets.notInVpc', 'vpc.noDefaultVpc',
      'executionRole.required', 'image.required', 'account.otherTarget', 'launch.busy', 'launch.unknown',
      'address.format',
    ];
    const get = (catalog: unknown, key: string) =>
      key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], catalog);
    for (const rule of rules) {
      expect(get(en, `validation.${rule}`), rule).toMatch(/\S/);
      expect(get(ko, `validation.${rule}`), rule).toMatch(/[\uAC00-\uD7A3]/);
    }
    // Every stop cause has a title, an explanation and a fix, in real Korean too.
    for (const cause of Object.keys(en.launch.causes)) {
      for (const part of ['title', 'what', 'fix']) {
        expect(get(ko, `launch.causes.${cause}.${part}`), `${cause}.${part}`).toMatch(/[\uAC00-\uD7A3]/);
      }
    }
  });
});

describe('the Review plan action', () => {
  test('sits where the form ends, after Networking, and stays in the window while the form scrolls', async () => {
    await page.viewport(1280, 640);
    try {
      mockLaunchBackend();
      await renderReady();
      const button = reviewButton().element();
      const networking = page.getByRole('region', { name: 'Networking' }).element();
      expect(networking.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
      // Nothing of the form comes after it.
      expect(button.closest('.main')?.lastElementChild?.contains(button)).toBe(true);

      const scroller = document.scrollingElement!;
      expect(scroller.scrollHeight).toBeGreaterThan(window.innerHeight * 2);
      const inWindow = () => {
        const r = button.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      };
      for (const y of [0, scroller.scrollHeight / 3, (scroller.scrollHeight * 2) / 3, scroller.scrollHeight]) {
        scroller.scrollTop = y;
        await expect.poll(inWindow, { timeout: 1000 }).toBe(true);
      }
      await expect.element(reviewButton()).toHaveAccessibleName('Review plan');
    } finally {
      document.scrollingElement!.scrollTop = 0;
      await page.viewport(414, 896);
    }
  });
});

describe('counts read in the singular and the plural', () => {
  test('the plan says "1 task in 1 subnet" and "2 tasks in 6 subnets", never "task(s)"', async () => {
    const backend = mockLaunchBackend();
    backend.answers.plan_launch = (args) =>
      launchPlan(args.choices as LaunchChoices, {
        subnetIds: ['subnet-a'],
        notes: [{ kind: 'tasksStillRunning', count: 1 }],
      });
    await renderReady();
    await reviewButton().click();
    await expect.element(page.getByText('Keeps 1 task running in 1 subnet; public IP on.')).toBeVisible();
    await expect.element(page.getByText('1 task of an earlier launch is still running. It keeps running until you tear down.')).toBeVisible();
    expect(document.body.textContent).not.toMatch(/\(s\)/);

    await page.getByRole('button', { name: 'Back to edit' }).click();
    backend.answers.plan_launch = (args) =>
      launchPlan({ ...(args.choices as LaunchChoices), count: 2 }, { subnetIds: ['a', 'b', 'c', 'd', 'e', 'f'] });
    await reviewButton().click();
    await expect.element(page.getByText('Keeps 2 tasks running in 6 subnets; public IP on.')).toBeVisible();
  });
});

describe('the address of a task without a public IP', () => {
  const action = (resource: string, outcome: string, name: string): LaunchEvent =>
    ({ event: 'action', resource, outcome, name, id: null, command: null }) as LaunchEvent;
  async function launchWithoutAddress(practice: boolean, publicIp: boolean, mode: 'service' | 'task' = 'service') {
    const choices = launchChoices({ mode });
    choices.network.publicIp = publicIp;
    const backend = mockLaunchBackend(launchOverview({ practice, choices }));
    backend.answers.start_launch = (_args, emit) => {
      emit(mode === 'task' ? action('task', 'started', 'web') : action('service', 'created', 'web'));
      emit({ event: 'task', taskId: 'abc123', lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
      emit({ event: 'address', address: { taskId: 'abc123', publicIp: null, privateIp: '172.31.3.4', url: null } });
      return launchRecord({ status: 'running' });
    };
    await renderReady();
    await reviewButton().click();
    await page.getByRole('button', { name: 'Launch now' }).click();
  }

  test('in practice mode a task that asked for a public IP waits for it, as on AWS (the practice backend assigns one)', async () => {
    await launchWithoutAddress(true, true);
    await expect.element(page.getByText('No public IP address yet', { exact: true })).toBeVisible();
    await expect.element(page.getByText(/hasn't assigned the task's public IP address yet/)).toBeVisible();
    expect(document.body.textContent).not.toMatch(/never assigns|in practice mode/i);
  });

  test('in practice mode a service waiting for its tasks is not said never to start them', async () => {
    const backend = mockLaunchBackend(launchOverview({ practice: true, choices: launchChoices({ mode: 'service' }) }));
    backend.answers.start_launch = (_args, emit) => {
      emit(action('service', 'created', 'web'));
      emit({ event: 'service', desired: 1, running: 0, pending: 1, message: '(service web) has started 1 tasks: (task abc123).', rollout: 'IN_PROGRESS' });
      return launchRecord({ status: 'starting' });
    };
    await renderReady();
    await reviewButton().click();
    await page.getByRole('button', { name: 'Launch now' }).click();
    await expect.element(page.getByText('(service web) has started 1 tasks: (task abc123).')).toBeVisible();
    // ECS's own words are marked English, so a Korean page does not read them as untranslated.
    expect(page.getByText('(service web) has started 1 tasks: (task abc123).').element().getAttribute('lang')).toBe('en');
    expect(document.body.textContent).not.toMatch(/never starts|Run it once/);
  });

  test('on AWS it says "yet" only when the task asked for one', async () => {
    await launchWithoutAddress(false, false);
    await expect.element(page.getByText('No public IP address', { exact: true })).toBeVisible();
    await expect.element(page.getByText(/launched without a public IP address/)).toBeVisible();
  });

  test('a task that runs once has no inbound rule: its address opens nothing, and it says why', async () => {
    await launchWithoutAddress(false, true, 'task');
    await expect.element(page.getByText('A task that runs once has no inbound rule', { exact: false })).toBeVisible();
    expect(page.getByRole('button', { name: 'Open in browser' }).query()).toBeNull();
    expect(document.body.textContent).not.toMatch(/No public IP address/);
  });

  test('on AWS a task that asked for one is waiting for it', async () => {
    await launchWithoutAddress(false, true);
    await expect.element(page.getByText('No public IP address yet', { exact: true })).toBeVisible();
    await expect.element(page.getByText(/hasn't assigned the task's public IP address yet/)).toBeVisible();
  });
});

describe('examples are hints, not values', () => {
  test('the command field is empty with its example in the hint', async () => {
    mockLaunchBackend();
    await renderReady();
    const command = page.getByLabelText('Command override', { exact: true });
    await expect.element(command).toHaveValue('');
    expect(command.element().hasAttribute('placeholder')).toBe(false);
    await expect.element(command).toHaveAccessibleDescription(/e\.g\. npm run start/);
  });
});
