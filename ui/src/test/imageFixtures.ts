// Test support only: a stand-in for the Image step's commands, with progress channels the test
// can send events on, as the backend would.
import { mockIPC } from '@tauri-apps/api/mocks';
import type {
  BerthError,
  BuiltImage,
  FolderInfo,
  ImageStep,
  LocalImage,
  Progress,
  PushedImage,
} from '../ipc/types';
import { defaultContexts, runningDocker } from './fixtures';

export function imageStep(overrides: Partial<ImageStep> = {}): ImageStep {
  return {
    repository: 'web',
    region: 'us-east-1',
    practice: false,
    practiceRegistry: null,
    docker: runningDocker,
    hostPlatform: 'linux/amd64',
    lastImage: null,
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
type Channelish = { id: number };

/**
 * The Image step's backend: answers from `answers` (a value, a promise, or a function of the
 * arguments), records calls, and keeps the channel of each long command so a test can `send`
 * progress on it.
 */
export function mockImageBackend(step: ImageStep = imageStep()) {
  const calls: { cmd: string; args: Args }[] = [];
  const channels = new Map<string, { id: number; next: number }>();
  const answers: Partial<Record<string, Handler>> = {};
  const defaults: Record<string, Handler> = {
    get_image_step: () => step,
    inspect_build_folder: () => folderInfo,
    list_local_images: () => localImages,
    cancel_operation: () => true,
    probe_docker: () => runningDocker,
    list_docker_contexts: () => defaultContexts,
    list_activity: () => [],
    watch_activity: () => null,
    get_account: () => null,
  };

  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Args;
    if (args.channel) {
      channels.set(cmd, { id: (args.channel as Channelish).id, next: 0 });
    }
    calls.push({ cmd, args });
    const handler = answers[cmd] ?? defaults[cmd];
    if (!handler) throw new Error(`unexpected command ${cmd}`);
    return handler(args);
  });

  return {
    answers,
    calls,
    argsOf: (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
    /** Sends progress events on the channel the last `cmd` call was given. */
    send(cmd: string, ...events: Progress[]) {
      const channel = channels.get(cmd);
      if (!channel) throw new Error(`${cmd} was not called with a channel`);
      for (const message of events) {
        internals().runCallback(channel.id, { index: channel.next++, message });
      }
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

/** What mockIPC installed: the callbacks behind each Channel. */
function internals(): { runCallback: (id: number, data: unknown) => void } {
  return (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
    .__TAURI_INTERNALS__;
}
