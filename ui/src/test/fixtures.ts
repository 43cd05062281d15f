// Test support only: sample backend answers and helpers for mockIPC.
import { setLanguage, STORAGE_KEY } from '../lib/i18n/index.svelte';
import type { AwsConfigSummary, BerthError, DockerStatus } from '../ipc/types';

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
