// The only module that calls into Tauri. Every wrapper rejects with a BerthError.
import { Channel, invoke } from '@tauri-apps/api/core';
import type { ActivityEntry } from './bindings/ActivityEntry';
import type { AccountOverview } from './bindings/AccountOverview';
import type { AccountSettings } from './bindings/AccountSettings';
import type { AppInfo } from './bindings/AppInfo';
import type { AwsConfigSummary } from './bindings/AwsConfigSummary';
import type { DockerStatus } from './bindings/DockerStatus';
import type { NewIdentity } from './bindings/NewIdentity';
import type { VerifiedIdentity } from './bindings/VerifiedIdentity';
import type { WizardSettings } from './bindings/WizardSettings';
import type { ActiveRun } from './bindings/ActiveRun';
import type { CostEstimate } from './bindings/CostEstimate';
import type { LaunchChoices } from './bindings/LaunchChoices';
import type { LaunchEvent } from './bindings/LaunchEvent';
import type { LaunchOverview } from './bindings/LaunchOverview';
import type { LaunchPlan } from './bindings/LaunchPlan';
import type { LaunchRecord } from './bindings/LaunchRecord';
import type { NetworkOverview } from './bindings/NetworkOverview';
import type { TeardownPlan } from './bindings/TeardownPlan';
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

/** The Launch page's starting point: image and role from the earlier steps, sizes, saved launches. */
export function getLaunch(): Promise<LaunchOverview> {
  return call<LaunchOverview>('get_launch');
}

/** The cost of `choices` in the saved region, or null where Berth has no prices. No AWS call. */
export function estimateLaunchCost(choices: LaunchChoices): Promise<CostEstimate | null> {
  return call<CostEstimate | null>('estimate_launch_cost', { choices });
}

/** The region's VPCs and subnets (the default VPC first). */
export function getLaunchNetwork(): Promise<NetworkOverview> {
  return call<NetworkOverview>('get_launch_network');
}

/** The user's public address as `a.b.c.d/32` (asks checkip.amazonaws.com; refused in practice mode). */
export function detectMyIp(): Promise<string> {
  return call<string>('detect_my_ip');
}

/** What a launch would create, reuse or update, with CLI equivalents and cost. Changes nothing. */
export function planLaunch(choices: LaunchChoices): Promise<LaunchPlan> {
  return call<LaunchPlan>('plan_launch', { choices });
}

function eventChannel(onEvent: (event: LaunchEvent) => void): Channel<LaunchEvent> {
  const channel = new Channel<LaunchEvent>();
  channel.onmessage = onEvent;
  return channel;
}

/** Launches: every action and the task lifecycle arrive on `onEvent`; resolves with the final record. */
export function startLaunch(choices: LaunchChoices, onEvent: (event: LaunchEvent) => void): Promise<LaunchRecord> {
  return call<LaunchRecord>('start_launch', { choices, channel: eventChannel(onEvent) });
}

/** Continues an unfinished launch of `app` with the choices it started with. */
export function resumeLaunch(app: string, onEvent: (event: LaunchEvent) => void): Promise<LaunchRecord> {
  return call<LaunchRecord>('resume_launch', { app, channel: eventChannel(onEvent) });
}

/** Stops the running launch or teardown at its next step; nothing is undone. */
export function cancelLaunch(): Promise<void> {
  return call<void>('cancel_launch');
}

/**
 * Follows the launch or teardown that runs now (started before this page was shown): its events
 * so far, then each new one, arrive on `onEvent`. Resolves with what runs, or null.
 */
export function watchLaunch(onEvent: (event: LaunchEvent) => void): Promise<ActiveRun | null> {
  return call<ActiveRun | null>('watch_launch', { channel: eventChannel(onEvent) });
}

/** What tearing `app` down would remove (and keep). Changes nothing. */
export function planTeardown(app: string): Promise<TeardownPlan> {
  return call<TeardownPlan>('plan_teardown', { app });
}

/** Removes what Berth created for `app`, streaming one event per resource. */
export function startTeardown(app: string, onEvent: (event: LaunchEvent) => void): Promise<TeardownPlan> {
  return call<TeardownPlan>('start_teardown', { app, channel: eventChannel(onEvent) });
}

/** Opens a running task's `http://IP:port` in the browser. */
export function openAddress(url: string): Promise<void> {
  return call<void>('open_address', { url });
}
