// Written from src-tauri/src/commands/list.rs by the `typescript` test of the berth crate; do not
// edit. The only module that calls into Tauri: every function rejects with a BerthError.
import { Channel, invoke } from '@tauri-apps/api/core';
import type { AccountOverview } from './bindings/AccountOverview';
import type { AccountSettings } from './bindings/AccountSettings';
import type { ActivityView } from './bindings/ActivityView';
import type { AppInfo } from './bindings/AppInfo';
import type { AwsConfigSummary } from './bindings/AwsConfigSummary';
import type { BuildRequest } from './bindings/BuildRequest';
import type { CostEstimate } from './bindings/CostEstimate';
import type { CreatedRepository } from './bindings/CreatedRepository';
import type { DeployUserOutcome } from './bindings/DeployUserOutcome';
import type { DeployUserPlan } from './bindings/DeployUserPlan';
import type { DeployUserRequest } from './bindings/DeployUserRequest';
import type { DesktopSupport } from './bindings/DesktopSupport';
import type { DockerContexts } from './bindings/DockerContexts';
import type { DockerStatus } from './bindings/DockerStatus';
import type { FolderInfo } from './bindings/FolderInfo';
import type { ImageDeletion } from './bindings/ImageDeletion';
import type { ImageStep } from './bindings/ImageStep';
import type { ImageSummary } from './bindings/ImageSummary';
import type { InfrastructureRoleChange } from './bindings/InfrastructureRoleChange';
import type { InfrastructureRoleStatus } from './bindings/InfrastructureRoleStatus';
import type { JobEvent } from './bindings/JobEvent';
import type { JobSummary } from './bindings/JobSummary';
import type { LaunchChoices } from './bindings/LaunchChoices';
import type { LaunchOverview } from './bindings/LaunchOverview';
import type { LaunchPlan } from './bindings/LaunchPlan';
import type { LifecycleRule } from './bindings/LifecycleRule';
import type { LifecycleSummary } from './bindings/LifecycleSummary';
import type { LocalImage } from './bindings/LocalImage';
import type { LocalRun } from './bindings/LocalRun';
import type { LogPage } from './bindings/LogPage';
import type { LogRequest } from './bindings/LogRequest';
import type { LogStreamRef } from './bindings/LogStreamRef';
import type { MetricRange } from './bindings/MetricRange';
import type { NetworkOverview } from './bindings/NetworkOverview';
import type { NewIdentity } from './bindings/NewIdentity';
import type { NewRepository } from './bindings/NewRepository';
import type { PartsReport } from './bindings/PartsReport';
import type { PermissionReport } from './bindings/PermissionReport';
import type { PlannedAction } from './bindings/PlannedAction';
import type { PracticeStatus } from './bindings/PracticeStatus';
import type { Preferences } from './bindings/Preferences';
import type { PushRequest } from './bindings/PushRequest';
import type { RepositoryDeletion } from './bindings/RepositoryDeletion';
import type { RepositoryDetails } from './bindings/RepositoryDetails';
import type { RepositoryList } from './bindings/RepositoryList';
import type { RepositoryRef } from './bindings/RepositoryRef';
import type { RepositoryUsage } from './bindings/RepositoryUsage';
import type { RevisionList } from './bindings/RevisionList';
import type { RoleChange } from './bindings/RoleChange';
import type { RoleStatus } from './bindings/RoleStatus';
import type { ServiceMetrics } from './bindings/ServiceMetrics';
import type { ServiceSecret } from './bindings/ServiceSecret';
import type { SharedRemovals } from './bindings/SharedRemovals';
import type { SignInRequest } from './bindings/SignInRequest';
import type { TagDeployment } from './bindings/TagDeployment';
import type { TeardownPlan } from './bindings/TeardownPlan';
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

/**
 * Whether a Docker engine answers, and which one. Never rejects for an absent engine: that is a status.
 */
export function probeDocker(): Promise<DockerStatus> {
  return call<DockerStatus>('probe_docker');
}

/**
 * The docker CLI's contexts, and the one Berth uses and why.
 */
