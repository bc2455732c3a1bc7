//! The create page's module (`/create`).
fn main() {
    frontend::app::start(frontend::pages::create::MODULE);
}
