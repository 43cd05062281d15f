//! Long work the window follows: list the jobs, attach a page to one (its past, then what comes),
//! detach when the page goes, cancel.

use crate::jobs::{channel_watcher, AppJobs, JobEvent};
use berth_core::jobs::JobSummary;
use berth_core::Result;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};

pub async fn list_jobs(app: &AppHandle) -> Result<Vec<JobSummary>> {
    Ok(app.state::<AppJobs>().list())
}

pub async fn attach_job(
    app: &AppHandle,
    id: String,
    watcher: String,
    channel: Channel<JobEvent>,
) -> Result<Option<JobSummary>> {
    Ok(app
        .state::<AppJobs>()
        .attach(&id, &watcher, channel_watcher(channel)))
}

pub async fn detach_job(app: &AppHandle, id: String, watcher: String) -> Result<()> {
    app.state::<AppJobs>().detach(&id, &watcher);
    Ok(())
}

pub async fn cancel_job(app: &AppHandle, id: String) -> Result<bool> {
    Ok(app.state::<AppJobs>().cancel(&id))
}
