//! `qmp-events` with `serde_json`'s `arbitrary_precision` and `preserve_order` on, as any other
//! crate of a user's dependency graph may turn them on; the tests are in `tests/`.
