//! Demo data: the sample directives written for the project (corpus/directives), loaded into an empty
//! database so a new user sees something useful at once.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::intake::{self, IncomingFile};
use crate::store::users::{self, NewUser, Role};
use crate::store::{Store, StoreError, agencies, directives};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "dondoc-demo";

/// Creates one demo account per role when there are no users yet: `quantri` (admin), `vanthu`
/// (clerk), `lanhdao` (leader), and `donvi1`, `donvi2` for the two agencies leading the most tasks.
/// Returns the accounts made, as (name, role, agency).
pub fn ensure_users(store: &Store) -> Result<Vec<(String, Role, Option<String>)>, StoreError> {
    if !store.read(users::list)?.is_empty() {
        return Ok(Vec::new());
    }
    let hash = crate::web::auth::hash_password(DEMO_PASSWORD)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let leads = store.read(|c| agencies::busiest_leads(c, 2))?;
    let mut accounts = vec![
        (
            "quantri".to_string(),
            "Quản trị hệ thống",
            Role::Admin,
            None,
        ),
        ("vanthu".to_string(), "Văn thư", Role::Clerk, None),
        ("lanhdao".to_string(), "Lãnh đạo", Role::Leader, None),
    ];
    for (i, agency) in leads.into_iter().enumerate() {
        accounts.push((
            format!("donvi{}", i + 1),
            "Cán bộ đơn vị",
            Role::Agency,
            Some(agency),
        ));
    }
    store.write(|c| {
        for (name, display, role, agency) in &accounts {
            users::add(
                c,
                &NewUser {
                    username: name,
                    display_name: display,
                    role: *role,
                    agency: agency.as_deref(),
                    password_hash: Some(hash.clone()),
                },
                "demo",
            )?;
        }
        Ok(())
    })?;
    Ok(accounts
        .into_iter()
        .map(|(name, _, role, agency)| (name, role, agency))
        .collect())
}

/// Where the sample directives are: `corpus/directives` under the current folder, else in the source
/// tree the binary was built from.
fn demo_dir() -> Option<PathBuf> {
    [
        PathBuf::from("corpus/directives"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/directives"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

/// Registers the clean sample directives if the database holds no directive; returns how many.
pub fn load_if_empty(store: &Store, config: &Config) -> Result<usize, StoreError> {
    if store.read(directives::count)? > 0 {
        return Ok(0);
    }
    let Some(dir) = demo_dir() else {
        tracing::warn!("no demo directives found (corpus/directives)");
        return Ok(0);
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            name.ends_with(".txt") && !name.ends_with(".ocr.txt")
        })
        .collect();
    files.sort();
    let mut loaded = 0;
    for path in files {
        let content = std::fs::read(&path)?;
        let file = IncomingFile {
            file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            content,
        };
        let registration = intake::Registration::in_office(&config.office.name);
        match intake::register(store, &file, &config.limits, &registration, "demo", None) {
            Ok(_) => loaded += 1,
            Err(e) => tracing::warn!("demo file {}: {e}", path.display()),
        }
    }
    Ok(loaded)
}
