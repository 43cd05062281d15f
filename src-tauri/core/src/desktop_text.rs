//! The few words Berth shows outside its window — the tray's tooltip and menu, and desktop
//! notifications — in English and Korean. The window's own strings live in the UI's catalogs;
//! these are drawn by the operating system, so Berth words them itself.

use crate::dashboard::deployments::StatusEvent;
use crate::settings::Language;

/// The tray's tooltip: how many tasks run, or that the last check failed.
pub fn tray_tooltip(language: Language, running: Option<u32>, failing: bool) -> String {
    match (language, running, failing) {
        (Language::En, _, true) => "Berth — couldn't check AWS; see Deployments".to_owned(),
        (Language::Ko, _, true) => {
            "Berth — AWS를 확인하지 못했습니다. 배포 현황을 확인하세요".to_owned()
        }
        (Language::En, None, _) => "Berth".to_owned(),
        (Language::Ko, None, _) => "Berth".to_owned(),
        (Language::En, Some(1), _) => "Berth — 1 task running".to_owned(),
        (Language::En, Some(n), _) => format!("Berth — {n} tasks running"),
        (Language::Ko, Some(n), _) => format!("Berth — 실행 중인 작업 {n}개"),
    }
}

/// The tray menu's first, informative line.
pub fn tray_count(language: Language, running: Option<u32>) -> String {
    match (language, running) {
        (Language::En, None) => "Not checked yet".to_owned(),
        (Language::Ko, None) => "아직 확인하지 않음".to_owned(),
        (Language::En, Some(1)) => "1 task running".to_owned(),
        (Language::En, Some(n)) => format!("{n} tasks running"),
        (Language::Ko, Some(n)) => format!("실행 중인 작업 {n}개"),
    }
}

/// Labels of the tray menu's items: Open, Refresh, Quit.
pub fn tray_menu(language: Language) -> [&'static str; 3] {
    match language {
        Language::En => ["Open Berth", "Refresh now", "Quit Berth"],
        Language::Ko => ["Berth 열기", "지금 새로 고침", "Berth 종료"],
    }
}

/// A notification's title and body for `event`.
pub fn notification(language: Language, event: &StatusEvent) -> (String, String) {
    use StatusEvent::*;
    match (language, event) {
        (Language::En, DeploymentRunning { service, running, cluster }) => (
            format!("{service} is running"),
            format!("The deployment finished: {running} task(s) running in cluster {cluster}."),
        ),
        (Language::Ko, DeploymentRunning { service, running, cluster }) => (
            format!("{service} 실행 중"),
            format!("배포가 끝났습니다. {cluster} 클러스터에서 작업 {running}개가 실행 중입니다."),
        ),
        (Language::En, TaskRunning { task_id, cluster }) => (
            "Task is running".to_owned(),
            format!("Task {} in cluster {cluster} reached RUNNING.", short(task_id)),
        ),
        (Language::Ko, TaskRunning { task_id, cluster }) => (
            "작업 실행 중".to_owned(),
            format!("{cluster} 클러스터의 작업 {}이(가) 실행 중입니다.", short(task_id)),
        ),
        (Language::En, TaskStopped { service, task_id, reason, exit_code, .. }) => (
            match service {
                Some(s) => format!("A task of {s} stopped"),
                None => format!("Task {} stopped", short(task_id)),
            },
            stopped_body_en(reason, *exit_code),
        ),
        (Language::Ko, TaskStopped { service, task_id, reason, exit_code, .. }) => (
            match service {
                Some(s) => format!("{s}의 작업이 멈췄습니다"),
                None => format!("작업 {}이(가) 멈췄습니다", short(task_id)),
            },
            stopped_body_ko(reason, *exit_code),
        ),
        (Language::En, ServiceDegraded { service, running, desired, .. }) => (
            format!("{service} is short of tasks"),
            format!("Only {running} of {desired} tasks are running. Berth will tell you when it recovers."),
        ),
        (Language::Ko, ServiceDegraded { service, running, desired, .. }) => (
            format!("{service}의 작업이 부족합니다"),
            format!("작업 {desired}개 중 {running}개만 실행 중입니다. 복구되면 알려 드립니다."),
        ),
        (Language::En, ServiceRecovered { service, running, .. }) => (
            format!("{service} recovered"),
            format!("All {running} task(s) are running again."),
        ),
        (Language::Ko, ServiceRecovered { service, running, .. }) => (
            format!("{service} 복구됨"),
            format!("작업 {running}개가 모두 다시 실행 중입니다."),
        ),
    }
}

fn short(task_id: &str) -> &str {
    task_id.get(..8).unwrap_or(task_id)
}

fn stopped_body_en(reason: &str, exit_code: Option<i32>) -> String {
    let reason = if reason.is_empty() {
        "No reason given"
    } else {
        reason
    };
    match exit_code {
        Some(code) => format!("{reason} (exit code {code})"),
        None => reason.to_owned(),
    }
}

fn stopped_body_ko(reason: &str, exit_code: Option<i32>) -> String {
    let reason = if reason.is_empty() {
        "이유가 알려지지 않았습니다"
    } else {
        reason
    };
    match exit_code {
        Some(code) => format!("{reason} (종료 코드 {code})"),
        None => reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_is_told_with_its_reason_in_both_languages() {
        let event = StatusEvent::TaskStopped {
            cluster: "web".into(),
            service: Some("api".into()),
            task_id: "0123456789abcdef".into(),
            reason: "Essential container in task exited".into(),
            exit_code: Some(137),
        };
        let (title, body) = notification(Language::En, &event);
        assert_eq!(title, "A task of api stopped");
        assert_eq!(body, "Essential container in task exited (exit code 137)");
        let (title, body) = notification(Language::Ko, &event);
        assert_eq!(title, "api의 작업이 멈췄습니다");
        assert!(body.contains("종료 코드 137"));
    }

    #[test]
    fn the_tooltip_counts_running_tasks() {
        assert_eq!(
            tray_tooltip(Language::En, Some(1), false),
            "Berth — 1 task running"
        );
        assert_eq!(
            tray_tooltip(Language::En, Some(3), false),
            "Berth — 3 tasks running"
        );
        assert_eq!(
            tray_tooltip(Language::Ko, Some(3), false),
            "Berth — 실행 중인 작업 3개"
        );
        assert!(tray_tooltip(Language::En, Some(3), true).contains("couldn't check AWS"));
    }
}
