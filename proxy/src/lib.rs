//! manifest-web's proxy (placeholder; being written).
