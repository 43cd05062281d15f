// Which prices the Launch estimate shows: read live from AWS's Price List API (with when), or
// the bundled list (with its date), and why a live refresh was not used.
import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { CostEstimate, LaunchChoices, PriceSource } from '../ipc/types';
import { setLanguage } from '../lib/i18n/index.svelte';
import { costFor, mockLaunchBackend, resetLanguage } from '../test/fixtures';
import Launch from './Launch.svelte';

const BUNDLED = { asOf: '2026-11-01', url: 'https://aws.amazon.com/fargate/pricing/' };
// 2026-12-04 01:30 UTC, in seconds (what the backend sends).
const FETCHED_AT = Date.UTC(2026, 11, 4, 1, 30) / 1000;

function withSource(source: PriceSource) {
  const backend = mockLaunchBackend();
  backend.answers.estimate_launch_cost = (args) => {
    const estimate = costFor(args.choices as LaunchChoices) as CostEstimate;
    return { ...estimate, source };
  };
  return backend;
}

async function renderLaunch() {
  await render(Launch, { onnavigate: vi.fn() });
  await expect.element(page.getByRole('button', { name: 'Review plan' })).toBeEnabled();
}

const line = () => page.getByText(/On-demand prices for US East \(N\. Virginia\)/);

beforeEach(() => resetLanguage());
afterEach(() => {
  clearMocks();
  resetLanguage();
});

describe('the price source line', () => {
  test('live prices say they come from the Price List API and when they were fetched', async () => {
    withSource({ ...BUNDLED, fetchedAt: FETCHED_AT });
    await renderLaunch();
    await expect.element(line()).toHaveTextContent(/from AWS's Price List API, fetched Dec 4, 2026/);
    expect(line().element().textContent).not.toMatch(/ships with/);
  });

  test('bundled prices give their date and source, and no reason when no refresh was tried', async () => {
    withSource(BUNDLED);
    await renderLaunch();
    await expect
      .element(line())
      .toHaveTextContent(/as of Nov 1, 2026, from https:\/\/aws\.amazon\.com\/fargate\/pricing\/ \(the price list Berth ships with\)/);
    expect(line().element().textContent).not.toMatch(/Live prices|Price List API/);
  });

  test('a refused refresh says the bundled list is used because pricing:GetProducts is not allowed', async () => {
    withSource({ ...BUNDLED, fallback: { reason: 'accessDenied', triedAt: FETCHED_AT, details: 'AccessDenied' } });
    await renderLaunch();
    await expect.element(line()).toHaveTextContent(/as of Nov 1, 2026/);
    await expect.element(line()).toHaveTextContent(/may not call pricing:GetProducts \(optional\)/);
  });

  test('a rejected live price is named with both figures', async () => {
    withSource({
      ...BUNDLED,
      fallback: { reason: 'implausible', triedAt: FETCHED_AT, what: 'Fargate-vCPU-Hours:perCPU', live: 0.4048, bundled: 0.04048 },
    });
    await renderLaunch();
    await expect
      .element(line())
      .toHaveTextContent(/live price for Fargate-vCPU-Hours:perCPU \(0\.4048 USD\) is too far from the bundled one \(0\.04048 USD\)/);
  });

  test('in Korean', async () => {
    withSource({ ...BUNDLED, fetchedAt: FETCHED_AT });
    setLanguage('ko');
    await render(Launch, { onnavigate: vi.fn() });
    await expect.element(page.getByText(/AWS Price List API에서 .*가져왔습니다/)).toBeVisible();
  });
});
