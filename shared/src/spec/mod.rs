//! The push spec (issue 3; being written).
