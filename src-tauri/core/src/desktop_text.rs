//! The few words Berth shows outside its window — the tray's tooltip and menu, and desktop
//! notifications — in English and Korean. The window's own strings live in the UI's catalogs;
//! these are drawn by the operating system, so Berth words them itself.

use crate::dashboard::deployments::{health, ServiceHealth, ServiceStatus, StatusEvent};
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
        (Language::Ko, Some(n), _) => format!("Berth — 실행 중인 태스크 {n}개"),
    }
}

/// The tray menu's first, informative line.
pub fn tray_count(language: Language, running: Option<u32>) -> String {
    match (language, running) {
        (Language::En, None) => "Not checked yet".to_owned(),
        (Language::Ko, None) => "아직 확인하지 않음".to_owned(),
        (Language::En, Some(1)) => "1 task running".to_owned(),
        (Language::En, Some(n)) => format!("{n} tasks running"),
        (Language::Ko, Some(n)) => format!("실행 중인 태스크 {n}개"),
    }
}

/// Labels of the tray menu's items: Open, Refresh, Quit.
pub fn tray_menu(language: Language) -> [&'static str; 3] {
    match language {
        Language::En => ["Open Berth", "Refresh now", "Quit Berth"],
        Language::Ko => ["Berth 열기", "지금 새로 고침", "Berth 종료"],
    }
}

/// A notification's title and body for `event`: what happened in the title, why in the body, and
/// which app, service and cluster on the body's last line.
pub fn notification(language: Language, event: &StatusEvent) -> (String, String) {
    use StatusEvent::*;
    let en = language == Language::En;
    match event {
        DeploymentRunning {
            service,
            running,
            cluster,
            app,
        } => (
            if en {
                format!("{service} is running")
            } else {
                format!("{service} 실행 중")
            },
            if en {
                format!(
                    "The deployment finished: {} running.\n{}",
                    tasks_en(*running),
                    place(language, app, Some(service), cluster)
                )
            } else {
                format!(
                    "배포가 끝났습니다. 실행 중인 태스크 {running}개.\n{}",
                    place(language, app, Some(service), cluster)
                )
            },
        ),
        DeploymentFailed {
            service,
            reason,
            rolled_back,
            cluster,
            app,
        } => (
            match (en, rolled_back) {
                (true, true) => format!("Deployment of {service} failed; rolling back"),
                (true, false) => format!("Deployment of {service} failed"),
                (false, true) => format!("{service} 배포 실패, 이전 버전으로 되돌리는 중"),
                (false, false) => format!("{service} 배포 실패"),
            },
            format!(
                "{}\n{}",
                or_unknown(language, reason),
                place(language, app, Some(service), cluster)
            ),
        ),
        TaskRunning { task_id, cluster } => (
            if en {
                "Task is running".to_owned()
            } else {
                "태스크 실행 중".to_owned()
            },
            if en {
                format!(
                    "Task {} reached RUNNING.\n{}",
                    short(task_id),
                    place(language, &None, None, cluster)
                )
            } else {
                format!(
                    "태스크 {} 실행 중입니다.\n{}",
                    short(task_id),
                    place(language, &None, None, cluster)
                )
            },
        ),
        TaskStopped {
            service,
            task_id,
            reason,
            exit_code,
            cluster,
            app,
        } => (
            match (en, service) {
                (true, Some(s)) => format!("A task of {s} stopped"),
                (true, None) => format!("Task {} stopped", short(task_id)),
                (false, Some(s)) => format!("{s}의 태스크가 멈췄습니다"),
                (false, None) => format!("태스크 {} 멈춤", short(task_id)),
            },
            format!(
                "{}\n{}",
                with_exit_code(language, reason, *exit_code),
                place(language, app, service.as_ref(), cluster)
            ),
        ),
        ServiceDegraded {
            service,
            running,
            desired,
            cluster,
            app,
        } => (
            if en {
                format!("{service} is short of tasks")
            } else {
                format!("{service}의 태스크가 부족합니다")
            },
            if en {
                format!("Only {running} of {desired} tasks are running. Berth will tell you when it recovers.\n{}", place(language, app, Some(service), cluster))
            } else {
                format!("태스크 {desired}개 중 {running}개만 실행 중입니다. 복구되면 알려 드립니다.\n{}", place(language, app, Some(service), cluster))
            },
        ),
        ServiceRecovered {
            service,
            running,
            cluster,
            app,
        } => (
            if en {
                format!("{service} recovered")
            } else {
                format!("{service} 복구됨")
            },
            if en {
                format!(
                    "{} running again.\n{}",
                    match *running {
                        1 => "Its task is".to_owned(),
                        n => format!("All {n} tasks are"),
                    },
                    place(language, app, Some(service), cluster)
                )
            } else {
                format!(
                    "태스크 {running}개가 모두 다시 실행 중입니다.\n{}",
                    place(language, app, Some(service), cluster)
                )
            },
        ),
    }
}

/// "1 task", "2 tasks": English counts agree with their noun (Korean needs no plural).
fn tasks_en(n: impl Into<i64>) -> String {
    match n.into() {
        1 => "1 task".to_owned(),
        n => format!("{n} tasks"),
    }
}

