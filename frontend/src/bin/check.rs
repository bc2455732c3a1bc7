//! The check page's module (`/check`).
fn main() {
    frontend::app::start(frontend::pages::check::MODULE);
}
