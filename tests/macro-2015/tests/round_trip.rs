//! Every valid example of the 2015-07 document decodes into its typed variant and serializes back
//! to the same JSON; the 3 that are not JSON are left out, and are indeed not JSON.

use qmp_events::Message;
use qmp_macro_2015::{Event, EventKind};
use qmp_spec::ir;
use serde_json::Value;

fn spec() -> ir::Spec {
    let path = qmp_spec::default_spec_path().with_file_name("qmp-events-qemu-2015-07.txt");
    let text = std::fs::read_to_string(&path).expect("the 2015-07 document");
    qmp_spec::parse("qmp-events-qemu-2015-07.txt", &text)
        .expect("the 2015-07 document parses")
        .spec
}

#[test]
fn the_34_events_are_generated() {
    let spec = spec();
    let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
    let expected: Vec<&str> = spec.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names.len(), 34);
    assert_eq!(names, expected);
}

#[test]
fn the_31_valid_examples_round_trip_through_typed_variants() {
    let mut round_tripped = 0;
    for event in spec().events {
        for value in event.examples.iter().filter_map(ir::Example::value) {
            let name = &event.name;
            let message: Message<Event> =
                serde_json::from_value(value.clone()).expect("every JSON object decodes");
            assert_eq!(message.name(), Some(name.as_str()));
            match &message.event {
                Event::Unknown(_) | Event::Mismatched(_) | Event::Absent => {
                    panic!("{name}: not a typed variant: {:?}", message.event)
                }
                _ => {}
            }
            assert_eq!(message.violations(), vec![], "{name}");
            let back: Value = serde_json::to_value(&message).expect("serializes");
            assert_eq!(&back, value, "{name}");
            round_tripped += 1;
        }
    }
    assert_eq!(round_tripped, 31);
}

#[test]
fn the_3_invalid_examples_are_not_json() {
    let mut invalid = Vec::new();
    for event in spec().events {
        for example in &event.examples {
            if example.value().is_none() {
                assert!(serde_json::from_str::<Message<Event>>(&example.text).is_err());
                invalid.push(event.name.clone());
            }
        }
    }
    let expected = [
        "BLOCK_JOB_READY",
        "MEM_UNPLUG_ERROR",
        "NIC_RX_FILTER_CHANGED",
    ];
    assert_eq!(invalid, expected);
}
