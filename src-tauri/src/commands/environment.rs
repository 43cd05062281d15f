//! The first page: is Docker there, what does ~/.aws hold.

use berth_core::app_info::AppInfo;
use berth_core::aws::profiles::{self, AwsConfigSummary};
use berth_core::docker::{self, DockerStatus};

#[tauri::command]
pub async fn probe_docker() -> DockerStatus {
    docker::probe().await
}

#[tauri::command]
pub async fn read_aws_config() -> AwsConfigSummary {
    profiles::read_config_summary().await
}

#[tauri::command]
pub fn app_info() -> AppInfo {
    AppInfo::current(env!("CARGO_PKG_VERSION"))
}
