//! IR -> Rust: types, serde impls, validators and docs for QMP events.
