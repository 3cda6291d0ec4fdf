//! The benchmark corpus: QMP message lines, one JSON object each.
//!
//! Two parts, always built the same way (no randomness from the environment):
//!
//! - [`examples`]: every example of the seed document and of the 2015-07 document that is valid
//!   JSON, squeezed onto one line with its key order kept (examples of events the seed does not
//!   describe decode as unknown events);
//! - [`stream`]: a seeded stream of realistic messages of the eight seed events (SPICE host and
//!   port strings, QUORUM sector numbers, BALLOON sizes, ...), with the timestamp first as QEMU
//!   sends it or last, and, about one message in ten each, an event the seed does not describe
//!   or a member it does not describe.

use std::fmt::Write as _;

/// The seed events document (8 events); `spec/` links to qmp-spec's copies, so that a package
/// of this crate carries its own.
pub const SEED_SPEC: &str = include_str!("../spec/qmp-events.txt");
/// The name the seed document is parsed under.
pub const SEED_SPEC_NAME: &str = "qmp-spec/spec/qmp-events.txt";
/// The QEMU 2015-07 events document (34 events).
pub const QEMU_2015_07_SPEC: &str = include_str!("../spec/qmp-events-qemu-2015-07.txt");
/// The name the 2015-07 document is parsed under.
pub const QEMU_2015_07_SPEC_NAME: &str = "qmp-spec/spec/qmp-events-qemu-2015-07.txt";

/// Every event line real QEMU 10.0.2 sent during one run of the live tests (116 lines, 40
/// distinct events), byte for byte, timestamps and key orders as QEMU wrote them; `data/` links
/// to the copy in `tests/data` (see its README).
pub const QEMU_10_0_LIVE: &str = include_str!("../data/qemu-10.0.2-live-events.jsonl");

/// The lines of [`QEMU_10_0_LIVE`], in file order (blank lines skipped).
pub fn live_qemu_10_0() -> Vec<&'static str> {
    QEMU_10_0_LIVE
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// The number of messages [`corpus`] puts in the generated stream.
pub const STREAM_LEN: usize = 3000;

/// The seed of the generated stream.
pub const STREAM_SEED: u64 = 0x005e_ed0f_9e11_2015;

/// The whole corpus: [`examples`] then [`stream`] of [`STREAM_LEN`] messages.
pub fn corpus() -> Vec<String> {
    let mut lines = examples();
    lines.extend(stream(STREAM_SEED, STREAM_LEN));
    lines
}

/// Every valid example of both documents, one line each, key order as written.
///
/// # Panics
///
/// If a document does not parse or a squeezed example no longer reads as the same JSON (both
/// would be bugs: the documents are checked in).
pub fn examples() -> Vec<String> {
    let mut lines = Vec::new();
    for (name, text) in [
        (SEED_SPEC_NAME, SEED_SPEC),
        (QEMU_2015_07_SPEC_NAME, QEMU_2015_07_SPEC),
    ] {
        let parsed = qmp_spec::parse(name, text)
            .unwrap_or_else(|errors| panic!("{name} does not parse: {errors:?}"));
        for event in &parsed.spec.events {
            for example in &event.examples {
                let Some(value) = example.value() else {
                    continue;
                };
                let line = squeeze(&example.text);
                let again: serde_json::Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("squeezed example does not parse: {e}: {line}"));
                assert_eq!(&again, value, "squeezing changed an example");
                lines.push(line);
            }
        }
    }
    lines
}

/// Puts JSON text on one line: drops the whitespace outside strings, then writes `": "` and
/// `", "` as QEMU does. Keeps the key order.
pub fn squeeze(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            ':' | ',' => {
                out.push(c);
                out.push(' ');
            }
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// A xorshift64* generator: small, deterministic and good enough for picking test values.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from a seed (a zero seed is replaced, xorshift never leaves zero).
    pub fn new(seed: u64) -> XorShift {
        XorShift(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// One of `items`.
    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len() as u64) as usize]
    }

    /// True with probability `1 / n`.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}

