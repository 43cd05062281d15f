// Test support only: sample backend answers and helpers for mockIPC.
import { mockIPC } from '@tauri-apps/api/mocks';
import { setLanguage, STORAGE_KEY } from '../lib/i18n/index.svelte';
import type {
  AccountOverview,
  AccountSettings,
  AwsConfigSummary,
  BerthError,
  DockerStatus,
  NewIdentity,
  Preferences,
  VerifiedIdentity,
} from '../ipc/types';

export const runningDocker: DockerStatus = {
  state: 'available',
  engine: {
    version: '27.3.1',
    apiVersion: '1.47',
    os: 'linux',
    arch: 'amd64',
    host: 'unix:///var/run/docker.sock',
  },
};

export function unavailableDocker(error: BerthError): DockerStatus {
  return { state: 'unavailable', error };
}

export const awsWithProfiles: AwsConfigSummary = {
  configFile: '/home/ada/.aws/config',
  credentialsFile: '/home/ada/.aws/credentials',
  profiles: [
    { name: 'default', region: 'eu-west-1', kind: 'staticKeys' },
    { name: 'work-sso', region: null, kind: 'sso' },
  ],
  regions: ['eu-west-1'],
  defaultRegion: 'eu-west-1',
  defaultRegionSource: 'defaultProfile',
  problem: null,
};

export const awsEmpty: AwsConfigSummary = {
  configFile: '/home/ada/.aws/config',
  credentialsFile: '/home/ada/.aws/credentials',
  profiles: [],
  regions: [],
  defaultRegion: null,
  defaultRegionSource: null,
  problem: null,
};

/** A promise with its resolve function, to hold a mocked command until the test lets it answer. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** English, with nothing remembered. */
export function resetLanguage(): void {
  setLanguage('en');
  localStorage.removeItem(STORAGE_KEY);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The regions Berth offers (as the backend lists them). */
export const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-northeast-1', 'ap-northeast-2',
  'ap-northeast-3', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2',
  'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1', 'il-central-1', 'me-south-1', 'me-central-1', 'sa-east-1',
];

export const noPractice = { enabled: false, endpointUrl: '', registry: '' };

/** An Account step answer: nothing chosen yet, no keys saved, the two sample profiles. */
export function accountOverview(
  overrides: Partial<Omit<AccountOverview, 'settings'>> & { settings?: Partial<AccountSettings> } = {},
): AccountOverview {
  const { settings, ...rest } = overrides;
  return {
    identities: [],
    profiles: awsWithProfiles.profiles,
    regions: REGIONS,
    suggestedRegion: null,
    ...rest,
    settings: { source: null, region: null, practice: noPractice, ...settings },
  };
}

export const aliceVerified: VerifiedIdentity = {
  account: '123456789012',
  arn: 'arn:aws:iam::123456789012:user/team/alice',
  principal: 'user',
  name: 'alice',
};

export function invalidInput(field: string, rule: string, extra: Record<string, string> = {}): BerthError {
  return { kind: 'invalidInput', params: { field, rule, ...extra }, details: null };
}

type Args = Record<string, unknown>;
type Handler = (args: Args) => unknown;

/**
 * A stand-in for Berth's account commands (plus the environment probes) that keeps its state
 * like the backend does, records every call, and lets a test replace any command's answer.
 */
/** Commands the frame calls on its own, whatever the user does. */
const BACKGROUND_COMMANDS = [
  'probe_docker',
  'read_aws_config',
  'list_activity',
  'watch_activity',
  'get_preferences',
  'update_preferences',
];

/** The preferences of a fresh install. */
export const defaultPreferences: Preferences = {
  language: null,
  theme: 'system',
  refreshIntervalSecs: 30,
  keepInTray: false,
  notifications: true,
};

export function mockAccountBackend(initial: AccountOverview = accountOverview()) {
  let state: AccountOverview = structuredClone(initial);
  let preferences: Preferences = structuredClone(defaultPreferences);
  const calls: { cmd: string; args: Args }[] = [];
  const answers: Partial<Record<string, Handler>> = {};
  const answer = () => structuredClone(state);

  const defaults: Record<string, Handler> = {
    probe_docker: () => runningDocker,
    read_aws_config: () => awsWithProfiles,
    get_account: answer,
    save_identity: (args) => {
      const identity = args.identity as NewIdentity;
      const name = identity.name.trim();
      const key = identity.accessKeyId.trim();
      state.identities = [
        ...state.identities.filter((i) => i.name !== name),
        { name, maskedKeyId: `${key.slice(0, 4)}…${key.slice(-4)}`, hasSessionToken: identity.sessionToken !== null },
      ].sort((a, b) => a.name.localeCompare(b.name));
      state.settings.source = { kind: 'keychain', name };
      return answer();
    },
    remove_identity: (args) => {
      const name = args.name as string;
      state.identities = state.identities.filter((i) => i.name !== name);
      if (state.settings.source?.kind === 'keychain' && state.settings.source.name === name) {
        state.settings.source = null;
      }
      return answer();
    },
    update_account: (args) => {
      const account = args.account as AccountSettings;
      if (account.practice.enabled && !/^https?:\/\/[^/\s]/.test(account.practice.endpointUrl)) {
        return Promise.reject(invalidInput('endpointUrl', 'format'));
      }
      state.settings = structuredClone(account);
      return answer();
    },
    verify_account: () => aliceVerified,
    list_activity: () => [],
    watch_activity: () => null,
    clear_activity: () => null,
    get_wizard: () => ({ executionRoleArn: null, repository: null, image: null }),
    get_preferences: () => structuredClone(preferences),
    update_preferences: (args) => {
      preferences = structuredClone(args.preferences as Preferences);
      return structuredClone(preferences);
    },
  };

  mockIPC((cmd, payload) => {
    const args = structuredClone((payload ?? {}) as Args);
    calls.push({ cmd, args });
    const handler = answers[cmd] ?? defaults[cmd];
    if (!handler) throw new Error(`unexpected command ${cmd}`);
    return handler(args);
  });

  return {
    /** Replace a command's answer: return a value or a promise, or reject with a BerthError. */
    answers,
    calls,
    /** The arguments of every call of `cmd`, in order. */
    argsOf: (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
    /** Command names in call order, without the environment probes and the activity log. */
    order: () => calls.map((c) => c.cmd).filter((c) => !BACKGROUND_COMMANDS.includes(c)),
    get state() {
      return state;
    },
    get preferences() {
      return preferences;
    },
    set state(next: AccountOverview) {
      state = structuredClone(next);
    },
  };
}
