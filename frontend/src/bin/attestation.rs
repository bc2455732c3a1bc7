//! The attestation page's module (`/attestation?ref=REPOSITORY@DIGEST`).
fn main() {
    frontend::app::start(frontend::pages::attestation::MODULE);
}
