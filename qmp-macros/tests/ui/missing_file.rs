qmp_macros::qmp_events!("tests/ui/no-such-spec.txt");

fn main() {}
