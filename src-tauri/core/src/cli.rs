//! Command lines shown to the user as "what this would be in a terminal" (`aws ecr
//! create-repository …`, `docker push …`), quoted for a POSIX shell by `shlex`.

use std::borrow::Cow;

/// A command line shown to the user as "what this would be in a terminal". Built from parts and
/// quoted for a POSIX shell, so names with spaces or quotes are shown correctly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliCommand {
    parts: Vec<String>,
    /// Global options shown last (`--region …`), whatever is added after them.
    trailer: Vec<String>,
    /// A command this one's output is piped into (`aws ecr get-login-password | docker login …`).
    piped: Option<Box<CliCommand>>,
}

impl CliCommand {
    /// `program` and its first arguments, e.g. `CliCommand::new(["aws", "ecr", "create-repository"])`.
    pub fn new<I, S>(parts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CliCommand {
            parts: parts.into_iter().map(Into::into).collect(),
            trailer: Vec::new(),
            piped: None,
        }
    }

    /// Adds `--flag value` to the options that always come last (the AWS CLI's `--region`,
    /// `--profile`, `--endpoint-url`).
    pub fn trailing(mut self, flag: &str, value: impl Into<String>) -> Self {
        self.trailer.push(flag.to_owned());
        self.trailer.push(value.into());
        self
    }

    /// Adds `--flag value`.
    pub fn opt(mut self, flag: &str, value: impl Into<String>) -> Self {
        self.parts.push(flag.to_owned());
        self.parts.push(value.into());
        self
    }

    /// Adds `--flag value` when there is a value.
    pub fn opt_some(self, flag: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.opt(flag, v),
            None => self,
        }
    }

    /// Adds a trailing `--flag value` when there is a value.
    pub fn trailing_some(self, flag: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.trailing(flag, v),
            None => self,
        }
    }

    /// Adds one bare argument (a flag without value, or a positional argument).
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.parts.push(arg.into());
        self
    }

    /// Pipes this command's output into `next`.
    pub fn pipe(mut self, next: CliCommand) -> Self {
        self.piped = Some(Box::new(next));
        self
    }

    /// The command as one shell line.
    pub fn render(&self) -> String {
        let line = self
            .parts
            .iter()
            .chain(&self.trailer)
            .map(|p| shell_quote(p))
            .collect::<Vec<_>>()
            .join(" ");
        match &self.piped {
            Some(next) => format!("{line} | {}", next.render()),
            None => line,
        }
    }
}

impl std::fmt::Display for CliCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

/// Quotes a word for a POSIX shell only when it needs it. shlex also quotes `=` and `,`, which
/// only a shell's first word (an assignment) or a brace expansion treat specially; Berth puts them
/// only in arguments (`--tags Key=…,Value=…`), where quotes would just make the line harder to
/// read. A NUL cannot be quoted portably and never occurs in Berth's commands: it is kept as is.
fn shell_quote(word: &str) -> Cow<'_, str> {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-./:@_=,".contains(&b));
    if plain {
        return Cow::Borrowed(word);
    }
    shlex::Quoter::new()
        .allow_nul(true)
        .quote(word)
        .unwrap_or(Cow::Borrowed(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_quoted_only_where_a_shell_needs_it() {
        let cmd = CliCommand::new(["aws", "ecr", "create-repository"])
            .trailing("--region", "ap-northeast-2")
            .opt("--repository-name", "team/web-app")
            .opt("--tags", "Key=berth:managed,Value=true")
            .opt("--description", "it's mine")
            .opt_some("--endpoint-url", None::<String>)
            .arg("--force");
        assert_eq!(
            cmd.render(),
            "aws ecr create-repository --repository-name team/web-app \
             --tags Key=berth:managed,Value=true --description \"it's mine\" --force --region ap-northeast-2"
        );
        assert_eq!(CliCommand::new(["echo", ""]).render(), "echo ''");
        let login = CliCommand::new(["aws", "ecr", "get-login-password"])
            .trailing("--region", "us-east-1")
            .pipe(CliCommand::new([
                "docker",
                "login",
                "--password-stdin",
                "r:5000",
            ]));
        assert_eq!(
            login.render(),
            "aws ecr get-login-password --region us-east-1 | docker login --password-stdin r:5000"
        );
    }

    /// What is shown is what a shell reads back: every word survives quoting exactly.
    #[test]
    fn a_shell_splits_the_rendered_command_into_the_same_words() {
        let words = [
            "aws",
            "ecs",
            "register-task-definition",
            "--container-definitions",
            r#"[{"name":"web","command":["sh","-c","echo 'hi' $HOME"]}]"#,
            "it's mine",
            "",
            "한글 이름",
        ];
        let cmd = CliCommand::new(words);
        assert_eq!(shlex::split(&cmd.render()).unwrap(), words);
    }
}
