// The only module that calls into Tauri. Every wrapper rejects with a BerthError.
import { Channel, invoke } from '@tauri-apps/api/core';
import type { ActivityEntry } from './bindings/ActivityEntry';
import type { AccountOverview } from './bindings/AccountOverview';
import type { AccountSettings } from './bindings/AccountSettings';
import type { AppInfo } from './bindings/AppInfo';
import type { AwsConfigSummary } from './bindings/AwsConfigSummary';
import type { CreatedRepository } from './bindings/CreatedRepository';
import type { DockerStatus } from './bindings/DockerStatus';
import type { ImageDeletion } from './bindings/ImageDeletion';
import type { ImageSummary } from './bindings/ImageSummary';
import type { LifecycleRule } from './bindings/LifecycleRule';
import type { LifecycleSummary } from './bindings/LifecycleSummary';
import type { NewIdentity } from './bindings/NewIdentity';
import type { NewRepository } from './bindings/NewRepository';
import type { PlannedAction } from './bindings/PlannedAction';
import type { RepositoryDeletion } from './bindings/RepositoryDeletion';
import type { RepositoryDetails } from './bindings/RepositoryDetails';
import type { RepositoryList } from './bindings/RepositoryList';
import type { RepositoryRef } from './bindings/RepositoryRef';
import type { RepositoryUsage } from './bindings/RepositoryUsage';
import type { VerifiedIdentity } from './bindings/VerifiedIdentity';
import type { WizardSettings } from './bindings/WizardSettings';
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

/** Every ECR repository in the region (all pages), sorted by name, with the storage price. */
export function listRepositories(): Promise<RepositoryList> {
  return call<RepositoryList>('list_repositories');
}

/** Image counts, sizes, costs and Berth's tags of these repositories, in the order asked. */
export function getRepositoryUsage(repositories: RepositoryRef[]): Promise<RepositoryUsage[]> {
  return call<RepositoryUsage[]>('get_repository_usage', { repositories });
}

/** One repository with its lifecycle policy and whether Berth made it. */
export function getRepository(name: string): Promise<RepositoryDetails> {
  return call<RepositoryDetails>('get_repository', { name });
}

/** The images of a repository, newest first. */
export function listRepositoryImages(name: string): Promise<ImageSummary[]> {
  return call<ImageSummary[]>('list_repository_images', { name });
}

/** Creates a repository (then its lifecycle policy) and remembers it for the wizard. */
export function createRepository(repository: NewRepository): Promise<CreatedRepository> {
  return call<CreatedRepository>('create_repository', { repository });
}

/** Picks an existing repository for the wizard, after checking it exists. */
export function chooseRepository(name: string): Promise<RepositoryDetails> {
  return call<RepositoryDetails>('choose_repository', { name });
}

/** Sets Berth's cleanup rule on a repository, replacing its lifecycle policy. */
export function putLifecycleRule(name: string, rule: LifecycleRule): Promise<LifecycleSummary> {
  return call<LifecycleSummary>('put_lifecycle_rule', { name, rule });
}

/**
 * Deletes a repository. One that holds images is deleted only with `confirmation` equal to its
 * name (typed by the user); without it the answer is `needsConfirmation` and nothing is deleted.
 */
export function deleteRepository(name: string, confirmation: string | null): Promise<RepositoryDeletion> {
  return call<RepositoryDeletion>('delete_repository', { name, confirmation });
}

/** Deletes these images (by digest, with all their tags) from a repository. */
export function deleteRepositoryImages(repository: string, digests: string[]): Promise<ImageDeletion> {
  return call<ImageDeletion>('delete_repository_images', { repository, digests });
}

/** The `aws ecr …` commands an action would run, exactly as they will be recorded. */
export function previewEcrCommands(action: PlannedAction): Promise<string[]> {
  return call<string[]>('preview_ecr_commands', { action });
}