/// Events the seed does not describe, with data as QEMU sends it.
const UNKNOWN_EVENTS: &[(&str, &str)] = &[
    ("SHUTDOWN", r#"{"guest": true, "reason": "guest-shutdown"}"#),
    ("STOP", ""),
    ("RESUME", ""),
    ("RESET", r#"{"guest": true, "reason": "guest-reset"}"#),
    ("POWERDOWN", ""),
    (
        "RTC_CHANGE",
        r#"{"offset": 78, "qom-path": "/machine/unattached/device[7]"}"#,
    ),
    (
        "BLOCK_JOB_COMPLETED",
        r#"{"type": "mirror", "device": "drive-virtio-disk0", "len": 10737418240, "offset": 10737418240, "speed": 0}"#,
    ),
    (
        "BLOCK_JOB_READY",
        r#"{"type": "mirror", "device": "drive-virtio-disk0", "len": 2097152, "offset": 2097152, "speed": 0}"#,
    ),
    (
        "DEVICE_DELETED",
        r#"{"device": "virtio-net-pci-0", "path": "/machine/peripheral/virtio-net-pci-0"}"#,
    ),
    (
        "VNC_CONNECTED",
        r#"{"server": {"auth": "sasl", "family": "ipv4", "service": "5901", "host": "0.0.0.0", "websocket": false}, "client": {"family": "ipv4", "service": "58425", "host": "127.0.0.1", "websocket": false}}"#,
    ),
    ("MIGRATION", r#"{"status": "completed"}"#),
    (
        "NIC_RX_FILTER_CHANGED",
        r#"{"name": "vnet0", "path": "/machine/peripheral/vnet0/virtio-backend"}"#,
    ),
];

/// Members a newer QEMU might add to a message or to a known event's data (none of them is a
/// member of a seed event, so that adding one never makes a duplicate key).
const EXTRA_MEMBERS: &[&str] = &[
    r#""qom-path": "/machine/peripheral/balloon0/virtio-backend""#,
    r#""id": "balloon0""#,
    r#""reason": "host-qmp-quit""#,
    r#""vcpu": 3"#,
];

/// A generated stream of `len` realistic QMP messages, the same for the same seed.
pub fn stream(seed: u64, len: usize) -> Vec<String> {
    let mut rng = XorShift::new(seed);
    let mut seconds: u64 = 1_700_000_000;
    (0..len)
        .map(|_| {
            seconds += rng.below(30);
            let timestamp = format!(
                r#""timestamp": {{"seconds": {seconds}, "microseconds": {}}}"#,
                rng.below(1_000_000)
            );
            message(&mut rng, &timestamp)
        })
        .collect()
}

/// One message: the event name and data, plus the timestamp first (3 in 4, as QEMU sends it) or
/// last.
fn message(rng: &mut XorShift, timestamp: &str) -> String {
    let known = !rng.one_in(10);
    let (name, mut data) = if known {
        known_event(rng)
    } else {
        let (name, data) = UNKNOWN_EVENTS[rng.below(UNKNOWN_EVENTS.len() as u64) as usize];
        (name.to_owned(), data.to_owned())
    };
    let mut top_extra = None;
    if rng.one_in(10) {
        let member = rng.pick(EXTRA_MEMBERS);
        if known && !data.is_empty() && rng.below(4) != 0 {
            // Inside `data`, just after the opening brace.
            data = format!("{{{member}, {}", &data[1..]);
        } else {
            top_extra = Some(member);
        }
    }
    let mut parts = Vec::with_capacity(4);
    let timestamp_first = rng.below(4) != 0;
    if timestamp_first {
        parts.push(timestamp.to_owned());
    }
    parts.push(format!(r#""event": "{name}""#));
    if !data.is_empty() {
        parts.push(format!(r#""data": {data}"#));
    }
    if let Some(member) = top_extra {
        parts.push(member.to_owned());
    }
    if !timestamp_first {
        parts.push(timestamp.to_owned());
    }
    format!("{{{}}}", parts.join(", "))
}

fn ipv4(rng: &mut XorShift) -> String {
    match rng.below(3) {
        0 => "127.0.0.1".to_owned(),
        1 => format!("192.168.{}.{}", rng.below(256), 1 + rng.below(254)),
        _ => format!(
            "10.{}.{}.{}",
            rng.below(256),
            rng.below(256),
            1 + rng.below(254)
        ),
    }
}

/// A host, a port in `first..first + count` and the address family.
fn endpoint(rng: &mut XorShift, first: u64, count: u64) -> (String, String, &'static str) {
    let port = first + rng.below(count);
    if rng.one_in(5) {
        let host = format!("fe80::{:x}:{:x}", rng.below(0x10000), rng.below(0x10000));
        (host, port.to_string(), "ipv6")
    } else {
        (ipv4(rng), port.to_string(), "ipv4")
    }
}

fn spice_pair(rng: &mut XorShift) -> String {
    let (sh, sp, sf) = endpoint(rng, 5900, 100);
    let (ch, cp, cf) = endpoint(rng, 32768, 28232);
    format!(
        r#"{{"server": {{"port": "{sp}", "family": "{sf}", "host": "{sh}"}}, "client": {{"port": "{cp}", "family": "{cf}", "host": "{ch}"}}}}"#
    )
}

fn known_event(rng: &mut XorShift) -> (String, String) {
    let mut data = String::new();
    let name = match rng.below(8) {
        0 => {
            let slot = rng.below(32);
            let _ = write!(
                data,
                r#"{{"device": "dimm{slot}", "slot": "{slot}", "slot-type": "DIMM", "source": {}, "status": 0}}"#,
                1 + 2 * rng.below(2)
            );
            "ACPI_DEVICE_OST"
        }
        1 => {
            // Balloon sizes are whole MiB.
            let _ = write!(data, r#"{{"actual": {}}}"#, (256 + rng.below(16_128)) << 20);
            "BALLOON_CHANGE"
        }
        2 => {
            data.push_str(r#"{"action": "pause"}"#);
            "GUEST_PANICKED"
        }
        3 => {
            let _ = write!(
                data,
                r#"{{"reference": "{}", "sector-num": {}, "sector-count": {}}}"#,
                rng.pick(&["usr1", "quorum0", "drive-virtio-disk1"]),
                rng.below(1 << 31),
                1 << rng.below(8)
            );
            "QUORUM_FAILURE"
        }
        4 => {
            let error = if rng.one_in(3) {
                r#""error": "Input/output error", "#
            } else {
                ""
            };
            let _ = write!(
                data,
                r#"{{{error}"node-name": "{}", "sector-num": {}, "sector-count": {}}}"#,
                rng.pick(&["1.raw", "node-a", "#block311"]),
                rng.below(1 << 31),
                1 << rng.below(8)
            );
            "QUORUM_REPORT_BAD"
        }
        5 => {
            data = spice_pair(rng);
            "SPICE_CONNECTED"
        }
        6 => {
            data = spice_pair(rng);
            "SPICE_DISCONNECTED"
        }
        _ => {
            let (sh, sp, sf) = endpoint(rng, 5900, 100);
            let (ch, cp, cf) = endpoint(rng, 32768, 28232);
            let _ = write!(
                data,
                r#"{{"server": {{"auth": "{}", "port": "{sp}", "family": "{sf}", "host": "{sh}"}}, "client": {{"port": "{cp}", "family": "{cf}", "channel-type": {}, "connection-id": {}, "host": "{ch}", "channel-id": {}, "tls": {}}}}}"#,
                rng.pick(&["spice", "none", "sasl"]),
                1 + rng.below(11),
                rng.below(1 << 31),
                rng.below(4),
                rng.below(2) == 0
            );
            "SPICE_INITIALIZED"
        }
    };
    (name.to_owned(), data)
}
