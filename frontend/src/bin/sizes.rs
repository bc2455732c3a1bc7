//! The sizes page's module (`/sizes?ref=`).
fn main() {
    frontend::app::start(frontend::pages::sizes::MODULE);
}
