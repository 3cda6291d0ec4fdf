//! A thin proc-macro shell over `qmp-codegen`.
