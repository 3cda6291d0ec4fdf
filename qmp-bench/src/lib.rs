//! Inputs for the benchmarks of this workspace (`cargo bench -p qmp-bench`).
//!
//! - [`corpus`]: QMP message lines: every valid example of the spec documents plus a seeded,
//!   deterministic stream of realistic messages; and [`corpus::live_qemu_10_0`], the event lines
//!   real QEMU 10.0.2 sent in the live tests.
//! - [`synthetic`]: larger spec documents made by repeating a real one with renamed events, to
//!   show how regeneration cost grows with document size.
//! - [`synthetic_qapi`]: QAPI schemas of any size, to show how reading cost grows with size.
//!
//! See `BENCHMARKS.md` at the root of the workspace for the method and the figures.

pub mod corpus;
pub mod synthetic;
pub mod synthetic_qapi;

/// `QMP_BENCH_ROUNDS=N`: run a bench's interleaved mode for `N` rounds instead of criterion.
pub fn interleaved_rounds() -> Option<usize> {
    std::env::var("QMP_BENCH_ROUNDS").ok()?.parse().ok()
}
