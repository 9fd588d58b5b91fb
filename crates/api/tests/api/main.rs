//! Contract tests for the generated CRDs and the status types.
//!
//! One test binary with several modules, so that the large k8s-openapi dependency is linked once.

// clippy's allow-unwrap-in-tests covers `#[test]` functions, not the helpers they share; in a
// test a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod descriptions;
mod examples;
mod names;
mod structure;
mod support;
