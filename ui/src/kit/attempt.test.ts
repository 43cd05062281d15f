import { describe, expect, test } from 'vitest';
import { Attempt } from './attempt.svelte';

describe('Attempt', () => {
  test('busy while it runs, then says it worked; a second try meanwhile does nothing', async () => {
    const attempt = new Attempt();
    let finish: () => void = () => undefined;
    let calls = 0;
    const first = attempt.run(() => {
      calls++;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    expect(attempt.busy).toBe(true);
    expect(await attempt.run(async () => void calls++)).toBe(false);
    finish();
    expect(await first).toBe(true);
    expect(calls).toBe(1);
    expect(attempt.busy).toBe(false);
    expect(attempt.error).toBeNull();
  });

  test('a failure becomes the error, worded by the screen; the next try clears it', async () => {
    const attempt = new Attempt();
    const failed = await attempt.run(
      () => Promise.reject({ kind: 'accessDenied', params: { action: 'ecs:DeleteService' }, details: null }),
      (error) => ({ ...error, params: { ...error.params, resource: 'service' } }),
    );
    expect(failed).toBe(false);
    expect(attempt.error).toMatchObject({ kind: 'accessDenied', params: { action: 'ecs:DeleteService', resource: 'service' } });
    expect(attempt.busy).toBe(false);

    let seen: unknown = 'unset';
    await attempt.run(async () => void (seen = attempt.error));
    expect(seen).toBeNull();
    expect(attempt.error).toBeNull();
  });
});
