//! The `qmp-events` command line tool.
fn main() {}
