import { describe, expect, test } from 'vitest';
import type { BerthError } from '../ipc/types';
import { deferred } from '../test/fixtures';
import { Latest, Requests } from './latest.svelte';

const throttled: BerthError = { kind: 'throttled', params: {}, details: null };

describe('Requests', () => {
  test('a newer request makes the older tickets stale; drop makes them all stale', () => {
    const requests = new Requests();
    const first = requests.next();
    expect(first.current).toBe(true);
    const second = requests.next();
    expect(first.current).toBe(false);
    expect(second.current).toBe(true);
    requests.drop();
    expect(second.current).toBe(false);
  });

  test('same() is more work on the newest request: it stays current until the next one', () => {
    const requests = new Requests();
    const view = requests.next();
    const page = requests.same();
    expect(view.current && page.current).toBe(true);
    requests.next();
    expect(page.current).toBe(false);
  });

  test('take() applies replies in request order even when they arrive out of order', () => {
    const requests = new Requests();
    const a = requests.next();
    const b = requests.next();
    const c = requests.next();
    expect(b.take()).toBe(true);
    // a is older than b, whose reply was taken already.
    expect(a.take()).toBe(false);
    expect(c.take()).toBe(true);
  });
});

describe('Latest', () => {
  test('keeps the value, the error and whether a read runs', async () => {
    const folder = new Latest<string>();
    expect(folder.value).toBeNull();
    const answer = deferred<string>();
    const reading = folder.run(() => answer.promise);
    expect(folder.loading).toBe(true);
    answer.resolve('/home/ada/web');
    expect(await reading).toEqual({ ok: true, value: '/home/ada/web' });
    expect(folder.value).toBe('/home/ada/web');
    expect(folder.loading).toBe(false);

    expect(await folder.run(() => Promise.reject(throttled))).toEqual({ ok: false, error: throttled });
    expect(folder.error).toEqual(throttled);
    expect(folder.value).toBeNull();
  });

  test('drops a reply older than the newest request, whichever order they arrive in', async () => {
    const latest = new Latest<string>();
    const slow = deferred<string>();
    const fast = deferred<string>();
    const first = latest.run(() => slow.promise);
    const second = latest.run(() => fast.promise);
    fast.resolve('new');
    expect(await second).toEqual({ ok: true, value: 'new' });
    slow.resolve('old');
    expect(await first).toBeNull();
    expect(latest.value).toBe('new');
    expect(latest.loading).toBe(false);
  });

  test('a late failure of an older request neither shows nor clears anything', async () => {
    const latest = new Latest<string>();
    const old = deferred<string>();
    const failing = latest.run(() => old.promise.then(() => Promise.reject(throttled)));
    await latest.run(() => Promise.resolve('fresh'));
    old.resolve('');
    expect(await failing).toBeNull();
    expect(latest.error).toBeNull();
    expect(latest.value).toBe('fresh');
  });

  test('can keep the value on failure, or clear it while loading', async () => {
    const latest = new Latest<number>(1);
    await latest.run(() => Promise.reject(throttled), { clearOnError: false });
    expect(latest.value).toBe(1);
    const answer = deferred<number>();
    const reading = latest.run(() => answer.promise, { keepWhileLoading: false });
    expect(latest.value).toBeNull();
    answer.resolve(2);
    await reading;
    expect(latest.value).toBe(2);
  });

  test('set() and drop() end the read under way without its reply', async () => {
    const latest = new Latest<string>();
    const answer = deferred<string>();
    const reading = latest.run(() => answer.promise);
    latest.set('from a change');
    expect(latest.loading).toBe(false);
    answer.resolve('stale');
    expect(await reading).toBeNull();
    expect(latest.value).toBe('from a change');

    const again = deferred<string>();
    const second = latest.run(() => again.promise);
    latest.drop();
    again.resolve('left behind');
    expect(await second).toBeNull();
    expect(latest.value).toBe('from a change');
    latest.reset();
    expect(latest.value).toBeNull();
  });
});
