// Test support only: the backend's job registry as the window sees it (list_jobs, attach_job,
// detach_job, cancel_job), kept like core's `Jobs`: each job buffers its events, a watcher that
// attaches gets the past then every new event, attaching again under a name replaces the earlier
// listener, detaching never cancels. A test starts jobs, sends their events and ends them.
import type { Channel } from '@tauri-apps/api/core';
import type {
  ActivityEntry,
  BerthError,
  JobEvent,
  JobOutcome,
  JobSummary,
  LaunchEvent,
  MonitorState,
  Progress,
} from '../ipc/types';

type Args = Record<string, unknown>;
type Replay = 'all' | 'latest' | 'nothing';

interface Job {
  summary: JobSummary;
  replay: Replay;
  events: JobEvent[];
  watchers: Map<string, Channel<JobEvent>>;
}

export type FakeJobs = ReturnType<typeof fakeJobs>;

/** Commands the registry answers. */
export const JOB_COMMANDS = ['list_jobs', 'attach_job', 'detach_job', 'cancel_job'] as const;

/** Job ids are unique across tests, as the backend's are across a run of the app (the window
 * remembers jobs it left running by id). */
let next = 1;

export function fakeJobs() {
  const jobs: Job[] = [];
  /** Ids `cancel_job` was called with, in order. */
  const cancelled: string[] = [];

  function find(id: string): Job {
    const job = jobs.find((j) => j.summary.id === id);
    if (!job) throw new Error(`no job ${id}`);
    return job;
  }

  function emit(id: string, ...events: JobEvent[]) {
    const job = find(id);
    for (const event of events) {
      if (job.replay === 'all') job.events.push(event);
      else if (job.replay === 'latest') job.events = [event];
      for (const channel of job.watchers.values()) channel.onmessage(structuredClone(event));
    }
  }

  const registry = {
    cancelled,

    /** Starts a job (a finished one of the same kind and key is forgotten, as the backend does). */
    start(kind: string, key = '', replay: Replay = 'all'): string {
      const id = `${kind}-${next++}`;
      for (let i = jobs.length - 1; i >= 0; i--) {
        if (jobs[i].summary.kind === kind && jobs[i].summary.key === key && !jobs[i].summary.running) jobs.splice(i, 1);
      }
      jobs.push({ summary: { id, kind, key, running: true }, replay, events: [], watchers: new Map() });
      return id;
    },

    emit,
    progress: (id: string, ...events: Progress[]) => emit(id, ...events.map((event) => ({ type: 'progress', event }) as const)),
    launch: (id: string, ...events: LaunchEvent[]) => emit(id, ...events.map((event) => ({ type: 'launch', event }) as const)),
    deployments: (id: string, state: MonitorState) => emit(id, { type: 'deployments', event: state }),
    activity: (id: string, entry: ActivityEntry) => emit(id, { type: 'activity', event: entry }),

    /** Ends the job with `outcome` (its last event). */
    finish(id: string, outcome: JobOutcome) {
      emit(id, { type: 'done', event: outcome });
      find(id).summary.running = false;
    },

    /** A job that already ran to its end: its events, then `outcome`. Answers its id. */
    ran(kind: string, key: string, events: JobEvent[], outcome: JobOutcome): string {
      const id = registry.start(kind, key);
      emit(id, ...events);
      registry.finish(id, outcome);
      return id;
    },

    /**
     * Runs `work` as a job of `kind` on `key`, the way the backend's `jobs::spawn` does: answers
     * the job's id at once; what `work` emits goes to the job, and its result (a value or a
     * promise) becomes the final `done` event: `outcome(value)`, or `failed` with the error it
     * rejects with (`cancelled` for the cancelled kind).
     */
    spawn<E, T>(
      kind: string,
      key: string,
      wrap: (event: E) => JobEvent,
      work: (emit: (...events: E[]) => void) => T | Promise<T>,
      outcome: (value: T) => JobOutcome,
    ): string {
      const id = registry.start(kind, key);
      const send = (...events: E[]) => {
        if (find(id).summary.running) emit(id, ...events.map(wrap));
      };
      Promise.resolve()
        .then(() => work(send))
        .then(
          (value) => registry.finish(id, outcome(value)),
          (error: BerthError) =>
            registry.finish(id, error?.kind === 'cancelled' ? { outcome: 'cancelled' } : { outcome: 'failed', value: error }),
        );
      return id;
    },

    /** The newest job of `kind`. */
    latest(kind: string): JobSummary | undefined {
      return jobs.filter((j) => j.summary.kind === kind).at(-1)?.summary;
    },

    /** Names of the watchers attached to `id` now. */
    watchers: (id: string): string[] => [...find(id).watchers.keys()],

    /** Watchers attached to any job, as "id/name". */
    allWatchers: (): string[] => jobs.flatMap((j) => [...j.watchers.keys()].map((w) => `${j.summary.id}/${w}`)),

    handles: (cmd: string): boolean => (JOB_COMMANDS as readonly string[]).includes(cmd),

    /** Answers a job command; `args` as the window sent them (the channel not cloned). */
    handle(cmd: string, args: Args): unknown {
      switch (cmd) {
        case 'list_jobs':
          return jobs.map((j) => ({ ...j.summary }));
        case 'attach_job': {
          const job = jobs.find((j) => j.summary.id === args.id);
          if (!job) return null;
          const channel = args.channel as Channel<JobEvent>;
          job.watchers.delete(args.watcher as string);
          for (const event of job.events) channel.onmessage(structuredClone(event));
          job.watchers.set(args.watcher as string, channel);
          return { ...job.summary };
        }
        case 'detach_job':
          jobs.find((j) => j.summary.id === args.id)?.watchers.delete(args.watcher as string);
          return null;
        case 'cancel_job': {
          cancelled.push(args.id as string);
          return jobs.some((j) => j.summary.id === args.id && j.summary.running);
        }
        default:
          throw new Error(`not a job command: ${cmd}`);
      }
    },
  };
  return registry;
}

/** The two jobs that last as long as the app, started as the backend does at launch. */
export function appJobs(jobs: FakeJobs, state?: MonitorState): { activity: string; deployments: string } {
  const activity = jobs.start('activity', '', 'nothing');
  const deployments = jobs.start('deployments', '', 'latest');
  if (state) jobs.deployments(deployments, state);
  return { activity, deployments };
}