export function listDockerContexts(): Promise<DockerContexts> {
  return call<DockerContexts>('list_docker_contexts');
}

/**
 * Uses context `name` from now on (`null`: as the docker CLI decides), remembers it, and checks the engine it leads to.
 */
export function chooseDockerContext(name: string | null): Promise<DockerStatus> {
  return call<DockerStatus>('choose_docker_context', { name });
}

/**
 * Profiles, regions and the default region found in ~/.aws/config and ~/.aws/credentials.
 */
export function readAwsConfig(): Promise<AwsConfigSummary> {
  return call<AwsConfigSummary>('read_aws_config');
}

/**
 * Berth's version and the platform it runs on.
 */
export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>('app_info');
}

/**
 * The saved account settings, the keys in the keychain (masked), profiles and regions to offer.
 */
export function getAccount(): Promise<AccountOverview> {
  return call<AccountOverview>('get_account');
}

/**
 * Stores a typed key pair in the system keychain and selects it. The secret goes one way only: the answer carries a masked key id, never the secret.
 */
export function saveIdentity(identity: NewIdentity): Promise<AccountOverview> {
  return call<AccountOverview>('save_identity', { identity });
}

/**
 * Deletes a saved key pair from the keychain and forgets it.
 */
export function removeIdentity(name: string): Promise<AccountOverview> {
  return call<AccountOverview>('remove_identity', { name });
}

/**
 * Remembers the identity choice, region and practice mode (checks the practice fields).
 */
export function updateAccount(account: AccountSettings): Promise<AccountOverview> {
  return call<AccountOverview>('update_account', { account });
}

/**
 * Asks AWS (STS GetCallerIdentity) who the saved settings sign in as; refuses root keys.
 */
export function verifyAccount(): Promise<VerifiedIdentity> {
  return call<VerifiedIdentity>('verify_account');
}

/**
 * Starts a browser sign-in (as `aws login`): opens AWS's sign-in page, waits for the browser, and records the sign-in as a `login_session` profile, which becomes the identity in use. Follow the job for the page's address and the outcome; cancel it to stop waiting.
 */
export function startBrowserSignIn(request: SignInRequest): Promise<string> {
  return call<string>('start_browser_sign_in', { request });
}

/**
 * Whether Berth's own practice backend runs, where, and whether earlier practice data is kept.
 */
export function practiceStatus(): Promise<PracticeStatus> {
  return call<PracticeStatus>('practice_status');
}

/**
 * What practice mode needs that is not installed, and the one command that installs it.
 */
export function checkPracticeParts(): Promise<PartsReport> {
  return call<PartsReport>('check_practice_parts');
}

/**
 * Starts the practice backend and its registry on loopback ports and switches Berth to practice (no AWS account needed).
 */
export function startPractice(): Promise<AccountOverview> {
  return call<AccountOverview>('start_practice');
}

/**
 * Leaves practice: stops the practice backend (its data is kept for the next start) and turns practice mode off.
 */
export function stopPractice(): Promise<AccountOverview> {
  return call<AccountOverview>('stop_practice');
}

/**
 * Forgets everything made in practice (its containers, accounts, images, wizard state and launch records) and leaves practice.
 */
export function resetPractice(): Promise<AccountOverview> {
  return call<AccountOverview>('reset_practice');
}

/**
 * The newest entries of the activity log, oldest first, and the reads tallied since start.
 */
export function listActivity(): Promise<ActivityView> {
  return call<ActivityView>('list_activity');
}

/**
 * Forgets every entry of the activity log.
 */
export function clearActivity(): Promise<void> {
  return call<void>('clear_activity');
}

/**
 * The execution role, repository and image the earlier steps left ready.
 */
export function getWizard(): Promise<WizardSettings> {
  return call<WizardSettings>('get_wizard');
}

/**
 * The permission checklist for the identity in use.
 */
export function checkPermissions(roleName: string, userName: string): Promise<PermissionReport> {
  return call<PermissionReport>('check_permissions', { roleName, userName });
}

/**
 * Whether the task execution role exists and is usable.
 */
export function getExecutionRole(name: string): Promise<RoleStatus> {
  return call<RoleStatus>('get_execution_role', { name });
}

