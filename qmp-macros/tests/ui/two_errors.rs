qmp_macros::qmp_events!("tests/ui/two_errors.txt");

fn main() {}
