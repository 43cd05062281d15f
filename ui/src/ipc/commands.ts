// The only module that calls into Tauri. Every wrapper rejects with a BerthError.
import { invoke } from '@tauri-apps/api/core';
import type { AppInfo } from './bindings/AppInfo';
import type { AwsConfigSummary } from './bindings/AwsConfigSummary';
import type { DockerStatus } from './bindings/DockerStatus';
import { toBerthError } from './errors';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toBerthError(reason);
  }
}

/** Whether a Docker engine answers, and which one. Never rejects for an absent engine: that is a status. */
export function probeDocker(): Promise<DockerStatus> {
  return call<DockerStatus>('probe_docker');
}

/** Profiles, regions and the default region found in ~/.aws/config and ~/.aws/credentials. */
export function readAwsConfig(): Promise<AwsConfigSummary> {
  return call<AwsConfigSummary>('read_aws_config');
}

/** Berth's version and the platform it runs on. */
export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>('app_info');
}
