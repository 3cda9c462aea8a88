//! Why a configuration cannot be used, said so that an administrator can
//! fix it: the file or attribute, the field, and the problem.

use crate::i18n::{I18n, Lang};

/// Why the configuration cannot be used: where the bad value came from and
/// what is wrong with it, in words an administrator can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Where the bad value came from: `app-config.json`, an attribute such
    /// as `data-theme`, or a field.
    pub source: String,
    /// The field, when the source is a file.
    pub field: Option<String>,
    /// What is wrong: the key of its message.
    pub problem: &'static str,
    /// The values the message names.
    pub args: Vec<(&'static str, String)>,
}

impl ConfigError {
    /// An error of `source` whose message is `problem` with `args`.
    pub fn new(
        source: impl Into<String>,
        problem: &'static str,
        args: Vec<(&'static str, String)>,
    ) -> Self {
        Self {
            source: source.into(),
            field: None,
            problem,
            args,
        }
    }

    /// The error in `i18n`'s language; the names of files, fields and
    /// attributes stay as they are written.
    pub fn message(&self, i18n: &I18n) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let problem = i18n.t_with(self.problem, &args);
        match &self.field {
            Some(field) => format!("{}: \"{field}\" {problem}", self.source),
            None => format!("{}: {problem}", self.source),
        }
    }
}

/// In English, for logs and tests.
impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(&I18n::new(Lang::En)))
    }
}

/// What is wrong with one value: a message key and the values it names;
/// [`ConfigError`] once it is known where the value came from.
pub(super) type Problem = (&'static str, Vec<(&'static str, String)>);
