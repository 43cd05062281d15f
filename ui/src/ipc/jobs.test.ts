import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { fakeJobs, type FakeJobs } from '../test/jobs';
import { sleep } from '../test/fixtures';
import { blockingJob, busyWith, forgetLeftJobs, JobWatch, jobToResume } from './jobs';
import type { JobEvent, Progress } from './types';

let jobs: FakeJobs;
let calls: { cmd: string; args: Record<string, unknown> }[];
/** How long `detach_job` takes to answer (a busy backend). */
let detachDelay = 0;

beforeEach(() => {
  forgetLeftJobs();
  jobs = fakeJobs();
  calls = [];
  detachDelay = 0;
  mockIPC(async (cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: { ...args, channel: undefined } });
    if (cmd === 'detach_job' && detachDelay > 0) await sleep(detachDelay);
    return jobs.handle(cmd, args);
  });
});

afterEach(() => clearMocks());

const log = (line: string): Progress => ({ event: 'log', line });
const lines = (events: JobEvent[]) => events.map((e) => (e.type === 'progress' && e.event.event === 'log' ? e.event.line : e.type));

describe('following a job from a page', () => {
  test('gets the past, then each new event, and closing only detaches: the job runs on', async () => {
    const id = jobs.start('build', 'image');
    jobs.progress(id, log('one'));
    const seen: JobEvent[] = [];
    const watch = new JobWatch('image-build');
    await watch.follow(id, (e) => seen.push(e));
    jobs.progress(id, log('two'));
    expect(lines(seen)).toEqual(['one', 'two']);

    watch.close();
    await expect.poll(() => jobs.watchers(id)).toEqual([]);
    jobs.progress(id, log('three'));
    expect(lines(seen)).toEqual(['one', 'two']);
    expect(calls.filter((c) => c.cmd === 'cancel_job')).toEqual([]);
  });

  test('a job left running is resumed by the page that comes back, and its end shown once', async () => {
    const id = jobs.start('push', 'image');
    const first = new JobWatch('image-push');
    await first.follow(id, () => {});
    first.close();
    jobs.finish(id, { outcome: 'cancelled' });

    expect((await jobToResume('push', 'image'))?.id).toBe(id);
    const seen: JobEvent[] = [];
    await new JobWatch('image-push').resume('push', 'image', (e) => seen.push(e));
    expect(lines(seen)).toEqual(['done']);
    // Seen: the next visit starts afresh.
    expect(await jobToResume('push', 'image')).toBeUndefined();
  });

  test('a job that ended without a page following it is not brought back; a running one is', async () => {
    jobs.ran('build', 'image', [], { outcome: 'ended' });
    expect(await jobToResume('build', 'image')).toBeUndefined();
    const running = jobs.start('launch', 'web');
    expect((await jobToResume(['launch', 'teardown']))?.id).toBe(running);
  });

  test('events of a job the page let go of never reach it', async () => {
    const a = jobs.start('localRun', 'c1');
    const b = jobs.start('localRun', 'c2');
    const seen: JobEvent[] = [];
    const watch = new JobWatch('image-local-run');
    await watch.follow(a, (e) => seen.push(e));
    await watch.follow(b, (e) => seen.push(e));
    jobs.progress(a, log('from a'));
    jobs.progress(b, log('from b'));
    expect(lines(seen)).toEqual(['from b']);
    await expect.poll(() => jobs.watchers(a)).toEqual([]);
  });

  test('a page left and entered again at once is not cut off by its own late detach', async () => {
    const id = jobs.start('launch', 'web');
    detachDelay = 30;
    const before = new JobWatch('launch');
    await before.follow(id, () => {});
    before.close();
    const seen: JobEvent[] = [];
    await new JobWatch('launch').follow(id, (e) => seen.push(e));
    await sleep(60);
    jobs.launch(id, { event: 'waiting' });
    expect(jobs.watchers(id)).toEqual(['launch']);
    expect(seen.map((e) => e.type)).toEqual(['launch']);
  });

  test('a page closed while it attaches leaves no listener behind', async () => {
    const id = jobs.start('teardown', 'web');
    const watch = new JobWatch('teardown');
    const following = watch.follow(id, () => {});
    watch.close();
    expect(await following).toBeNull();
    await expect.poll(() => jobs.allWatchers()).toEqual([]);
  });

  test('Cancel cancels the job followed, by its id; nothing once it ended', async () => {
    const id = jobs.start('build', 'image');
    const watch = new JobWatch('image-build');
    await watch.follow(id, () => {});
    expect(await watch.cancel()).toBe(true);
    jobs.finish(id, { outcome: 'cancelled' });
    expect(await watch.cancel()).toBe(false);
    expect(calls.filter((c) => c.cmd === 'cancel_job').map((c) => c.args.id)).toEqual([id]);
  });
});

describe('a start refused because one runs already', () => {
  test('names the job that runs, to show instead of a second', async () => {
    const running = jobs.start('teardown', 'web');
    const refusal = { kind: 'invalidInput' as const, params: { field: 'launch', rule: 'busy', app: 'web', id: running }, details: null };
    expect(busyWith(refusal)).toBe(running);
    expect((await blockingJob(refusal, ['teardown']))?.id).toBe(running);
    expect(await blockingJob(refusal, ['launch'])).toBeUndefined();
    expect(busyWith({ kind: 'invalidInput', params: { field: 'app', rule: 'format' }, details: null })).toBeNull();
  });
});
