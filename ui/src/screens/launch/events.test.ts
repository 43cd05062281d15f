import { afterEach, describe, expect, test } from 'vitest';
import type { LaunchEvent } from '../../ipc/types';
import { resetLanguage } from '../../test/fixtures';
import { afterStopText, eventsOf, lastOf, taskStates } from './events';

afterEach(() => resetLanguage());

const task = (taskId: string, lastStatus: string): LaunchEvent => ({ event: 'task', taskId, lastStatus, desiredStatus: 'RUNNING' });
const service = (running: number): LaunchEvent => ({ event: 'service', desired: 2, running, pending: 0, message: null, rollout: null });

describe('launch events', () => {
  const events = [task('aaaa', 'PROVISIONING'), service(0), task('bbbb', 'PENDING'), task('aaaa', 'RUNNING'), service(1)];

  test('each task once, where it first showed, with its latest status', () => {
    expect(taskStates(events)).toEqual([
      { taskId: 'aaaa', status: 'RUNNING' },
      { taskId: 'bbbb', status: 'PENDING' },
    ]);
  });

  test('the events of a kind, and the newest one of it (none when there is none)', () => {
    expect(eventsOf(events, 'service').map((e) => e.running)).toEqual([0, 1]);
    expect(lastOf(events, 'service')?.running).toBe(1);
    expect(lastOf(events, 'stopped')).toBeNull();
  });

  test('what ECS did after a stop is said in words, naming the revision it rolled back to', () => {
    expect(afterStopText({ kind: 'rolledBack', taskDefinition: 'shop:2' })).toMatch(/shop:2/);
    expect(afterStopText({ kind: 'halted' })).not.toBe('launch.timeline.afterStop.halted');
  });
});
