//! The macro's expansion of QEMU 10.0.2's schema and the checked-in `qmp_events::qemu_10_0`
//! decode every line real QEMU sent alike: the same event, the same JSON back, the same
//! violations.

use qmp_events::Message;

const CORPUS: &str = include_str!("../../data/qemu-10.0.2-live-events.jsonl");

#[test]
fn the_macro_and_the_checked_in_module_agree_on_real_traffic() {
    let mut lines = 0;
    for line in CORPUS.lines().filter(|l| !l.trim().is_empty()) {
        let checked_in: Message<qmp_events::qemu_10_0::Event> = line.parse().expect("parses");
        let expanded: Message<qmp_macro_qapi::qemu::Event> = line.parse().expect("parses");
        assert_eq!(checked_in.name(), expanded.name(), "{line}");
        assert_eq!(
            checked_in.event.kind().map(|k| k.as_str()),
            expanded.event.kind().map(|k| k.as_str()),
            "{line}"
        );
        assert_eq!(checked_in.to_value(), expanded.to_value(), "{line}");
        assert_eq!(checked_in.violations(), expanded.violations(), "{line}");
        assert!(expanded.violations().is_empty(), "{line}");
        lines += 1;
    }
    assert!(lines > 100, "only {lines} lines");
    assert_eq!(qmp_macro_qapi::qemu::EventKind::ALL.len(), 56);
}
