import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { LaunchChoices } from '../ipc/types';
import { setLanguage } from '../lib/i18n/index.svelte';
import { cluster, mockDeploymentsBackend, monitorState, service, snapshot } from '../test/deployments';
import { launchPlan, mockLaunchBackend, resetLanguage } from '../test/fixtures';
import Deployments from './Deployments.svelte';
import Launch from './Launch.svelte';
import { scalingErrors } from './launch/rules';

const toggle = () => page.getByRole('checkbox', { name: 'Scale automatically' });
const reviewButton = () => page.getByRole('button', { name: 'Review plan' });

async function renderReady() {
  await render(Launch, { onnavigate: () => {} });
  await expect.element(reviewButton()).toBeEnabled();
}

beforeEach(() => resetLanguage());
afterEach(() => {
  clearMocks();
  resetLanguage();
});

describe('automatic scaling on the Launch page', () => {
  test('is offered for a service only, starts at 1–3 tasks at 60 %, and replaces the task count', async () => {
    mockLaunchBackend();
    await renderReady();
    await expect.element(toggle()).not.toBeChecked();
    await expect.element(page.getByRole('combobox', { name: 'Number of tasks' })).toBeVisible();

    await toggle().click();
    await expect.element(page.getByRole('spinbutton', { name: 'Fewest tasks' })).toHaveValue(1);
    await expect.element(page.getByRole('spinbutton', { name: 'Most tasks' })).toHaveValue(3);
    await expect.element(page.getByRole('spinbutton', { name: 'Target average CPU (%)' })).toHaveValue(60);
    await expect.element(page.getByRole('combobox', { name: 'Number of tasks' })).not.toBeInTheDocument();

    await page.getByRole('radio', { name: /Run it once/ }).click();
    await expect.element(toggle()).not.toBeInTheDocument();
  });

  test('the estimate is a range from the fewest to the most tasks, and the choice reaches the backend', async () => {
    const backend = mockLaunchBackend();
    await renderReady();
    await expect.element(page.getByText('$12.66', { exact: true })).toBeVisible();
    await toggle().click();
    // 0.25 vCPU / 0.5 GB + a public IP in us-east-1: 1 × 12.66 … 3 × 12.66 a month.
    await expect.element(page.getByText('$12.66 to $37.98 per month')).toBeVisible();
    await expect.element(page.getByText(/From 1 to 3 tasks, as scaling decides/)).toBeVisible();
    const last = backend.argsOf('estimate_launch_cost').at(-1)!.choices as LaunchChoices;
    expect(last.scaling).toEqual({ min: 1, max: 3, cpuTarget: 60 });

    const max = page.getByRole('spinbutton', { name: 'Most tasks' });
    await max.fill('5');
    await expect.element(page.getByText('$12.66 to $63.30 per month')).toBeVisible();

    await reviewButton().click();
    const planned = backend.argsOf('plan_launch').at(-1)!.choices as LaunchChoices;
    expect(planned.scaling).toEqual({ min: 1, max: 5, cpuTarget: 60 });
    await expect.element(page.getByText('About $12.66 to $63.30 per month, with 1 to 5 tasks.')).toBeVisible();
  });

  test('wrong ranges are explained before any AWS call', async () => {
    const backend = mockLaunchBackend();
    await renderReady();
    await toggle().click();
    const min = page.getByRole('spinbutton', { name: 'Fewest tasks' });
    const max = page.getByRole('spinbutton', { name: 'Most tasks' });
    const cpu = page.getByRole('spinbutton', { name: 'Target average CPU (%)' });
    await min.fill('4');
    await expect.element(page.getByText("The most tasks can't be fewer than the fewest (4).")).toBeVisible();
    await expect.element(max).toHaveAttribute('aria-invalid', 'true');
    await min.fill('0');
    await expect.element(page.getByText('A service keeps at least 1 task: enter 1 or more.')).toBeVisible();
    await min.fill('1');
    await max.fill('11');
    await expect.element(page.getByText('Enter at most 10 tasks.')).toBeVisible();
    await max.fill('3');
    await cpu.fill('95');
    await expect.element(page.getByText('Enter a target from 10 to 90 %.')).toBeVisible();

    await reviewButton().click();
    expect(backend.argsOf('plan_launch')).toHaveLength(0);
    await expect.element(cpu).toHaveFocus();
  });

  test('the plan lists the scaling step with its aws commands', async () => {
    const backend = mockLaunchBackend();
    backend.answers.plan_launch = (args) => {
      const choices = args.choices as LaunchChoices;
      const plan = launchPlan(choices);
      plan.items.push({
        resource: 'scalableTarget',
        name: 'service/berth/web',
        action: 'create',
        id: null,
        changes: [],
        commands: [
          'aws application-autoscaling register-scalable-target --service-namespace ecs --resource-id service/berth/web --scalable-dimension ecs:service:DesiredCount --min-capacity 1 --max-capacity 3 --region us-east-1',
          'aws application-autoscaling put-scaling-policy --region us-east-1',
        ],
      });
      return plan;
    };
    await renderReady();
    await toggle().click();
    await reviewButton().click();
    const list = page.getByRole('list', { name: 'Resources' });
    await expect.element(list.getByText('Automatic scaling')).toBeVisible();
    await expect
      .element(list.getByText('Between 1 and 3 tasks, keeping their average CPU near 60 %, through Application Auto Scaling.'))
      .toBeVisible();
  });

  test('in Korean every scaling control has a name', async () => {
    mockLaunchBackend();
    setLanguage('ko');
    await render(Launch, { onnavigate: () => {} });
    await page.getByRole('checkbox', { name: '자동으로 확장' }).click();
    await expect.element(page.getByRole('spinbutton', { name: '최소 태스크 수' })).toBeVisible();
    await expect.element(page.getByRole('spinbutton', { name: '최대 태스크 수' })).toBeVisible();
    await expect.element(page.getByRole('spinbutton', { name: '목표 평균 CPU (%)' })).toBeVisible();
  });
});

