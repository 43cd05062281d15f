//! One module per screen. Each command reads state, calls core, and maps the error.

pub mod account;
pub mod activity;
pub mod deployments;
pub mod environment;
pub mod iam;
pub mod images;
pub mod launch;
pub mod repositories;
pub mod settings;
pub mod wizard;

#[cfg(test)]
mod surface;

#[cfg(test)]
mod tests {
    include!("names.rs");

    use std::collections::BTreeSet;

    /// The window's capability must allow exactly the app's commands and the plugin permissions
    /// listed beside them: nothing missing (the UI would fail) and nothing more (least privilege).
    #[test]
    fn capability_allows_exactly_the_registered_commands() {
        let text = include_str!("../../capabilities/main-window.json");
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        let granted: BTreeSet<String> = json["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                p.as_str()
                    .expect("permissions are plain identifiers")
                    .to_owned()
            })
            .collect();
        let expected: BTreeSet<String> = COMMAND_NAMES
            .iter()
            .map(|name| format!("allow-{}", name.replace('_', "-")))
            .chain(PLUGIN_PERMISSIONS.iter().map(|p| (*p).to_owned()))
            .collect();
        assert_eq!(granted, expected);
    }

    #[test]
    fn the_csp_allows_nothing_but_the_app_itself() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../../../tauri.conf.json")).unwrap();
        let csp = conf["app"]["security"]["csp"]
            .as_str()
            .expect("a CSP is set");
        let directives: Vec<Vec<&str>> = csp
            .split(';')
            .map(|d| d.split_whitespace().collect())
            .filter(|d: &Vec<&str>| !d.is_empty())
            .collect();
        let sources = |name: &str| -> Vec<&str> {
            directives
                .iter()
                .find(|d| d[0] == name)
                .map(|d| d[1..].to_vec())
                .unwrap_or_else(|| panic!("CSP has no {name}: {csp}"))
        };
        assert_eq!(sources("default-src"), ["'self'"]);
        assert_eq!(sources("script-src"), ["'self'"]);
        assert_eq!(sources("object-src"), ["'none'"]);
        // The webview may talk to nothing but Tauri's IPC endpoints.
        for source in sources("connect-src") {
            assert!(
                ["'self'", "ipc:", "http://ipc.localhost"].contains(&source),
                "connect-src allows {source}"
            );
        }
        for d in &directives {
            for source in &d[1..] {
                assert!(
                    !["*", "http:", "https:", "'unsafe-eval'", "'unsafe-inline'"].contains(source),
                    "{} allows {source}",
                    d[0]
                );
            }
        }
    }
}