/**
 * Creates the task execution role, or fixes it when `fix` is set.
 */
export function ensureExecutionRole(name: string, fix: boolean): Promise<RoleChange> {
  return call<RoleChange>('ensure_execution_role', { name, fix });
}

/**
 * Whether the ECS Express Mode infrastructure role (for a stable HTTPS address) exists and is usable.
 */
export function getInfrastructureRole(): Promise<InfrastructureRoleStatus> {
  return call<InfrastructureRoleStatus>('get_infrastructure_role');
}

/**
 * Creates the infrastructure role with its managed policy when it is missing (tagged as Berth's); leaves a ready role, or someone else's, as it is.
 */
export function ensureInfrastructureRole(): Promise<InfrastructureRoleChange> {
  return call<InfrastructureRoleChange>('ensure_infrastructure_role');
}

/**
 * The deploy user's policy and commands, shown before anything is created.
 */
export function planDeployUser(userName: string, roleName: string): Promise<DeployUserPlan> {
  return call<DeployUserPlan>('plan_deploy_user', { userName, roleName });
}

/**
 * Creates the deploy user; its key goes to the keychain and becomes the identity in use. Only the masked key id comes back.
 */
export function createDeployUser(request: DeployUserRequest): Promise<DeployUserOutcome> {
  return call<DeployUserOutcome>('create_deploy_user', { request });
}

/**
 * One repository with its lifecycle policy and whether Berth made it.
 */
export function getRepository(name: string): Promise<RepositoryDetails> {
  return call<RepositoryDetails>('get_repository', { name });
}

/**
 * Creates a repository and remembers it as the wizard's.
 */
export function createRepository(repository: NewRepository): Promise<CreatedRepository> {
  return call<CreatedRepository>('create_repository', { repository });
}

/**
 * Picks an existing repository for the wizard (after checking it is there).
 */
export function chooseRepository(name: string): Promise<RepositoryDetails> {
  return call<RepositoryDetails>('choose_repository', { name });
}

/**
 * Sets Berth's cleanup rule on a repository.
 */
export function putLifecycleRule(name: string, rule: LifecycleRule): Promise<LifecycleSummary> {
  return call<LifecycleSummary>('put_lifecycle_rule', { name, rule });
}

/**
 * Every repository in the region, with the storage price.
 */
export function listRepositories(): Promise<RepositoryList> {
  return call<RepositoryList>('list_repositories');
}

/**
 * Image counts, sizes and costs of some repositories (the rows the list shows first).
 */
export function getRepositoryUsage(repositories: Array<RepositoryRef>): Promise<Array<RepositoryUsage>> {
  return call<Array<RepositoryUsage>>('get_repository_usage', { repositories });
}

/**
 * The images of a repository, newest first.
 */
export function listRepositoryImages(name: string): Promise<Array<ImageSummary>> {
  return call<Array<ImageSummary>>('list_repository_images', { name });
}

/**
 * Deletes a repository; one with images only with its name typed as `confirmation`.
 */
export function deleteRepository(name: string, confirmation: string | null): Promise<RepositoryDeletion> {
  return call<RepositoryDeletion>('delete_repository', { name, confirmation });
}

/**
 * Deletes images (every tag of each) by digest.
 */
export function deleteRepositoryImages(repository: string, digests: Array<string>): Promise<ImageDeletion> {
  return call<ImageDeletion>('delete_repository_images', { repository, digests });
}

/**
 * The `aws` commands an action would run, to show before the user confirms it.
 */
export function previewEcrCommands(action: PlannedAction): Promise<Array<string>> {
  return call<Array<string>>('preview_ecr_commands', { action });
}

/**
 * What the Image step remembers and suggests.
 */
export function getImageStep(): Promise<ImageStep> {
  return call<ImageStep>('get_image_step');
}

/**
 * What a build of this folder would send, and the tag to suggest.
 */
export function inspectBuildFolder(folder: string, dockerfile: string | null): Promise<FolderInfo> {
  return call<FolderInfo>('inspect_build_folder', { folder, dockerfile });
}

/**
 * The images in the local Docker engine.
 */
