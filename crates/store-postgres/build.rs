// The migrations are embedded by `sqlx::migrate!`; a migration added or
// changed must rebuild this crate (sqlx's documented build script).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
