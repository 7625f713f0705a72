//! Settings: from command-line flags, then environment variables, then an optional TOML file, then
//! built-in defaults (the first that gives a value wins).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Why the settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file named could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The config file is not valid TOML of the expected shape.
    #[error("invalid config file {path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: toml::de::Error,
    },
    /// A value is out of range.
    #[error("invalid setting {name}: {reason}")]
    Invalid {
        /// The setting.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Settings given on the command line (or in `DONDOC_*` environment variables); every one is optional
/// and falls back to the config file, then to the default.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConfigArgs {
    /// Folder for the database (SQLite), the search index, stored files and the mail outbox.
    /// [default: ./data]
    #[arg(long, env = "DONDOC_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL: `postgres://user@host/db` selects PostgreSQL; a file path or `sqlite://path`
    /// selects SQLite. [default: DATA_DIR/dondoc.sqlite3]
    #[arg(long, env = "DONDOC_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// TOML file with any of these settings (same names, snake_case). [default: DATA_DIR/dondoc.toml
    /// if it exists]
    #[arg(long, env = "DONDOC_CONFIG", global = true)]
    pub config: Option<PathBuf>,
}

/// Settings that only the server uses.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServerArgs {
    /// Address and port the server listens on. [default: 127.0.0.1:8080]
    #[arg(long, env = "DONDOC_LISTEN")]
    pub listen: Option<String>,
    /// Address users reach the server at, used in links inside reminder mails.
    /// [default: http://LISTEN]
    #[arg(long, env = "DONDOC_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// SMTP server for reminder mail, as `smtp://user:pass@host:port` (STARTTLS when offered, else
    /// plain; add `?tls=required` to insist) or `smtps://...` (TLS). Without one, mails are written to
    /// DATA_DIR/outbox as .eml files.
    #[arg(long, env = "DONDOC_SMTP_URL")]
    pub smtp_url: Option<String>,
}

/// The reminder policy: when reminders go out relative to a task's deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReminderPolicy {
    /// Working days before the deadline on which a reminder goes out.
    pub days_before: Vec<u32>,
    /// Whether a reminder goes out on the deadline itself.
    pub on_the_day: bool,
    /// While a task is overdue, a reminder goes out every this many working days.
    pub overdue_every_days: u32,
    /// After this many overdue reminders, the leader in charge is told as well (0: never).
    pub escalate_after: u32,
    /// Address of the leader who receives escalations; `None` sends them to `fallback_email`.
    pub leader_email: Option<String>,
    /// Address for mail that has no better recipient (an agency without an e-mail address, or
    /// escalations without a leader address); such mail says so in its subject and body.
    pub fallback_email: String,
    /// Sender of reminder mail.
    pub mail_from: String,
}

impl Default for ReminderPolicy {
    fn default() -> Self {
        Self {
            days_before: vec![7, 1],
            on_the_day: true,
            overdue_every_days: 3,
            escalate_after: 2,
            leader_email: None,
            fallback_email: "vanthu@localhost".to_string(),
            mail_from: "Hệ thống đôn đốc nhiệm vụ <dondoc@localhost>".to_string(),
        }
    }
}

/// The office whose register and reports these are: its name numbers the incoming register, and
/// the printed register and reports carry it in their header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OfficeSettings {
    /// Name of the office ("Văn phòng UBND tỉnh Kiên Giang"); incoming numbers run per office name
    /// and year.
    pub name: String,
    /// The body it belongs to ("cơ quan chủ quản"), printed above its name.
    pub parent: Option<String>,
    /// Place name for "…, ngày … tháng … năm …" on printed pages.
    pub place: Option<String>,
}

impl Default for OfficeSettings {
    fn default() -> Self {
        Self {
            name: "Văn phòng".to_string(),
            parent: None,
            place: None,
        }
    }
}

/// Upload and request limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest accepted file or request body, in bytes.
    pub max_upload_bytes: usize,
    /// Largest accepted directive text, in characters.
    pub max_text_chars: usize,
    /// Requests per second one client address may make to the API, on average.
    pub requests_per_second: u32,
    /// Requests one client address may make in a burst.
    pub request_burst: u32,
    /// Most pages read from one file.
    pub max_pages: usize,
    /// Most pages of one file read by OCR.
    pub max_ocr_pages: usize,
    /// Longest time spent reading one file, in seconds.
    pub max_read_seconds: u64,
}

impl Limits {
    /// The limits for reading one incoming file.
    pub fn read_limits(&self) -> crate::parse::ReadLimits {
        crate::parse::ReadLimits {
            max_bytes: self.max_upload_bytes,
            max_pages: self.max_pages,
            max_ocr_pages: self.max_ocr_pages,
            max_duration: std::time::Duration::from_secs(self.max_read_seconds),
            ..crate::parse::ReadLimits::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_upload_bytes: 20 * 1024 * 1024,
            max_text_chars: 2_000_000,
            requests_per_second: 50,
            request_burst: 200,
            max_pages: 200,
            max_ocr_pages: 50,
            max_read_seconds: 300,
        }
    }
}

/// The shape of the optional TOML config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<String>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    limits: Option<Limits>,
    reminders: Option<ReminderPolicy>,
    office: Option<OfficeSettings>,
}

