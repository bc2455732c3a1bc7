pub mod attestation;
pub mod check;
pub mod compare;
pub mod create;
pub mod inspect;
pub mod not_found;
pub mod sizes;
pub mod tags;