/// "App: shop · Service: shop · Cluster: web" (the parts that are known).
fn place(
    language: Language,
    app: &Option<String>,
    service: Option<&String>,
    cluster: &str,
) -> String {
    let [a, s, c] = match language {
        Language::En => ["App", "Service", "Cluster"],
        Language::Ko => ["앱", "서비스", "클러스터"],
    };
    let mut parts = Vec::new();
    if let Some(app) = app {
        parts.push(format!("{a}: {app}"));
    }
    if let Some(service) = service {
        parts.push(format!("{s}: {service}"));
    }
    parts.push(format!("{c}: {cluster}"));
    parts.join(" · ")
}

fn or_unknown(language: Language, reason: &str) -> &str {
    match (reason.is_empty(), language) {
        (false, _) => reason,
        (true, Language::En) => "No reason given",
        (true, Language::Ko) => "이유가 알려지지 않았습니다",
    }
}

fn with_exit_code(language: Language, reason: &str, exit_code: Option<i32>) -> String {
    let reason = or_unknown(language, reason);
    match (exit_code, language) {
        (Some(code), Language::En) => format!("{reason} (exit code {code})"),
        (Some(code), Language::Ko) => format!("{reason} (종료 코드 {code})"),
        (None, _) => reason.to_owned(),
    }
}

/// A service's line in the tray menu: its name and how it is doing.
pub fn tray_service(language: Language, service: &ServiceStatus) -> String {
    let (name, running, desired) = (&service.name, service.running, service.desired);
    match (language, health(service)) {
        (Language::En, ServiceHealth::Running) => format!("{name} — running {running}/{desired}"),
        (Language::En, ServiceHealth::Deploying) => {
            format!("{name} — deploying, {running}/{desired} running")
        }
        (Language::En, ServiceHealth::Failing) => {
            format!("{name} — failing, {running}/{desired} running")
        }
        (Language::Ko, ServiceHealth::Running) => format!("{name} — 실행 중 {running}/{desired}"),
        (Language::Ko, ServiceHealth::Deploying) => {
            format!("{name} — 배포 중, {running}/{desired} 실행 중")
        }
        (Language::Ko, ServiceHealth::Failing) => {
            format!("{name} — 문제 있음, {running}/{desired} 실행 중")
        }
    }
}

/// The tray menu's line when nothing runs in the region.
pub fn tray_no_services(language: Language) -> &'static str {
    match language {
        Language::En => "No services",
        Language::Ko => "서비스 없음",
    }
}

/// Said once (on stderr and in Settings) when this desktop has no tray or no notification service.
pub fn desktop_missing(language: Language, tray: bool) -> &'static str {
    match (language, tray) {
        (Language::En, true) => "This desktop shows no tray icons, so Berth cannot stay in a tray: closing the window quits Berth. What runs is in the Deployments view.",
        (Language::En, false) => "This desktop has no notification service, so Berth shows no notifications. Stops and deployments are listed in the Deployments view.",
        (Language::Ko, true) => "이 데스크톱은 트레이 아이콘을 표시하지 않아 Berth가 트레이에 머물 수 없습니다. 창을 닫으면 Berth가 종료됩니다. 실행 중인 항목은 배포 현황 화면에 있습니다.",
        (Language::Ko, false) => "이 데스크톱에는 알림 서비스가 없어 Berth가 알림을 표시하지 않습니다. 중지와 배포 소식은 배포 현황 화면에 나옵니다.",
    }
}

fn short(task_id: &str) -> &str {
    task_id.get(..8).unwrap_or(task_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_is_told_with_its_reason_in_both_languages() {
        let event = StatusEvent::TaskStopped {
            cluster: "web".into(),
            service: Some("api".into()),
            app: Some("shop".into()),
            task_id: "0123456789abcdef".into(),
            reason: "Essential container in task exited".into(),
            exit_code: Some(137),
        };
        let (title, body) = notification(Language::En, &event);
        assert_eq!(title, "A task of api stopped");
        assert_eq!(
            body,
            "Essential container in task exited (exit code 137)\nApp: shop · Service: api · Cluster: web"
        );
        let (title, body) = notification(Language::Ko, &event);
        assert_eq!(title, "api의 태스크가 멈췄습니다");
        assert!(body.contains("종료 코드 137"));
        assert!(body.ends_with("앱: shop · 서비스: api · 클러스터: web"));
    }

    #[test]
    fn task_counts_agree_with_their_noun() {
        let event = |running, recovered: bool| {
            let (cluster, service, app) = ("web".to_owned(), "api".to_owned(), None);
            if recovered {
                StatusEvent::ServiceRecovered {
                    cluster,
                    service,
                    app,
                    running,
                }
            } else {
                StatusEvent::DeploymentRunning {
                    cluster,
                    service,
                    app,
                    running,
                }
            }
        };
        let body = |running, recovered| notification(Language::En, &event(running, recovered)).1;
        assert!(body(1, false).starts_with("The deployment finished: 1 task running."));
        assert!(body(2, false).starts_with("The deployment finished: 2 tasks running."));
        assert!(body(1, true).starts_with("Its task is running again."));
        assert!(body(3, true).starts_with("All 3 tasks are running again."));
        assert!(!body(1, false).contains("(s)") && !body(2, true).contains("(s)"));
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
            "Berth — 실행 중인 태스크 3개"
        );
        assert!(tray_tooltip(Language::En, Some(3), true).contains("couldn't check AWS"));
    }
}
