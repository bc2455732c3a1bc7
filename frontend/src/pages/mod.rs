pub mod attestation;
pub mod create;
pub mod inspect;
pub mod not_found;