/// The effective settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Config {
    /// Folder for the database, the index, stored files and the outbox.
    pub data_dir: PathBuf,
    /// Database URL (SQLite path or `postgres://` URL).
    pub database_url: String,
    /// Listen address of the server.
    pub listen: String,
    /// Public base URL for links in mails.
    pub public_url: String,
    /// SMTP server URL; `None` writes mails to the outbox folder.
    #[serde(serialize_with = "serialize_secret_url")]
    pub smtp_url: Option<String>,
    /// Upload and request limits.
    pub limits: Limits,
    /// When reminders go out.
    pub reminders: ReminderPolicy,
    /// The office whose register and reports these are.
    pub office: OfficeSettings,
}

/// Hides the password part of a URL when settings are shown.
fn serialize_secret_url<S: serde::Serializer>(
    url: &Option<String>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match url {
        None => s.serialize_none(),
        Some(u) => s.serialize_some(&mask_password(u)),
    }
}

/// Replaces the password of `scheme://user:password@host` with `***`.
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

impl Config {
    /// Merges flags, environment (already folded into the flags by clap), the config file and defaults.
    pub fn load(args: &ConfigArgs, server: &ServerArgs) -> Result<Self, ConfigError> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => {
                let dir = args
                    .data_dir
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("data"));
                let candidate = dir.join("dondoc.toml");
                if candidate.is_file() {
                    read_file(&candidate)?
                } else {
                    FileConfig::default()
                }
            }
        };
        let data_dir = args
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = args
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| data_dir.join("dondoc.sqlite3").display().to_string());
        let listen = server
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".to_string());
        let public_url = server
            .public_url
            .clone()
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"));
        let config = Config {
            data_dir,
            database_url,
            listen,
            public_url,
            smtp_url: server.smtp_url.clone().or(file.smtp_url),
            limits: file.limits.unwrap_or_default(),
            reminders: file.reminders.unwrap_or_default(),
            office: file.office.unwrap_or_default(),
        };
        config.validate()?;
        Ok(config)
    }

    /// Settings for tests and tools: everything default but the data folder.
    pub fn for_data_dir(data_dir: &Path) -> Self {
        Config {
            data_dir: data_dir.to_path_buf(),
            database_url: data_dir.join("dondoc.sqlite3").display().to_string(),
            listen: "127.0.0.1:0".to_string(),
            public_url: "http://localhost".to_string(),
            smtp_url: None,
            limits: Limits::default(),
            reminders: ReminderPolicy::default(),
            office: OfficeSettings::default(),
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.limits.max_upload_bytes == 0 {
            return Err(ConfigError::Invalid {
                name: "limits.max_upload_bytes",
                reason: "must be positive".into(),
            });
        }
        if self.limits.requests_per_second == 0 || self.limits.request_burst == 0 {
            return Err(ConfigError::Invalid {
                name: "limits.requests_per_second",
                reason: "rate and burst must be positive".into(),
            });
        }
        for (name, address) in [
            (
                "reminders.fallback_email",
                Some(&self.reminders.fallback_email),
            ),
            (
                "reminders.leader_email",
                self.reminders.leader_email.as_ref(),
            ),
            ("reminders.mail_from", Some(&self.reminders.mail_from)),
        ] {
            if let Some(address) = address
                && address.parse::<lettre::message::Mailbox>().is_err()
            {
                return Err(ConfigError::Invalid {
                    name,
                    reason: format!("not an e-mail address: {address}"),
                });
            }
        }
        if self.office.name.trim().is_empty() {
            return Err(ConfigError::Invalid {
                name: "office.name",
                reason: "must not be empty".into(),
            });
        }
        if self.reminders.overdue_every_days == 0 {
            return Err(ConfigError::Invalid {
                name: "reminders.overdue_every_days",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|source| ConfigError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_file_and_file_over_defaults() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\ndatabase_url = \"postgres://x@y/z\"\n[reminders]\ndays_before = [3]\n",
        )?;
        let args = ConfigArgs {
            data_dir: Some(dir.path().to_path_buf()),
            database_url: None,
            config: Some(file),
        };
        let server = ServerArgs {
            listen: Some("127.0.0.1:1".into()),
            ..ServerArgs::default()
        };
        let config = Config::load(&args, &server)?;
        assert_eq!(config.listen, "127.0.0.1:1");
        assert_eq!(config.database_url, "postgres://x@y/z");
        assert_eq!(config.reminders.days_before, vec![3]);
        assert_eq!(config.limits, Limits::default());
        Ok(())
    }

    #[test]
    fn unknown_keys_in_file_are_refused() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "lisen = \"x\"\n")?;
        let args = ConfigArgs {
            config: Some(file),
            ..ConfigArgs::default()
        };
        assert!(matches!(
            Config::load(&args, &ServerArgs::default()),
            Err(ConfigError::Parse { .. })
        ));
        Ok(())
    }

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            mask_password("smtp://mail:s3cret@host:25"),
            "smtp://mail:***@host:25"
        );
        assert_eq!(mask_password("smtp://host:25"), "smtp://host:25");
    }
}
