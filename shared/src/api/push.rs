//! Push API types (issue 3; being written).
