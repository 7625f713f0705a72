//! Rebuilds the crate when a migration is added: `embed_migrations!` reads the folder at compile
//! time, and cargo only notices new files through this hint.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