export function listLocalImages(): Promise<Array<LocalImage>> {
  return call<Array<LocalImage>>('list_local_images');
}

/**
 * Starts building a folder; follow the job for its log and the built image.
 */
export function buildImage(request: BuildRequest): Promise<string> {
  return call<string>('build_image', { request });
}

/**
 * Starts pushing to the chosen repository; follow the job for the layers and the pushed image (which the Launch step then uses).
 */
export function pushImage(request: PushRequest): Promise<string> {
  return call<string>('push_image', { request });
}

/**
 * Runs the image locally with its port on 127.0.0.1.
 */
export function startLocalRun(image: string, containerPort: number, hostPort: number): Promise<LocalRun> {
  return call<LocalRun>('start_local_run', { image, containerPort, hostPort });
}

/**
 * Starts following a local run's output until it stops.
 */
export function watchLocalRun(containerId: string): Promise<string> {
  return call<string>('watch_local_run', { containerId });
}

/**
 * Stops a local run.
 */
export function stopLocalRun(containerId: string): Promise<void> {
  return call<void>('stop_local_run', { containerId });
}

/**
 * Opens http://127.0.0.1:PORT/ in the browser.
 */
export function openLocalApp(port: number): Promise<void> {
  return call<void>('open_local_app', { port });
}

/**
 * The Launch step's choices, defaults and the record of an unfinished launch.
 */
export function getLaunch(): Promise<LaunchOverview> {
  return call<LaunchOverview>('get_launch');
}

/**
 * The monthly cost of these choices, when Berth has prices for the region.
 */
export function estimateLaunchCost(choices: LaunchChoices): Promise<CostEstimate | null> {
  return call<CostEstimate | null>('estimate_launch_cost', { choices });
}

/**
 * The region's VPCs and subnets, and which are public.
 */
export function getLaunchNetwork(): Promise<NetworkOverview> {
  return call<NetworkOverview>('get_launch_network');
}

/**
 * The user's public address as a /32, for "my IP only".
 */
export function detectMyIp(): Promise<string> {
  return call<string>('detect_my_ip');
}

/**
 * What a launch would create, reuse or update, with the commands and the cost. Changes nothing.
 */
export function planLaunch(choices: LaunchChoices): Promise<LaunchPlan> {
  return call<LaunchPlan>('plan_launch', { choices });
}

/**
 * Starts a launch; follow the job for its timeline.
 */
export function startLaunch(choices: LaunchChoices): Promise<string> {
  return call<string>('start_launch', { choices });
}

/**
 * Continues an unfinished launch with the choices it was started with.
 */
export function resumeLaunch(name: string): Promise<string> {
  return call<string>('resume_launch', { name });
}

/**
 * What tearing an app down would remove. Changes nothing.
 */
export function planTeardown(name: string): Promise<TeardownPlan> {
  return call<TeardownPlan>('plan_teardown', { name });
}

/**
 * Starts tearing an app down; follow the job for its timeline.
 */
export function startTeardown(name: string, remove: SharedRemovals): Promise<string> {
  return call<string>('start_teardown', { name, remove });
}

/**
 * Opens a running task's address in the browser.
 */
export function openAddress(url: string): Promise<void> {
  return call<void>('open_address', { url });
}

/**
 * Whether the Deployments view is on screen (it refreshes while it is, or while the tray is on).
 */
export function showDeployments(visible: boolean): Promise<void> {
  return call<void>('show_deployments', { visible });
}

/**
 * Refreshes the Deployments view now.
 */
export function refreshDeployments(): Promise<void> {
  return call<void>('refresh_deployments');
}

/**
 * Sets how many tasks a service keeps running.
 */
export function scaleService(cluster: string, service: string, desired: number): Promise<void> {
  return call<void>('scale_service', { cluster, service, desired });
}

/**
 * Replaces every task of a service with a new one of the same definition and image (a restart).
 */
export function redeployService(cluster: string, service: string): Promise<void> {
  return call<void>('redeploy_service', { cluster, service });
}

/**
 * Deploys another tag of the service's image.
 */
