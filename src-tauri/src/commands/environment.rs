//! The first page: is Docker there (and which engine, of which docker context), what does
//! ~/.aws hold.

use crate::state::AppState;
use berth_core::app_info::AppInfo;
use berth_core::aws::profiles::{self, AwsConfigSummary};
use berth_core::docker::{self, DockerContexts, DockerStatus};
use berth_core::Result;
use tauri::{AppHandle, Manager};

pub async fn probe_docker(_: &AppHandle) -> Result<DockerStatus> {
    Ok(docker::probe().await)
}

pub async fn list_docker_contexts(_: &AppHandle) -> Result<DockerContexts> {
    Ok(docker::contexts())
}

/// Remembers the choice, makes every later connection use it, and checks the engine it leads to.
pub async fn choose_docker_context(app: &AppHandle, name: Option<String>) -> Result<DockerStatus> {
    let name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    app.state::<AppState>().update(|s| {
        s.docker.context = name.clone();
        Ok(())
    })?;
    docker::choose_context(name);
    Ok(docker::probe().await)
}

pub async fn read_aws_config(_: &AppHandle) -> Result<AwsConfigSummary> {
    Ok(profiles::read_config_summary().await)
}

pub async fn app_info(_: &AppHandle) -> Result<AppInfo> {
    Ok(AppInfo::current(env!("CARGO_PKG_VERSION")))
}
