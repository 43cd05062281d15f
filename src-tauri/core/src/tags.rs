//! The tags Berth puts on everything it creates. Teardown removes exactly what carries them;
//! nothing untagged is ever deleted unless the user picked it by name.

/// Present, with value `true`, on every resource Berth created.
pub const MANAGED_KEY: &str = "berth:managed";
pub const MANAGED_VALUE: &str = "true";
/// The app (the user's name for what they deploy) a resource belongs to.
pub const APP_KEY: &str = "berth:app";

/// Berth's tags for a new resource, as key/value pairs.
pub fn berth_tags(app: Option<&str>) -> Vec<(String, String)> {
    let mut tags = vec![(MANAGED_KEY.to_owned(), MANAGED_VALUE.to_owned())];
    if let Some(app) = app {
        tags.push((APP_KEY.to_owned(), app.to_owned()));
    }
    tags
}

/// Whether a resource's tags say Berth made it.
pub fn is_managed<'a>(tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
    tags.into_iter()
        .any(|(k, v)| k == MANAGED_KEY && v == MANAGED_VALUE)
}

/// The tags as the AWS CLI's shorthand (`Key=berth:managed,Value=true Key=…`), one word each.
pub fn cli_shorthand(tags: &[(String, String)]) -> Vec<String> {
    tags.iter()
        .map(|(k, v)| format!("Key={k},Value={v}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_resources_are_recognised_by_their_tag() {
        let tags = berth_tags(Some("web"));
        assert!(is_managed(
            tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))
        ));
        assert!(!is_managed([("berth:managed", "false"), ("owner", "me")]));
        assert_eq!(
            cli_shorthand(&tags),
            ["Key=berth:managed,Value=true", "Key=berth:app,Value=web"]
        );
    }
}
