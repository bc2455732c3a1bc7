//! The tags page's module (`/tags?repository=`).
fn main() {
    frontend::app::start(frontend::pages::tags::MODULE);
}
