//! The TypeScript types of everything that crosses IPC, generated from these Rust types with
//! ts-rs and committed under `ui/src/ipc/bindings/`. The test below fails when a committed file
//! is stale; `BERTH_UPDATE_BINDINGS=1 cargo test -p berth-core bindings` rewrites them.

use ts_rs::{Config, TS};

/// One generated file: its name and its content.
pub struct Binding {
    pub file: String,
    pub content: String,
}

fn binding<T: TS + 'static + ?Sized>(config: &Config) -> Binding {
    Binding {
        file: format!("{}.ts", T::ident(config)),
        content: T::export_to_string(config).expect("ts-rs export"),
    }
}

/// Every type the UI sees, with the types they reference.
pub fn all() -> Vec<Binding> {
    use crate::aws::{profiles, sts};
    use crate::steps::iam;
    use crate::steps::launch;
    let config = Config::default();
    let c = &config;
    vec![
        binding::<crate::activity::ActivityStatus>(c),
        binding::<crate::activity::ActivityEntry>(c),
        binding::<crate::pricing::PriceSource>(c),
        binding::<crate::error::ErrorKind>(c),
        binding::<crate::error::BerthError>(c),
        binding::<crate::progress::Progress>(c),
        binding::<crate::progress::LayerProgress>(c),
        binding::<crate::progress::LayerState>(c),
        binding::<crate::progress::BuildVertex>(c),
        binding::<crate::progress::VertexState>(c),
        binding::<crate::docker::DockerEngine>(c),
        binding::<crate::docker::DockerStatus>(c),
        binding::<crate::docker::HostSource>(c),
        binding::<crate::docker::discovery::DockerContext>(c),
        binding::<crate::docker::DockerContexts>(c),
        binding::<profiles::AwsProfileKind>(c),
        binding::<profiles::AwsProfileSummary>(c),
        binding::<profiles::RegionSource>(c),
        binding::<profiles::AwsConfigSummary>(c),
        binding::<sts::CallerIdentity>(c),
        binding::<crate::app_info::AppInfo>(c),
        binding::<crate::settings::IdentitySource>(c),
        binding::<crate::settings::PracticeMode>(c),
        binding::<crate::settings::AccountSettings>(c),
        binding::<crate::settings::SavedIdentity>(c),
        binding::<crate::settings::PushedImage>(c),
        binding::<crate::settings::WizardSettings>(c),
        binding::<crate::settings::Theme>(c),
        binding::<crate::settings::Language>(c),
        binding::<crate::settings::Preferences>(c),
        binding::<crate::steps::account::NewIdentity>(c),
        binding::<crate::steps::account::PrincipalKind>(c),
        binding::<crate::steps::account::VerifiedIdentity>(c),
        binding::<crate::steps::account::AccountOverview>(c),
        binding::<crate::permissions::PermissionGroup>(c),
        binding::<iam::Decision>(c),
        binding::<iam::ActionCheck>(c),
        binding::<iam::GroupCheck>(c),
        binding::<iam::UnknownReason>(c),
        binding::<iam::PermissionReport>(c),
        binding::<iam::RoleState>(c),
        binding::<iam::RoleProblem>(c),
        binding::<iam::RoleStatus>(c),
        binding::<iam::RoleChange>(c),
        binding::<iam::DeployUserState>(c),
        binding::<iam::DeployUserPlan>(c),
        binding::<iam::DeployUserRequest>(c),
        binding::<iam::DeployUserOutcome>(c),
        binding::<crate::steps::status_cost::RunningCost>(c),
        binding::<crate::steps::status::ContainerStatus>(c),
        binding::<crate::steps::status::TaskStatus>(c),
        binding::<crate::steps::status::DeploymentStatus>(c),
        binding::<crate::steps::status::ServiceEventLine>(c),
        binding::<crate::steps::status::ServiceStatus>(c),
        binding::<crate::steps::status::ClusterStatus>(c),
        binding::<crate::steps::status::DeploymentsSnapshot>(c),
        binding::<crate::steps::status::StatusEvent>(c),
        binding::<crate::monitor::MonitorState>(c),
        binding::<crate::steps::service_actions::TagDeployment>(c),
        binding::<crate::aws::log_events::LogStreamRef>(c),
        binding::<crate::aws::log_events::LogLine>(c),
        binding::<crate::aws::log_events::LogPage>(c),
        binding::<crate::aws::log_events::LogRequest>(c),
        binding::<crate::aws::metrics::MetricRange>(c),
        binding::<crate::aws::metrics::MetricPoint>(c),
        binding::<crate::aws::metrics::ServiceMetrics>(c),
        binding::<crate::aws::ecr::TagMutability>(c),
        binding::<crate::aws::ecr::Encryption>(c),
        binding::<crate::aws::ecr::RepositorySummary>(c),
        binding::<crate::aws::ecr::ImageSummary>(c),
        binding::<crate::aws::ecr::ImageFailure>(c),
        binding::<crate::ecr_lifecycle::LifecycleRule>(c),
        binding::<crate::ecr_lifecycle::LifecycleSummary>(c),
        binding::<crate::steps::repository::NewRepository>(c),
        binding::<crate::steps::repository::RepositoryDetails>(c),
        binding::<crate::steps::repository::CreatedRepository>(c),
        binding::<crate::steps::repositories::EcrPricing>(c),
        binding::<crate::steps::repositories::RepositoryList>(c),
        binding::<crate::steps::repositories::RepositoryRef>(c),
        binding::<crate::steps::repositories::RepositoryUsage>(c),
        binding::<crate::steps::repositories::RepositoryDeletion>(c),
        binding::<crate::steps::repositories::ImageDeletion>(c),
        binding::<crate::steps::repositories::PlannedAction>(c),
        binding::<crate::fargate::FargateCpu>(c),
        binding::<crate::fargate::Architecture>(c),
        binding::<crate::pricing::CostEstimate>(c),
        binding::<launch::LaunchMode>(c),
        binding::<launch::EnvVar>(c),
        binding::<launch::Ingress>(c),
        binding::<launch::NetworkChoice>(c),
        binding::<launch::LaunchChoices>(c),
        binding::<launch::LaunchConfig>(c),
        binding::<launch::Names>(c),
        binding::<launch::LaunchOverview>(c),
        binding::<launch::network::SubnetInfo>(c),
        binding::<launch::network::VpcInfo>(c),
        binding::<launch::network::NetworkOverview>(c),
        binding::<launch::explain::StopCause>(c),
        binding::<launch::explain::Diagnosis>(c),
        binding::<launch::timeline::ResourceKind>(c),
        binding::<launch::timeline::Outcome>(c),
        binding::<launch::timeline::TaskAddress>(c),
        binding::<launch::timeline::LaunchEvent>(c),
        binding::<launch::timeline::ActiveRun>(c),
        binding::<launch::resume::LaunchStatus>(c),
        binding::<launch::resume::RecordedResource>(c),
        binding::<launch::resume::LaunchRecord>(c),
        binding::<launch::plan::PlanAction>(c),
        binding::<launch::plan::Change>(c),
        binding::<launch::plan::PlanItem>(c),
        binding::<launch::plan::PlanNote>(c),
        binding::<launch::plan::LaunchPlan>(c),
        binding::<launch::teardown::TeardownAction>(c),
        binding::<launch::teardown::KeepReason>(c),
        binding::<launch::teardown::TeardownItem>(c),
        binding::<launch::teardown::TeardownPlan>(c),
        binding::<crate::image::context::ContextSummary>(c),
        binding::<crate::image::local::LocalImage>(c),
        binding::<crate::image::platform::Platform>(c),
        binding::<crate::image::run::LocalRun>(c),
        binding::<crate::steps::image::ImageStep>(c),
        binding::<crate::steps::image::FolderInfo>(c),
        binding::<crate::steps::image::BuildArg>(c),
        binding::<crate::steps::image::BuildRequest>(c),
        binding::<crate::steps::image::BuiltImage>(c),
        binding::<crate::steps::image::PushRequest>(c),
    ]
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    fn bindings_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/ipc/bindings")
    }

    #[test]
    fn committed_typescript_bindings_are_current() {
        let dir = bindings_dir();
        let update = std::env::var_os("BERTH_UPDATE_BINDINGS").is_some();
        let mut stale = Vec::new();
        let expected: Vec<_> = super::all();
        for b in &expected {
            let path = dir.join(&b.file);
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            if on_disk != b.content {
                if update {
                    std::fs::create_dir_all(&dir).unwrap();
                    std::fs::write(&path, &b.content).unwrap();
                } else {
                    stale.push(b.file.clone());
                }
            }
        }
        // A file for a type that no longer crosses IPC is stale too.
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".ts") && !expected.iter().any(|b| b.file == name) {
                if update {
                    std::fs::remove_file(dir.join(&name)).unwrap();
                } else {
                    stale.push(name);
                }
            }
        }
        assert!(
            stale.is_empty(),
            "stale TypeScript bindings in ui/src/ipc/bindings: {stale:?}; \
             run `BERTH_UPDATE_BINDINGS=1 cargo test -p berth-core bindings` and commit"
        );
    }
}
