//! The push plan (issue 3; being written).
