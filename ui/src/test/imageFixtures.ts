// Test support only: a stand-in for the Image step's commands, whose long work runs as jobs the
// test sends progress to, as the backend would.
import { mockIPC } from '@tauri-apps/api/mocks';
import type {
  BerthError,
  BuiltImage,
  FolderInfo,
  ImageStep,
  JobOutcome,
  LocalImage,
  Progress,
  PushedImage,
} from '../ipc/types';
import { defaultContexts, runningDocker } from './fixtures';
import { appJobs, fakeJobs, type FakeJobs } from './jobs';

export function imageStep(overrides: Partial<ImageStep> = {}): ImageStep {
  return {
    repository: 'web',
    region: 'us-east-1',
    practice: false,
    practiceRegistry: null,
    docker: runningDocker,
    hostPlatform: 'linux/amd64',
    lastImage: null,
    draft: null,
    draftBuilt: null,
    draftLocal: null,
    localRuns: [],
    ...overrides,
  };
}

export const folderInfo: FolderInfo = {
  folder: '/home/ada/web',
  dockerfile: 'Dockerfile',
  context: { files: 1234, bytes: 20_500_000, excludedFiles: 40_000, excludedBytes: 1_200_000_000, ignorePatterns: 4, ignoreFile: '.dockerignore' },
  suggestedTag: 'a1b2c3d',
  tagSource: 'git',
  stages: ['deps', 'app'],
  exposedPort: 3000,
};

export const builtImage: BuiltImage = {
  id: 'sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
  reference: 'web:a1b2c3d',
  platform: 'linux/amd64',
  platformMatches: true,
  size: 182_000_000,
  contextBytes: 20_600_000,
  exposedPort: 3000,
};

export const pushedImage: PushedImage = {
  repository: 'web',
  tag: 'a1b2c3d',
  digest: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:a1b2c3d',
  platform: 'linux/amd64',
  exposedPort: 8080,
};

export const localImages: LocalImage[] = [
  {
    id: 'sha256:aaaa',
    reference: 'shop/api:v2',
    created: 1_735_000_000,
    size: 95_000_000,
    platform: 'linux/arm64',
    exposedPort: 8080,
  },
  {
    id: 'sha256:bbbb',
    reference: 'busybox:latest',
    created: 1_700_000_000,
    size: 4_000_000,
    platform: 'linux/amd64',
    exposedPort: null,
  },
];

type Args = Record<string, unknown>;
type Handler = (args: Args) => unknown;

/** The Image step's long commands: each starts a job, as the backend does. */
const IMAGE_JOBS: Record<string, { kind: string; key: (args: Args) => string; outcome: (value: unknown) => JobOutcome }> = {
  build_image: { kind: 'build', key: () => 'image', outcome: (value) => ({ outcome: 'built', value: value as BuiltImage }) },
  push_image: { kind: 'push', key: () => 'image', outcome: (value) => ({ outcome: 'pushed', value: value as PushedImage }) },
  watch_local_run: { kind: 'localRun', key: (args) => args.containerId as string, outcome: () => ({ outcome: 'ended' }) },
};

/**
 * The Image step's backend: answers from `answers` (a value, a promise, or a function of the
 * arguments) and records calls. `build_image`, `push_image` and `watch_local_run` answer a job id
 * at once; their answer is the job's result (a rejection fails it), and `send` streams progress
 * to the job the last such call started. `jobs` is the job registry (kept across renders, as the
 * backend keeps jobs while pages come and go).
 */
export function mockImageBackend(step: ImageStep = imageStep(), jobs: FakeJobs = fakeJobs()) {
  const calls: { cmd: string; args: Args }[] = [];
  const started = new Map<string, string>();
  if (!jobs.latest('activity')) appJobs(jobs);
  const answers: Partial<Record<string, Handler>> = {};
  const defaults: Record<string, Handler> = {
    get_image_step: () => step,
    inspect_build_folder: () => folderInfo,
    list_local_images: () => localImages,
    probe_docker: () => runningDocker,
    list_docker_contexts: () => defaultContexts,
    list_activity: () => ({ entries: [], reads: [] }),
    get_account: () => null,
  };

  mockIPC((cmd, payload) => {
    const raw = (payload ?? {}) as Args;
    const { channel: _channel, ...args } = raw;
    calls.push({ cmd, args });
    if (!answers[cmd] && jobs.handles(cmd)) return jobs.handle(cmd, raw);
    const handler = answers[cmd] ?? defaults[cmd];
    if (!handler) throw new Error(`unexpected command ${cmd}`);
    const job = IMAGE_JOBS[cmd];
    if (!job) return handler(args);
    const id = jobs.spawn<Progress, unknown>(
      job.kind,
      job.key(args),
      (event) => ({ type: 'progress', event }),
      () => handler(args),
      job.outcome,
    );
    started.set(cmd, id);
    return id;
  });

  return {
    answers,
    calls,
    jobs,
    argsOf: (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
    /** The id of the job the last `cmd` call started. */
    jobOf(cmd: string): string {
      const id = started.get(cmd);
      if (!id) throw new Error(`${cmd} was not called`);
      return id;
    },
    /** Sends progress events to the job the last `cmd` call started. */
    send(cmd: string, ...events: Progress[]) {
      const id = started.get(cmd);
      if (!id) throw new Error(`${cmd} was not called`);
      jobs.progress(id, ...events);
    },
  };
}

/** A command that waits until the test settles it. */
export function pending<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: BerthError) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
