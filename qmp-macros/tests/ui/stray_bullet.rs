qmp_macros::qmp_events!("tests/ui/stray_bullet.txt");

fn main() {}
