//! The compare page's module (`/compare?a=&b=`).
fn main() {
    frontend::app::start(frontend::pages::compare::MODULE);
}
