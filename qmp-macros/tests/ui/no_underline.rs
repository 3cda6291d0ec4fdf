qmp_macros::qmp_events!("tests/ui/no_underline.txt");

fn main() {}
