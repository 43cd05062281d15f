// The only module that calls into Tauri. Every wrapper rejects with a BerthError.
import { Channel, invoke } from '@tauri-apps/api/core';
import { open as openDialog } from '@tauri-apps/plugin-dialog';
import type { ActivityEntry } from './bindings/ActivityEntry';
import type { AccountOverview } from './bindings/AccountOverview';
import type { AccountSettings } from './bindings/AccountSettings';
import type { AppInfo } from './bindings/AppInfo';
import type { AwsConfigSummary } from './bindings/AwsConfigSummary';
import type { DeployUserOutcome } from './bindings/DeployUserOutcome';
import type { DeployUserPlan } from './bindings/DeployUserPlan';
import type { DeployUserRequest } from './bindings/DeployUserRequest';
import type { CreatedRepository } from './bindings/CreatedRepository';
import type { DockerContexts } from './bindings/DockerContexts';
import type { DockerStatus } from './bindings/DockerStatus';
import type { ImageDeletion } from './bindings/ImageDeletion';
import type { ImageSummary } from './bindings/ImageSummary';
import type { LifecycleRule } from './bindings/LifecycleRule';
import type { LifecycleSummary } from './bindings/LifecycleSummary';
import type { NewIdentity } from './bindings/NewIdentity';
import type { PermissionReport } from './bindings/PermissionReport';
import type { RoleChange } from './bindings/RoleChange';
import type { RoleStatus } from './bindings/RoleStatus';
import type { NewRepository } from './bindings/NewRepository';
import type { PlannedAction } from './bindings/PlannedAction';
import type { RepositoryDeletion } from './bindings/RepositoryDeletion';
import type { RepositoryDetails } from './bindings/RepositoryDetails';
import type { RepositoryList } from './bindings/RepositoryList';
import type { RepositoryRef } from './bindings/RepositoryRef';
import type { RepositoryUsage } from './bindings/RepositoryUsage';
import type { VerifiedIdentity } from './bindings/VerifiedIdentity';
import type { WizardSettings } from './bindings/WizardSettings';
import type { LogPage } from './bindings/LogPage';
import type { LogRequest } from './bindings/LogRequest';
import type { LogStreamRef } from './bindings/LogStreamRef';
import type { MetricRange } from './bindings/MetricRange';
import type { MonitorState } from './bindings/MonitorState';
import type { Preferences } from './bindings/Preferences';
import type { ServiceMetrics } from './bindings/ServiceMetrics';
import type { TagDeployment } from './bindings/TagDeployment';
import type { ActiveRun } from './bindings/ActiveRun';
import type { CostEstimate } from './bindings/CostEstimate';
import type { LaunchChoices } from './bindings/LaunchChoices';
import type { LaunchEvent } from './bindings/LaunchEvent';
import type { LaunchOverview } from './bindings/LaunchOverview';
import type { LaunchPlan } from './bindings/LaunchPlan';
import type { LaunchRecord } from './bindings/LaunchRecord';
import type { NetworkOverview } from './bindings/NetworkOverview';
import type { TeardownPlan } from './bindings/TeardownPlan';
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

/** The docker CLI's contexts (`docker context ls`) and the one Berth uses. */
export function listDockerContexts(): Promise<DockerContexts> {
  return call<DockerContexts>('list_docker_contexts');
}

