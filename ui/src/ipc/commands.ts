// The only module that calls into Tauri. Every wrapper rejects with a BerthError.
import { Channel, invoke } from '@tauri-apps/api/core';
import { open as openDialog } from '@tauri-apps/plugin-dialog';
import type { ActivityEntry } from './bindings/ActivityEntry';
import type { AccountOverview } from './bindings/AccountOverview';
import type { AccountSettings } from './bindings/AccountSettings';
import type { AppInfo } from './bindings/AppInfo';
import type { AwsConfigSummary } from './bindings/AwsConfigSummary';
import type { DockerStatus } from './bindings/DockerStatus';
import type { NewIdentity } from './bindings/NewIdentity';
import type { VerifiedIdentity } from './bindings/VerifiedIdentity';
import type { WizardSettings } from './bindings/WizardSettings';
import type { BuildRequest } from './bindings/BuildRequest';
import type { BuiltImage } from './bindings/BuiltImage';
import type { FolderInfo } from './bindings/FolderInfo';
import type { ImageStep } from './bindings/ImageStep';
import type { LocalImage } from './bindings/LocalImage';
import type { LocalRun } from './bindings/LocalRun';
import type { Progress } from './bindings/Progress';
import type { PushedImage } from './bindings/PushedImage';
import type { PushRequest } from './bindings/PushRequest';
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

/** The saved account settings, the keys in the keychain (masked), profiles and regions to offer. */
export function getAccount(): Promise<AccountOverview> {
  return call<AccountOverview>('get_account');
}

/**
 * Stores a typed key pair in the system keychain and selects it. The secret goes one way only:
 * the answer carries a masked key id, never the secret.
 */
export function saveIdentity(identity: NewIdentity): Promise<AccountOverview> {
  return call<AccountOverview>('save_identity', { identity });
}

/** Deletes a saved key pair from the keychain and forgets it. */
export function removeIdentity(name: string): Promise<AccountOverview> {
  return call<AccountOverview>('remove_identity', { name });
}

/** Remembers the identity choice, region and practice mode (checks the practice fields). */
export function updateAccount(account: AccountSettings): Promise<AccountOverview> {
  return call<AccountOverview>('update_account', { account });
}

/** Asks AWS (STS GetCallerIdentity) who the saved settings sign in as; refuses root keys. */
export function verifyAccount(): Promise<VerifiedIdentity> {
  return call<VerifiedIdentity>('verify_account');
}

/** The newest entries of the activity log, oldest first. */
export function listActivity(): Promise<ActivityEntry[]> {
  return call<ActivityEntry[]>('list_activity');
}

/** Calls `onEntry` with every action recorded from now on. */
export function watchActivity(onEntry: (entry: ActivityEntry) => void): Promise<void> {
  const channel = new Channel<ActivityEntry>();
  channel.onmessage = onEntry;
  return call<void>('watch_activity', { channel });
}

/** Forgets the activity log. */
export function clearActivity(): Promise<void> {
  return call<void>('clear_activity');
}

/** What the earlier wizard steps left ready: execution role, repository, pushed image. */
export function getWizard(): Promise<WizardSettings> {
  return call<WizardSettings>('get_wizard');
}

/** The Image step's starting point: the repository from step 3, the Docker engine, the last push. */
export function getImageStep(): Promise<ImageStep> {
  return call<ImageStep>('get_image_step');
}

/** What a build of `folder` would send (after .dockerignore) and the tag to suggest. */
export function inspectBuildFolder(folder: string, dockerfile: string | null): Promise<FolderInfo> {
  return call<FolderInfo>('inspect_build_folder', { folder, dockerfile });
}

/** The system's folder picker; null when the user closes it. */
export async function pickFolder(title: string, defaultPath?: string): Promise<string | null> {
  try {
    const chosen = await openDialog({ directory: true, multiple: false, title, defaultPath });
    return typeof chosen === 'string' ? chosen : null;
  } catch (reason) {
    throw toBerthError(reason);
  }
}

/** Tagged images in the local Docker engine, newest first. */
export function listLocalImages(): Promise<LocalImage[]> {
  return call<LocalImage[]>('list_local_images');
}

function channelFor(onProgress: (event: Progress) => void): Channel<Progress> {
  const channel = new Channel<Progress>();
  channel.onmessage = onProgress;
  return channel;
}

/** Builds a folder; progress streams to `onProgress`. Cancel with `cancelOperation(operationId)`. */
export function buildImage(
  request: BuildRequest,
  operationId: string,
  onProgress: (event: Progress) => void,
): Promise<BuiltImage> {
  return call<BuiltImage>('build_image', { request, operationId, channel: channelFor(onProgress) });
}

/** Gets an ECR token and pushes the image with it; the result is remembered for Launch. */
export function pushImage(
  request: PushRequest,
  operationId: string,
  onProgress: (event: Progress) => void,
): Promise<PushedImage> {
  return call<PushedImage>('push_image', { request, operationId, channel: channelFor(onProgress) });
}

/** Cancels a build, a push or a log stream; false when it had already ended. */
export function cancelOperation(operationId: string): Promise<boolean> {
  return call<boolean>('cancel_operation', { operationId });
}

/** Runs an image locally with `hostPort` on 127.0.0.1 mapped to `containerPort`. */
export function startLocalRun(image: string, containerPort: number, hostPort: number): Promise<LocalRun> {
  return call<LocalRun>('start_local_run', { image, containerPort, hostPort });
}

/** Streams a local run's output as `log` events until it stops (or the watch is cancelled). */
export function watchLocalRun(
  containerId: string,
  operationId: string,
  onProgress: (event: Progress) => void,
): Promise<void> {
  return call<void>('watch_local_run', { containerId, operationId, channel: channelFor(onProgress) });
}

/** Stops and removes a container Berth started. */
export function stopLocalRun(containerId: string): Promise<void> {
  return call<void>('stop_local_run', { containerId });
}

/** Opens http://127.0.0.1:PORT/ in the system browser. */
export function openLocalApp(port: number): Promise<void> {
  return call<void>('open_local_app', { port });
}
