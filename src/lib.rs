//! kmslint: a linter for AWS KMS key policies.
//!
//! The pipeline runs one way: discover files, read them, parse each into a span tree,
//! extract the key policies, read each into the policy model, run the rules, and render.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod access;
pub mod app;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod custom;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod explain;
pub mod extract;
pub mod fixer;
pub mod globs;
pub mod lint;
pub mod loader;
pub mod lsp;
pub mod model;
pub mod output;
pub mod paths;
pub mod project;
pub mod registry;
pub mod render;
pub mod rule;
pub mod rules;
pub mod settings;
pub mod source;
pub mod stdin;
pub mod suppress;
pub mod tree;
