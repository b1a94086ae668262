//! Holds nothing: the package exists so cargo fetches serde-sarif's sources (see Cargo.toml).
