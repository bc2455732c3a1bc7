//! The inspect page's module (`/`, `/?ref=`, and paths no page claims).
fn main() {
    frontend::app::start(frontend::pages::inspect::MODULE);
}
