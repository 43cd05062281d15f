// Every command the window may call: the one list. `build.rs` reads it to make the window's
// permission set (permissions/commands.toml), `commands/mod.rs` registers a handler for each,
// and a test writes the UI's typed calls from it (ui/src/ipc/commands.ts). An entry
// `fn name(arg: Type) -> Answer;` is implemented by `commands::<section>::name(app, arg)`; an
// entry ending in `=> Event` also takes a channel that streams `Event`s to the window.
berth_commands! {
    environment {
        /// Whether a Docker engine answers, and which one. Never rejects for an absent engine: that is a status.
        fn probe_docker() -> DockerStatus;
        /// The docker CLI's contexts, and the one Berth uses and why.
        fn list_docker_contexts() -> DockerContexts;
        /// Uses context `name` from now on (`null`: as the docker CLI decides), remembers it, and checks the engine it leads to.
        fn choose_docker_context(name: Option<String>) -> DockerStatus;
        /// Profiles, regions and the default region found in ~/.aws/config and ~/.aws/credentials.
        fn read_aws_config() -> AwsConfigSummary;
        /// Berth's version and the platform it runs on.
        fn app_info() -> AppInfo;
    }
    account {
        /// The saved account settings, the keys in the keychain (masked), profiles and regions to offer.
        fn get_account() -> AccountOverview;
        /// Stores a typed key pair in the system keychain and selects it. The secret goes one way only: the answer carries a masked key id, never the secret.
        fn save_identity(identity: NewIdentity) -> AccountOverview;
        /// Deletes a saved key pair from the keychain and forgets it.
        fn remove_identity(name: String) -> AccountOverview;
        /// Remembers the identity choice, region and practice mode (checks the practice fields).
        fn update_account(account: AccountSettings) -> AccountOverview;
        /// Asks AWS (STS GetCallerIdentity) who the saved settings sign in as; refuses root keys.
        fn verify_account() -> VerifiedIdentity;
        /// Starts a browser sign-in (as `aws login`): opens AWS's sign-in page, waits for the browser, and records the sign-in as a `login_session` profile, which becomes the identity in use. Follow the job for the page's address and the outcome; cancel it to stop waiting.
        fn start_browser_sign_in(request: SignInRequest) -> JobId;
    }
    practice {
        /// Whether Berth's own practice backend runs, where, and whether earlier practice data is kept.
        fn practice_status() -> PracticeStatus;
        /// What practice mode needs that is not installed, and the one command that installs it.
        fn check_practice_parts() -> PartsReport;
        /// Starts the practice backend and its registry on loopback ports and switches Berth to practice (no AWS account needed).
        fn start_practice() -> AccountOverview;
        /// Leaves practice: stops the practice backend (its data is kept for the next start) and turns practice mode off.
        fn stop_practice() -> AccountOverview;
        /// Forgets everything made in practice (its containers, accounts, images, wizard state and launch records) and leaves practice.
        fn reset_practice() -> AccountOverview;
    }
    activity {
        /// The newest entries of the activity log, oldest first, and the reads tallied since start.
        fn list_activity() -> ActivityView;
        /// Forgets every entry of the activity log.
        fn clear_activity() -> ();
    }
    wizard {
        /// The execution role, repository and image the earlier steps left ready.
        fn get_wizard() -> WizardSettings;
    }
    iam {
        /// The permission checklist for the identity in use.
        fn check_permissions(role_name: String, user_name: String) -> PermissionReport;
        /// Whether the task execution role exists and is usable.
        fn get_execution_role(name: String) -> RoleStatus;
        /// Creates the task execution role, or fixes it when `fix` is set.
        fn ensure_execution_role(name: String, fix: bool) -> RoleChange;
        /// Whether the ECS Express Mode infrastructure role (for a stable HTTPS address) exists and is usable.
        fn get_infrastructure_role() -> InfrastructureRoleStatus;
        /// Creates the infrastructure role with its managed policy when it is missing (tagged as Berth's); leaves a ready role, or someone else's, as it is.
        fn ensure_infrastructure_role() -> InfrastructureRoleChange;
        /// The deploy user's policy and commands, shown before anything is created.
        fn plan_deploy_user(user_name: String, role_name: String) -> DeployUserPlan;
        /// Creates the deploy user; its key goes to the keychain and becomes the identity in use. Only the masked key id comes back.
        fn create_deploy_user(request: DeployUserRequest) -> DeployUserOutcome;
    }
    repository {
        /// One repository with its lifecycle policy and whether Berth made it.
        fn get_repository(name: String) -> RepositoryDetails;
        /// Creates a repository and remembers it as the wizard's.
        fn create_repository(repository: NewRepository) -> CreatedRepository;
        /// Picks an existing repository for the wizard (after checking it is there).
        fn choose_repository(name: String) -> RepositoryDetails;
        /// Sets Berth's cleanup rule on a repository.
        fn put_lifecycle_rule(name: String, rule: LifecycleRule) -> LifecycleSummary;
    }
    repository_list {
        /// Every repository in the region, with the storage price.
        fn list_repositories() -> RepositoryList;
        /// Image counts, sizes and costs of some repositories (the rows the list shows first).
        fn get_repository_usage(repositories: Vec<RepositoryRef>) -> Vec<RepositoryUsage>;
        /// The images of a repository, newest first.
        fn list_repository_images(name: String) -> Vec<ImageSummary>;
        /// Deletes a repository; one with images only with its name typed as `confirmation`.
        fn delete_repository(name: String, confirmation: Option<String>) -> RepositoryDeletion;
        /// Deletes images (every tag of each) by digest.
        fn delete_repository_images(repository: String, digests: Vec<String>) -> ImageDeletion;
        /// The `aws` commands an action would run, to show before the user confirms it.
        fn preview_ecr_commands(action: PlannedAction) -> Vec<String>;
    }
    image {
        /// What the Image step remembers and suggests.
        fn get_image_step() -> ImageStep;
        /// What a build of this folder would send, and the tag to suggest.
        fn inspect_build_folder(folder: String, dockerfile: Option<String>) -> FolderInfo;
        /// The images in the local Docker engine.
        fn list_local_images() -> Vec<LocalImage>;
        /// Starts building a folder; follow the job for its log and the built image.
        fn build_image(request: BuildRequest) -> JobId;
        /// Starts pushing to the chosen repository; follow the job for the layers and the pushed image (which the Launch step then uses).
        fn push_image(request: PushRequest) -> JobId;
        /// Runs the image locally with its port on 127.0.0.1.
        fn start_local_run(image: String, container_port: u16, host_port: u16) -> LocalRun;
        /// Starts following a local run's output until it stops.
        fn watch_local_run(container_id: String) -> JobId;
        /// Stops a local run.
        fn stop_local_run(container_id: String) -> ();
        /// Opens http://127.0.0.1:PORT/ in the browser.
        fn open_local_app(port: u16) -> ();
    }
    launch {
        /// The Launch step's choices, defaults and the record of an unfinished launch.
        fn get_launch() -> LaunchOverview;
        /// The monthly cost of these choices, when Berth has prices for the region.
        fn estimate_launch_cost(choices: LaunchChoices) -> Option<CostEstimate>;
        /// The region's VPCs and subnets, and which are public.
        fn get_launch_network() -> NetworkOverview;
        /// The user's public address as a /32, for "my IP only".
        fn detect_my_ip() -> String;
        /// What a launch would create, reuse or update, with the commands and the cost. Changes nothing.
        fn plan_launch(choices: LaunchChoices) -> LaunchPlan;
        /// Starts a launch; follow the job for its timeline.
        fn start_launch(choices: LaunchChoices) -> JobId;
        /// Continues an unfinished launch with the choices it was started with.
        fn resume_launch(name: String) -> JobId;
        /// What tearing an app down would remove. Changes nothing.
        fn plan_teardown(name: String) -> TeardownPlan;
        /// Starts tearing an app down; follow the job for its timeline.
        fn start_teardown(name: String, remove: SharedRemovals) -> JobId;
        /// Opens a running task's address in the browser.
        fn open_address(url: String) -> ();
    }
    deployments {
        /// Whether the Deployments view is on screen (it refreshes while it is, or while the tray is on).
        fn show_deployments(visible: bool) -> ();
        /// Refreshes the Deployments view now.
        fn refresh_deployments() -> ();
        /// Sets how many tasks a service keeps running.
        fn scale_service(cluster: String, service: String, desired: i32) -> ();
        /// Replaces every task of a service with a new one of the same definition and image (a restart).
        fn redeploy_service(cluster: String, service: String) -> ();
        /// Deploys another tag of the service's image.
        fn deploy_image_tag(cluster: String, service: String, tag: String) -> TagDeployment;
        /// The newest ACTIVE revisions of the service's task definition family: image (digest and tags), when and by whom each was registered, and which one runs now.
        fn list_revisions(cluster: String, service: String) -> RevisionList;
        /// Rolls the service back to an earlier ACTIVE revision of its family, checked before anything changes; follow the job for its timeline until the new deployment completes or fails.
        fn start_rollback(cluster: String, service: String, task_definition: String) -> JobId;
        /// The secrets of the task definition a service runs now: variable and parameter names, never values.
        fn list_service_secrets(cluster: String, service: String) -> Vec<ServiceSecret>;
        /// Stores a new value of one of the service's secrets (SSM PutParameter, overwrite) and starts a new deployment so its tasks read it. The value goes one way only.
        fn change_service_secret(cluster: String, service: String, name: String, value: String) -> ();
        /// Deletes a service and stops its tasks.
        fn delete_service(cluster: String, service: String) -> ();
        /// Stops one task.
        fn stop_task(cluster: String, task: String) -> ();
        /// The CloudWatch log streams of a task's containers.
        fn list_task_log_streams(task_definition_arn: String, task_id: String) -> Vec<LogStreamRef>;
        /// A page of a log stream: the newest lines, an earlier or later page, or search results.
        fn read_task_logs(request: LogRequest) -> LogPage;
        /// CPU and memory utilisation of a service over the last hour or day.
        fn read_service_metrics(cluster: String, service: String, range: MetricRange) -> ServiceMetrics;
    }
    settings {
        /// Language, theme, refresh interval, tray and notifications.
        fn get_preferences() -> Preferences;
        /// Checks and remembers the preferences, and applies them to the refresh loop and the tray.
        fn update_preferences(preferences: Preferences) -> Preferences;
        /// Whether this desktop has a tray host and a notification service; without them Berth cannot stay in a tray or notify.
        fn desktop_support() -> DesktopSupport;
    }
    jobs {
        /// Every job still known (running, or finished and kept for a page that comes back).
        fn list_jobs() -> Vec<JobSummary>;
        /// Sends the job's events so far, then every new one, under `watcher` (a page's name; attaching again replaces). `null` when there is no such job.
        fn attach_job(id: String, watcher: String) -> Option<JobSummary> => JobEvent;
        /// Stops sending a job's events to `watcher`. Never stops the job.
        fn detach_job(id: String, watcher: String) -> ();
        /// Stops a running job at its next step (nothing done is undone); false when it had ended.
        fn cancel_job(id: String) -> bool;
    }
}
