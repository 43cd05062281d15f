//! The first page: is Docker there (and which engine, of which docker context), what does
//! ~/.aws hold.

use crate::state::AppState;
use berth_core::app_info::AppInfo;
use berth_core::aws::profiles::{self, AwsConfigSummary};
use berth_core::docker::{self, DockerContexts, DockerStatus};
use berth_core::Result;
use tauri::State;

#[tauri::command]
pub async fn probe_docker() -> DockerStatus {
    docker::probe().await
}

/// The docker CLI's contexts, and the one Berth uses.
#[tauri::command]
pub fn list_docker_contexts() -> DockerContexts {
    docker::contexts()
}

/// Uses context `name` from now on (`None`: as the docker CLI decides), remembers it, and
/// checks the engine it leads to.
#[tauri::command]
pub async fn choose_docker_context(
    state: State<'_, AppState>,
    name: Option<String>,
) -> Result<DockerStatus> {
    let name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    state.update(|s| {
        s.docker.context = name.clone();
        Ok(())
    })?;
    docker::choose_context(name);
    Ok(docker::probe().await)
}

#[tauri::command]
pub async fn read_aws_config() -> AwsConfigSummary {
    profiles::read_config_summary().await
}

#[tauri::command]
pub fn app_info() -> AppInfo {
    AppInfo::current(env!("CARGO_PKG_VERSION"))
}
