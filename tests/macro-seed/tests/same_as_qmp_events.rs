//! The macro's types for the default spec behave exactly like the checked-in `qmp_events` ones.

use qmp_macro_seed::seed;
use serde_json::Value;

fn seed_examples() -> Vec<(String, Value)> {
    let path = qmp_spec::default_spec_path();
    let text = std::fs::read_to_string(&path).expect("the default spec");
    let parsed = qmp_spec::parse("qmp-events.txt", &text).expect("the default spec parses");
    let examples: Vec<(String, Value)> = parsed
        .spec
        .events
        .iter()
        .flat_map(|event| {
            let values = event.examples.iter().filter_map(|e| e.value().cloned());
            values.map(|value| (event.name.clone(), value))
        })
        .collect();
    assert!(!examples.is_empty());
    examples
}

#[test]
fn the_events_are_the_same() {
    let ours: Vec<&str> = seed::EventKind::ALL.iter().map(|k| k.as_str()).collect();
    let theirs: Vec<&str> = qmp_events::EventKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(ours, theirs);
}

#[test]
fn every_example_decodes_alike_and_serializes_to_the_same_json() {
    for (name, value) in seed_examples() {
        let text = value.to_string();
        let ours: qmp_events::Message<seed::Event> =
            serde_json::from_str(&text).expect("decodes with the macro's types");
        let theirs: qmp_events::Message =
            serde_json::from_str(&text).expect("decodes with qmp_events");
        // An example may be listed under a heading naming several events: the message says
        // which one it is.
        assert_eq!(ours.name(), value["event"].as_str(), "{name}");
        assert!(!matches!(
            ours.event,
            seed::Event::Unknown(_) | seed::Event::Absent
        ));
        // Same type and variant names, same field values.
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"), "{name}");
        assert_eq!(ours.to_value(), theirs.to_value(), "{name}");
        assert_eq!(ours.to_value(), value, "{name}");
        assert_eq!(ours.violations(), theirs.violations(), "{name}");
    }
}