describe('scaling rules', () => {
  test('mirror the backend: min ≥ 1, min ≤ max ≤ 10, CPU 10–90', () => {
    expect(scalingErrors({ min: 1, max: 3, cpuTarget: 60 })).toEqual({});
    expect(scalingErrors({ min: 0, max: 3, cpuTarget: 60 }).scalingMin?.params.rule).toBe('atLeastOne');
    expect(scalingErrors({ min: 4, max: 3, cpuTarget: 60 }).scalingMax?.params.rule).toBe('belowMin');
    expect(scalingErrors({ min: 1, max: 11, cpuTarget: 60 }).scalingMax?.params.rule).toBe('range');
    expect(scalingErrors({ min: 1, max: 3, cpuTarget: 9 }).scalingCpu?.params.rule).toBe('range');
    expect(scalingErrors({ min: 1, max: 3, cpuTarget: 91 }).scalingCpu?.params.rule).toBe('range');
  });
});

describe('automatic scaling in Deployments', () => {
  test('a service that scales shows its range, CPU target and current count', async () => {
    const scaled = service({ desired: 2, scaling: { min: 1, max: 3, cpuTarget: 60 } });
    mockDeploymentsBackend(monitorState({ snapshot: snapshot({ clusters: [cluster({ services: [scaled] })] }) }));
    await render(Deployments);
    const card = page.getByRole('article', { name: 'shop' });
    await expect.element(card.getByText('Automatic scaling')).toBeVisible();
    await expect.element(card.getByText('1–3 tasks at 60 % average CPU (now 2)')).toBeVisible();
  });

  test('a service with a fixed count says nothing about scaling', async () => {
    mockDeploymentsBackend();
    await render(Deployments);
    const card = page.getByRole('article', { name: 'shop' });
    await expect.element(card.getByText('Made by Berth')).toBeVisible();
    await expect.element(card.getByText('Automatic scaling')).not.toBeInTheDocument();
  });
});
