//! Inputs for the benchmarks of this workspace (`cargo bench -p qmp-bench`).
//!
//! - [`corpus`]: QMP message lines: every valid example of the spec documents plus a seeded,
//!   deterministic stream of realistic messages.
//! - [`synthetic`]: larger spec documents made by repeating a real one with renamed events, to
//!   show how regeneration cost grows with document size.
//!
//! See `BENCHMARKS.md` at the root of the workspace for the method and the figures.

pub mod corpus;
pub mod synthetic;
