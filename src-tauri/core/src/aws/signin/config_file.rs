//! Records a browser sign-in in `~/.aws/config` as the CLI's `aws login --profile NAME` does:
//! `login_session = <ARN>` in the profile's section (made when missing), and the sign-in region
//! when the profile names none. Everything else in the file is kept as it was, line for line.

use crate::error::{BerthError, Result};

/// The section header of a profile: `[default]`, else `[profile NAME]`.
fn header_of(profile: &str) -> String {
    if profile == "default" {
        "[default]".to_owned()
    } else {
        format!("[profile {profile}]")
    }
}

/// The profile a header line opens, if it is a profile's (`[default]`, `[profile x]`).
fn section_profile(line: &str) -> Option<Option<String>> {
    let t = line.trim();
    let inner = t.strip_prefix('[')?.split(']').next()?.trim();
    if inner == "default" {
        return Some(Some("default".to_owned()));
    }
    Some(
        inner
            .strip_prefix("profile")
            .filter(|rest| rest.starts_with(char::is_whitespace))
            .map(|rest| rest.trim().to_owned()),
    )
}

/// The key of a `key = value` line (top level, not a nested sub-property).
fn key_of(line: &str) -> Option<&str> {
    if line.starts_with(char::is_whitespace) {
        return None;
    }
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.starts_with('#') && !key.starts_with(';')).then_some(key)
}

/// The config file's text with the sign-in recorded in `profile`.
pub fn with_login_session(text: &str, profile: &str, login_session: &str, region: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let start = lines
        .iter()
        .position(|l| section_profile(l).flatten().as_deref() == Some(profile));
    let session_line = format!("login_session = {login_session}");
    let region_line = format!("region = {region}");
    match start {
        None => {
            while lines.last().is_some_and(|l| l.trim().is_empty()) {
                lines.pop();
            }
            if !lines.is_empty() {
                lines.push(String::new());
            }
            lines.push(header_of(profile));
            lines.push(session_line);
            lines.push(region_line);
        }
        Some(start) => {
            let end = lines[start + 1..]
                .iter()
                .position(|l| l.trim_start().starts_with('['))
                .map_or(lines.len(), |i| start + 1 + i);
            let keys: Vec<(usize, String)> = (start + 1..end)
                .filter_map(|i| key_of(&lines[i]).map(|k| (i, k.to_owned())))
                .collect();
            let has_region = keys.iter().any(|(_, k)| k == "region");
            match keys.iter().find(|(_, k)| k == "login_session") {
                Some((i, _)) => lines[*i] = session_line,
                None => {
                    // After the section's last setting, before the blank lines that part it from
                    // the next one.
                    let at = keys.last().map_or(start + 1, |(i, _)| i + 1);
                    lines.insert(at, session_line);
                    if !has_region {
                        lines.insert(at + 1, region_line);
                    }
                    return join(lines);
                }
            }
            if !has_region {
                lines.insert(start + 1, region_line);
            }
        }
    }
    join(lines)
}

fn join(lines: Vec<String>) -> String {
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// A profile name the CLI accepts in a section header and Berth in its settings.
pub fn validate_profile_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(BerthError::invalid("signInProfile", "required"));
    }
    if name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
    {
        return Err(BerthError::invalid("signInProfile", "characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:iam::123456789012:user/admin";

    #[test]
    fn a_new_profile_is_added_at_the_end_and_the_rest_is_kept() {
        let text = "# mine\n[default]\nregion = eu-west-1\n\n[profile work]\nsso_session = corp\n";
        assert_eq!(
            with_login_session(text, "berth", ARN, "us-east-1"),
            format!("{text}\n[profile berth]\nlogin_session = {ARN}\nregion = us-east-1\n")
        );
        assert_eq!(
            with_login_session("", "berth", ARN, "us-east-1"),
            format!("[profile berth]\nlogin_session = {ARN}\nregion = us-east-1\n")
        );
    }

    #[test]
    fn an_existing_profile_gets_the_session_and_keeps_its_region() {
        let text = "[profile berth]\nregion = ap-northeast-2\noutput = json\n\n[profile other]\nregion = x\n";
        assert_eq!(
            with_login_session(text, "berth", ARN, "us-east-1"),
            format!("[profile berth]\nregion = ap-northeast-2\noutput = json\nlogin_session = {ARN}\n\n[profile other]\nregion = x\n")
        );
        // Signing in again replaces the session line in place.
        let again = with_login_session(
            &with_login_session(text, "berth", ARN, "us-east-1"),
            "berth",
            "arn:aws:iam::123456789012:root",
            "us-east-1",
        );
        assert_eq!(again.matches("login_session").count(), 1);
        assert!(again.contains("login_session = arn:aws:iam::123456789012:root\n"));
        assert!(again.contains("[profile other]\nregion = x\n"));
    }

    #[test]
    fn the_default_profile_is_the_default_section() {
        let text = "[default]\noutput = json\n";
        assert_eq!(
            with_login_session(text, "default", ARN, "us-east-1"),
            format!("[default]\noutput = json\nlogin_session = {ARN}\nregion = us-east-1\n")
        );
        // `[profile berth]` is not `[default]`, nor is `[profilex berth]` a profile.
        let text = "[profilex berth]\na = b\n";
        assert!(with_login_session(text, "berth", ARN, "r").ends_with(
            "[profile berth]\nlogin_session = arn:aws:iam::123456789012:user/admin\nregion = r\n"
        ));
    }

    #[test]
    fn profile_names_are_checked() {
        assert!(validate_profile_name("berth").is_ok());
        assert!(validate_profile_name("my-login_2.x@a").is_ok());
        for bad in ["", "a b", "a]b", &"x".repeat(65)] {
            assert!(validate_profile_name(bad).is_err(), "{bad}");
        }
    }
}
