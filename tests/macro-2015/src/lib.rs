//! `qmp_events!` on the 34-event QEMU 2015-07 events document
//! (`qmp-spec/spec/qmp-events-qemu-2015-07.txt`, linked from `spec/` so that a package of this
//! crate carries its own copy), expanded at the crate root with the default
//! arguments (examples shown as JSON, not run). Its 3 examples that are not JSON are spec
//! warnings: they do not fail the build.
#![warn(missing_docs)]

qmp_macros::qmp_events!("spec/qmp-events-qemu-2015-07.txt");
