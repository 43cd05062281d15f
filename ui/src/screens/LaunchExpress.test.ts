// Issue 17: a stable HTTPS address through ECS Express Mode, beside the public IP.
import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { LaunchChoices, LaunchEvent } from '../ipc/types';
import { setLanguage } from '../lib/i18n/index.svelte';
import { cluster, mockDeploymentsBackend, monitorState, service, snapshot } from '../test/deployments';
import { deferred, launchRecord, mockLaunchBackend, resetLanguage } from '../test/fixtures';
import Deployments from './Deployments.svelte';
import Launch from './Launch.svelte';

const reviewButton = () => page.getByRole('button', { name: 'Review plan' });
const https = () => page.getByRole('radio', { name: /A stable HTTPS address/ });
const URL = 'https://web-0123456789abcdef0123456789abcdef.ecs.us-east-1.on.aws';

async function renderReady() {
  await render(Launch, { onnavigate: () => {} });
  await expect.element(reviewButton()).toBeEnabled();
}

beforeEach(() => resetLanguage());
afterEach(() => {
  clearMocks();
  resetLanguage();
});

describe('a stable HTTPS address on the Launch page', () => {
  test('is offered beside the public IP, for a service only, with its load balancer in the estimate', async () => {
    const backend = mockLaunchBackend();
    await renderReady();
    await expect.element(page.getByRole('radio', { name: /A public IP/ })).toBeChecked();
    await expect.element(https()).not.toBeChecked();
    // The hint says what it costs before it is chosen: 0.0225 × 730.
    await expect.element(page.getByText(/The load balancer adds about \$16\.43 a month/)).toBeVisible();
    await expect.element(page.getByText('$12.66', { exact: true })).toBeVisible();

    await https().click();
    // (0.0173425 + 0.0225) × 730 = 29.085: the load balancer counted whole.
    await expect.element(page.getByText('$29.09', { exact: true })).toBeVisible();
    await expect.element(page.getByText('Load balancer (stable HTTPS address)')).toBeVisible();
    const last = backend.argsOf('estimate_launch_cost').at(-1)!.choices as LaunchChoices;
    expect(last.address).toBe('https');

    await page.getByRole('radio', { name: /Run it once/ }).click();
    await expect.element(https()).not.toBeInTheDocument();
  });

  test('the plan lists the Express service with its command, and the timeline gives its URL to open', async () => {
    const backend = mockLaunchBackend();
    const done = deferred<unknown>();
    let emit: (e: LaunchEvent) => void = () => {};
    backend.answers.start_launch = (_args, e) => {
      emit = e;
      return done.promise;
    };
    await renderReady();
    await https().click();
    await reviewButton().click();
    expect((backend.argsOf('plan_launch').at(-1)!.choices as LaunchChoices).address).toBe('https');
    await expect.element(page.getByText('Express service', { exact: true })).toBeVisible();
    // The CLI equivalent, under the line's commands.
    await expect.element(page.getByText(/ecs create-express-gateway-service --cluster berth --service-name web/)).toBeInTheDocument();
    await expect.element(page.getByText('Security group', { exact: true })).not.toBeInTheDocument();

    await page.getByRole('button', { name: 'Launch now' }).click();
    emit({ event: 'action', resource: 'expressService', outcome: 'created', name: 'web', id: null, command: 'aws ecs create-express-gateway-service' });
    emit({ event: 'httpsAddress', url: URL });
    await expect.element(page.getByText(URL)).toBeVisible();
    await expect.element(page.getByText(/The address answers once the service’s tasks run/)).toBeVisible();
    done.resolve(launchRecord({ status: 'running', url: URL }));
    await expect.element(page.getByText(/The service runs\. The address answers once/)).toBeVisible();
    await page.getByRole('button', { name: `Open ${URL}` }).click();
    expect(backend.argsOf('open_address')).toEqual([{ url: URL }]);
  });

  test('is explained in Korean too', async () => {
    mockLaunchBackend();
    setLanguage('ko');
    await render(Launch, { onnavigate: () => {} });
    await expect.element(page.getByRole('radio', { name: /고정 HTTPS 주소/ })).toBeVisible();
    await expect.element(page.getByRole('radio', { name: /퍼블릭 IP/ })).toBeChecked();
  });
});

describe('an Express service in Deployments', () => {
  test('shows its HTTPS address and offers its secrets and teardown, not the actions ECS would not take from it', async () => {
    const express = service({ name: 'web', app: 'web', express: true, url: URL });
    mockDeploymentsBackend(monitorState({ snapshot: snapshot({ clusters: [cluster({ services: [express] })] }) }));
    await render(Deployments);
    await expect.element(page.getByText(URL)).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Copy the HTTPS address of web' })).toBeVisible();
    await expect.element(page.getByText(/ECS Express Mode manages this service/)).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Tear down web' })).toBeVisible();
    expect(page.getByRole('button', { name: /^Scale/ }).query()).toBeNull();
    expect(page.getByRole('button', { name: /^Redeploy/ }).query()).toBeNull();
    await expect.element(page.getByRole('button', { name: 'Secrets of web' })).toBeVisible();
  });
});
