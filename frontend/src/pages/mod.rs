pub mod check;
pub mod create;
pub mod inspect;
pub mod not_found;
