//! The first page: is Docker there, what does ~/.aws hold.

use berth_core::app_info::AppInfo;
use berth_core::aws::profiles::{self, AwsConfigSummary};
use berth_core::docker::{self, DockerStatus};
use berth_core::Result;
use tauri::AppHandle;

pub async fn probe_docker(_: &AppHandle) -> Result<DockerStatus> {
    Ok(docker::probe().await)
}

pub async fn read_aws_config(_: &AppHandle) -> Result<AwsConfigSummary> {
    Ok(profiles::read_config_summary().await)
}

pub async fn app_info(_: &AppHandle) -> Result<AppInfo> {
    Ok(AppInfo::current(env!("CARGO_PKG_VERSION")))
}
