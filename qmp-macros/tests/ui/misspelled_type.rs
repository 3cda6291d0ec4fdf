qmp_macros::qmp_events!("tests/ui/misspelled_type.txt");

fn main() {}