export function deployImageTag(cluster: string, service: string, tag: string): Promise<TagDeployment> {
  return call<TagDeployment>('deploy_image_tag', { cluster, service, tag });
}

/**
 * The newest ACTIVE revisions of the service's task definition family: image (digest and tags), when and by whom each was registered, and which one runs now.
 */
export function listRevisions(cluster: string, service: string): Promise<RevisionList> {
  return call<RevisionList>('list_revisions', { cluster, service });
}

/**
 * Rolls the service back to an earlier ACTIVE revision of its family, checked before anything changes; follow the job for its timeline until the new deployment completes or fails.
 */
export function startRollback(cluster: string, service: string, taskDefinition: string): Promise<string> {
  return call<string>('start_rollback', { cluster, service, taskDefinition });
}

/**
 * The secrets of the task definition a service runs now: variable and parameter names, never values.
 */
export function listServiceSecrets(cluster: string, service: string): Promise<Array<ServiceSecret>> {
  return call<Array<ServiceSecret>>('list_service_secrets', { cluster, service });
}

/**
 * Stores a new value of one of the service's secrets (SSM PutParameter, overwrite) and starts a new deployment so its tasks read it. The value goes one way only.
 */
export function changeServiceSecret(cluster: string, service: string, name: string, value: string): Promise<void> {
  return call<void>('change_service_secret', { cluster, service, name, value });
}

/**
 * Deletes a service and stops its tasks.
 */
export function deleteService(cluster: string, service: string): Promise<void> {
  return call<void>('delete_service', { cluster, service });
}

/**
 * Stops one task.
 */
export function stopTask(cluster: string, task: string): Promise<void> {
  return call<void>('stop_task', { cluster, task });
}

/**
 * The CloudWatch log streams of a task's containers.
 */
export function listTaskLogStreams(taskDefinitionArn: string, taskId: string): Promise<Array<LogStreamRef>> {
  return call<Array<LogStreamRef>>('list_task_log_streams', { taskDefinitionArn, taskId });
}

/**
 * A page of a log stream: the newest lines, an earlier or later page, or search results.
 */
export function readTaskLogs(request: LogRequest): Promise<LogPage> {
  return call<LogPage>('read_task_logs', { request });
}

/**
 * CPU and memory utilisation of a service over the last hour or day.
 */
export function readServiceMetrics(cluster: string, service: string, range: MetricRange): Promise<ServiceMetrics> {
  return call<ServiceMetrics>('read_service_metrics', { cluster, service, range });
}

/**
 * Language, theme, refresh interval, tray and notifications.
 */
export function getPreferences(): Promise<Preferences> {
  return call<Preferences>('get_preferences');
}

/**
 * Checks and remembers the preferences, and applies them to the refresh loop and the tray.
 */
export function updatePreferences(preferences: Preferences): Promise<Preferences> {
  return call<Preferences>('update_preferences', { preferences });
}

/**
 * Whether this desktop has a tray host and a notification service; without them Berth cannot stay in a tray or notify.
 */
export function desktopSupport(): Promise<DesktopSupport> {
  return call<DesktopSupport>('desktop_support');
}

/**
 * Every job still known (running, or finished and kept for a page that comes back).
 */
export function listJobs(): Promise<Array<JobSummary>> {
  return call<Array<JobSummary>>('list_jobs');
}

/**
 * Sends the job's events so far, then every new one, under `watcher` (a page's name; attaching again replaces). `null` when there is no such job.
 */
export function attachJob(id: string, watcher: string, onEvent: (event: JobEvent) => void): Promise<JobSummary | null> {
  const channel = new Channel<JobEvent>();
  channel.onmessage = onEvent;
  return call<JobSummary | null>('attach_job', { id, watcher, channel });
}

/**
 * Stops sending a job's events to `watcher`. Never stops the job.
 */
export function detachJob(id: string, watcher: string): Promise<void> {
  return call<void>('detach_job', { id, watcher });
}

/**
 * Stops a running job at its next step (nothing done is undone); false when it had ended.
 */
export function cancelJob(id: string): Promise<boolean> {
  return call<boolean>('cancel_job', { id });
}