/** Uses docker context `name` from now on (null: as the docker command decides) and checks its engine. */
export function chooseDockerContext(name: string | null): Promise<DockerStatus> {
  return call<DockerStatus>('choose_docker_context', { name });
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

/**
 * What the identity in use may do, line by line, as IAM's policy simulator answers; lines it
 * cannot answer are `unknown`. `roleName` and `userName` name the resources the IAM lines are about.
 */
export function checkPermissions(roleName: string, userName: string): Promise<PermissionReport> {
  return call<PermissionReport>('check_permissions', { roleName, userName });
}

/** Whether the task execution role exists and is right, with the commands that would create or fix it. */
export function getExecutionRole(name: string): Promise<RoleStatus> {
  return call<RoleStatus>('get_execution_role', { name });
}

/** Creates the task execution role when missing; fixes it when it is wrong and `fix` is set. */
export function ensureExecutionRole(name: string, fix: boolean): Promise<RoleChange> {
  return call<RoleChange>('ensure_execution_role', { name, fix });
}

/** The deploy user's least-privilege policy and commands, shown before anything is created. */
export function planDeployUser(userName: string, roleName: string): Promise<DeployUserPlan> {
  return call<DeployUserPlan>('plan_deploy_user', { userName, roleName });
}

/**
 * Creates the deploy user and its access key, which goes straight to the keychain and becomes the
 * identity in use. The answer carries a masked key id, never the secret.
 */
export function createDeployUser(request: DeployUserRequest): Promise<DeployUserOutcome> {
  return call<DeployUserOutcome>('create_deploy_user', { request });
}

/**
 * Calls `onState` with every state of the refresh loop behind the Deployments view (a refresh
 * started, a snapshot arrived, a refresh failed) and returns the current one.
 */
export function watchDeployments(onState: (state: MonitorState) => void): Promise<MonitorState> {
  const channel = new Channel<MonitorState>();
  channel.onmessage = onState;
  return call<MonitorState>('watch_deployments', { channel });
}

/** Tells the refresh loop whether the Deployments view is on screen (it pauses when nothing shows it). */
export function showDeployments(visible: boolean): Promise<void> {
  return call<void>('show_deployments', { visible });
}

/** Refreshes the Deployments view now; the result arrives over the watch channel. */
export function refreshDeployments(): Promise<void> {
  return call<void>('refresh_deployments');
}

/** Sets how many tasks a service keeps running (UpdateService --desired-count). */
export function scaleService(cluster: string, service: string, desired: number): Promise<void> {
  return call<void>('scale_service', { cluster, service, desired });
}

/** Replaces every task of a service with a fresh one (UpdateService --force-new-deployment). */
export function redeployService(cluster: string, service: string): Promise<void> {
  return call<void>('redeploy_service', { cluster, service });
}

/** Runs another tag of the same image: a new task definition revision, then UpdateService. */
export function deployImageTag(cluster: string, service: string, tag: string): Promise<TagDeployment> {
  return call<TagDeployment>('deploy_image_tag', { cluster, service, tag });
}

/** Deletes a service and stops its tasks (DeleteService --force). */
export function deleteService(cluster: string, service: string): Promise<void> {
  return call<void>('delete_service', { cluster, service });
}

/** Stops one task (StopTask, with a reason that marks it as the user's own doing). */
export function stopTask(cluster: string, task: string): Promise<void> {
  return call<void>('stop_task', { cluster, task });
}

/** The CloudWatch log streams of a task's containers. */
export function listTaskLogStreams(taskDefinitionArn: string, taskId: string): Promise<LogStreamRef[]> {
  return call<LogStreamRef[]>('list_task_log_streams', { taskDefinitionArn, taskId });
}

/** A page of a log stream: the newest lines, the page a token points to, or search results. */
export function readTaskLogs(request: LogRequest): Promise<LogPage> {
  return call<LogPage>('read_task_logs', { request });
}

/** A service's CPU and memory utilisation over the last hour or day (CloudWatch). */
export function readServiceMetrics(cluster: string, service: string, range: MetricRange): Promise<ServiceMetrics> {
  return call<ServiceMetrics>('read_service_metrics', { cluster, service, range });
}

/** Language, theme, refresh interval and tray choices. */
export function getPreferences(): Promise<Preferences> {
  return call<Preferences>('get_preferences');
}

/** Checks and remembers the preferences; the refresh loop and tray follow them at once. */
export function updatePreferences(preferences: Preferences): Promise<Preferences> {
  return call<Preferences>('update_preferences', { preferences });
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
