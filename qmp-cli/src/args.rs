//! The command line: a small hand-written parser (no `clap`, to keep the build light) and the
//! help texts.
//!
//! Options may come before or after the positional argument; `--opt=value` and `--opt value` are
//! both accepted; `--` ends the options.

use std::path::PathBuf;
use std::time::Duration;

/// The top-level help.
pub const HELP: &str = "\
qmp-events: check QMP event messages against the QMP events document

Usage: qmp-events <COMMAND> [OPTIONS]

Commands:
  validate  Check QMP messages (one JSON object per line) against the spec
  watch     Connect to a QMP unix socket and print events as they arrive
  diff      Compare the events of two specs (any kinds) as they look on the wire

Options:
  -h, --help     Print help (also `qmp-events <COMMAND> --help`)
  -V, --version  Print version

Exit status: 0 success, 1 validate found violations or invalid JSON, 2 usage or I/O error.
";

/// The help of `validate`.
pub const VALIDATE_HELP: &str = "\
Check QMP messages, one JSON object per line, against the QMP events document

Usage: qmp-events validate [--spec FILE | --spec-from SOCKET] [--cfg NAME]... [--json]
                           [--max-line-len BYTES] [FILE|-]

Arguments:
  [FILE|-]  The messages to check (default and `-`: standard input); blank lines are ignored

Options:
      --spec FILE         Check against this spec, read at run time, instead of the validators
                          generated from the default spec: the legacy events document, a QAPI
                          schema (qapi/qapi-schema.json, includes followed) or a saved
                          query-qmp-schema reply (JSON), told apart by their content
      --spec-from SOCKET  Ask the QEMU at this QMP unix socket for its schema
                          (query-qmp-schema) and check against exactly that
      --cfg NAME          A build option that holds (CONFIG_SPICE, TARGET_I386, ...), for a QAPI
                          schema's conditions; repeatable. Without any, every definition counts,
                          whatever its condition (stderr says which events have one)
      --json              Print one JSON object per line instead of text
      --max-line-len BYTES
                          The longest line checked (suffixes K, M, G: binary) [default: 64M,
                          QEMU's own bound on a JSON value]. A longer line is never held in
                          memory: it is skipped to its newline and reported, and the check goes
                          on with the next line. A line with no newline within 1G past the
                          limit (/dev/zero, say) stops the run with an error (exit 2)
  -h, --help              Print help

Output (stdout), one line per violation, then a summary line:
  LINE: EVENT: /json/pointer: what is wrong
  LINE: -: invalid JSON: <error>
  LINE: -: line too long: <length> bytes from byte <offset>, the limit is <limit>; skipped
  messages: N, known: K, unknown: U, violations: V, invalid-json: J
EVENT is `-` when the message has no event name; the pointer `/` means the whole message.
invalid-json counts every line that could not be read as a JSON object, too long ones included.
Drift (an event, member or value the spec does not know, marked `(drift)`) counts as a
violation. A command reply or greeting is not an event: it is reported as one (missing
`event`, unknown member `return`).

With --json each violation is {\"line\", \"event\", \"pointer\", \"kind\", <kind's fields>,
\"message\", \"drift\"} (pointer \"\" is the whole message, as in RFC 6901), an invalid line has
kind \"invalid_json\", an over-long one kind \"line_too_long\" (with \"len\", \"limit\" and
\"offset\"), and the last line is {\"summary\": {\"messages\", \"known\", \"unknown\",
\"violations\", \"invalid_json\"}}.

Exit status: 0 no violations and no invalid JSON, 1 otherwise, 2 usage, I/O or spec errors.
";

/// The help of `watch`.
pub const WATCH_HELP: &str = "\
Connect to a QMP unix socket and print each event as it arrives

Usage: qmp-events watch [--json] [--timeout SECONDS] [--max-line-len BYTES] [--spec-from-live]
                        SOCKET

Arguments:
  SOCKET  The QMP unix socket (QEMU: -qmp unix:SOCKET,server=on,wait=off)

Options:
      --json               Print each event line exactly as received (without the line ending)
      --timeout SECONDS    How long the whole handshake may take, however slowly the server
                           sends: connecting, the greeting, the capabilities reply and the
                           schema with --spec-from-live, under one deadline; from 0.001 to
                           604800 (7 days) [default: 10]
      --max-line-len BYTES The longest line read from the socket (suffixes K, M, G: binary)
                           [default: 64M]; a longer one is skipped with a warning. Bytes that
                           run on 1G past it without a newline end the watch (exit 2)
      --spec-from-live     Check each event against the schema of the QEMU being watched
                           (query-qmp-schema, asked once after connecting) instead of the
                           default spec
  -h, --help               Print help

Text output, one line per event:
  2010-02-24T14:03:43.435656Z BALLOON_CHANGE actual=944766976
The time is UTC (`-` when the message has none, or QEMU could not read the clock: -1/-1);
nested values are compact JSON; what differs from the spec follows in brackets:
  [drift: /data: unknown member `sectors-count`] [invalid: /data: missing required member ...]
Command replies are not printed; a line that is not JSON, or too long, is skipped with a
warning on stderr.
Runs until the socket closes (exit 0) or Ctrl-C.

Exit status: 0 the socket closed, 2 cannot connect (no such file, not a socket, nothing
listening), not a QMP server, the handshake timed out, or an I/O error.
";

/// The help of `diff`.
pub const DIFF_HELP: &str = "\
Compare the events of two specs as they look on the wire

Usage: qmp-events diff [--cfg NAME]... [--json] OLD NEW

Arguments:
  OLD, NEW  Two specs, each of any kind: the legacy events document, a QAPI schema or a saved
            query-qmp-schema reply (JSON)

Options:
      --cfg NAME  A build option that holds, for a QAPI schema's conditions; repeatable. Without
                  any, every definition counts, whatever its condition (stderr says which
                  events have one)
      --json      Print one JSON object per difference instead of text
  -h, --help      Print help

What is compared: member names, JSON types (every integer width is `int`), optionality, sets of
values, nesting (objects, arrays, union branches, alternates). Type names, docs and features
are not. Output (stdout), one line per difference, events in name order:
  + NAME                         an event only NEW has
  - NAME                         an event only OLD has
  ~ NAME /data/member: change    a member added, removed, renamed-looking, retyped, made
                                 optional or required; a value added to or removed from a set;
                                 a wrapper (`/data/info`) added or removed; ...
`*` in a path stands for any array element, `[tag=value]` for a union's branch.
With --json each line is {\"event\", \"change\", \"kind\", \"path\", \"detail\", \"line\"}.

Exit status: 0 the specs are equal on the wire, 1 they differ, 2 usage, I/O or spec errors.
";

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Print this text on stdout and exit 0.
    Help(&'static str),
    /// Print the version and exit 0.
    Version,
    /// `validate`.
    Validate(ValidateArgs),
    /// `watch`.
    Watch(WatchArgs),
    /// `diff`.
    Diff(DiffArgs),
}

/// The arguments of `validate`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValidateArgs {
    /// `--spec`: check against this document instead of the generated validators.
    pub spec: Option<PathBuf>,
    /// `--spec-from`: check against the schema of the QEMU at this socket.
    pub spec_from: Option<PathBuf>,
    /// `--cfg`: the build options that hold; empty: every definition counts.
    pub cfg: Vec<String>,
    /// `--json`.
    pub json: bool,
    /// The input; `None` for standard input.
    pub input: Option<PathBuf>,
    /// `--max-line-len`: the longest line checked; `None` for the default (64 MiB).
    pub max_line_len: Option<usize>,
}

/// The arguments of `diff`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiffArgs {
    /// The old spec.
    pub old: PathBuf,
    /// The new spec.
    pub new: PathBuf,
    /// `--cfg`.
    pub cfg: Vec<String>,
    /// `--json`.
    pub json: bool,
}

/// The arguments of `watch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchArgs {
    /// `--json`.
    pub json: bool,
    /// The bound of the whole handshake (connect, greeting, negotiation, schema).
    pub timeout: Duration,
    /// `--max-line-len`: the longest line read from the socket; `None` for the default.
    pub max_line_len: Option<usize>,
    /// The QMP socket.
    pub socket: PathBuf,
    /// `--spec-from-live`: check events against the watched QEMU's own schema.
    pub spec_from_live: bool,
}

/// Parses the arguments after the program name. `Err` is a one-line usage error.
pub fn parse(args: Vec<String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    let Some(first) = args.next() else {
        return Err("missing command (see `qmp-events --help`)".to_owned());
    };
    match first.as_str() {
        "-h" | "--help" | "help" => Ok(Command::Help(HELP)),
        "-V" | "--version" => Ok(Command::Version),
        "validate" => parse_validate(args.collect()),
        "watch" => parse_watch(args.collect()),
        "diff" => parse_diff(args.collect()),
        other => Err(format!(
            "unknown command `{other}` (see `qmp-events --help`)"
        )),
    }
}

/// One command-line item: an option with its inline value (`--spec=x`), or a positional.
enum Item {
    Flag(String, Option<String>),
    Positional(String),
}

/// Splits arguments into options and positionals, honouring `--` and `--opt=value`.
fn items(args: Vec<String>) -> Vec<Item> {
    let mut out = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--" {
            out.extend(args.by_ref().map(Item::Positional));
        } else if arg.starts_with("--") {
            match arg.split_once('=') {
                Some((name, value)) => {
                    out.push(Item::Flag(name.to_owned(), Some(value.to_owned())))
                }
                None => out.push(Item::Flag(arg, None)),
            }
        } else if arg.starts_with('-') && arg != "-" {
            out.push(Item::Flag(arg, None));
        } else {
            out.push(Item::Positional(arg));
        }
    }
    out
}

/// Takes the value of an option: inline (`--x=v`) or the next item.
fn value_of(
    command: &str,
    name: &str,
    inline: Option<String>,
    rest: &mut std::vec::IntoIter<Item>,
) -> Result<String, String> {
    if let Some(value) = inline {
        return Ok(value);
    }
    match rest.next() {
        Some(Item::Positional(value)) => Ok(value),
        _ => Err(format!(
            "{command}: option `{name}` needs a value (see `qmp-events {command} --help`)"
        )),
    }
}

fn unknown_option(command: &str, name: &str) -> String {
    format!("{command}: unknown option `{name}` (see `qmp-events {command} --help`)")
}

fn no_value(command: &str, name: &str, inline: &Option<String>) -> Result<(), String> {
    match inline {
        Some(_) => Err(format!("{command}: option `{name}` takes no value")),
        None => Ok(()),
    }
}

fn parse_validate(args: Vec<String>) -> Result<Command, String> {
    let mut out = ValidateArgs::default();
    let mut positionals = Vec::new();
    let mut rest = items(args).into_iter();
    while let Some(item) = rest.next() {
        match item {
            Item::Positional(p) => positionals.push(p),
            Item::Flag(name, inline) => match name.as_str() {
                "-h" | "--help" => return Ok(Command::Help(VALIDATE_HELP)),
                "--json" => {
                    no_value("validate", &name, &inline)?;
                    out.json = true;
                }
                "--spec" => {
                    let value = value_of("validate", &name, inline, &mut rest)?;
                    out.spec = Some(PathBuf::from(value));
                }
                "--spec-from" => {
                    let value = value_of("validate", &name, inline, &mut rest)?;
                    out.spec_from = Some(PathBuf::from(value));
                }
                "--cfg" => out
                    .cfg
                    .push(value_of("validate", &name, inline, &mut rest)?),
                "--max-line-len" => {
                    let value = value_of("validate", &name, inline, &mut rest)?;
                    out.max_line_len = Some(parse_size("validate", &name, &value)?);
                }
                _ => return Err(unknown_option("validate", &name)),
            },
        }
    }
    if out.spec.is_some() && out.spec_from.is_some() {
        return Err(
            "validate: give --spec or --spec-from, not both (see `qmp-events validate --help`)"
                .to_owned(),
        );
    }
    match positionals.as_slice() {
        [] => {}
        [one] if one == "-" => {}
        [one] => out.input = Some(PathBuf::from(one)),
        [_, extra, ..] => {
            return Err(format!(
                "validate: unexpected argument `{extra}`: give one FILE (see `qmp-events validate --help`)"
            ));
        }
    }
    Ok(Command::Validate(out))
}

/// The bounds of `--timeout`: 1 ms (below it, the OS rounds a socket timeout up or to "none")
/// to 7 days.
const TIMEOUT_RANGE: (f64, f64) = (0.001, 7.0 * 86_400.0);

/// `--timeout SECONDS`: a finite number within [`TIMEOUT_RANGE`], checked here so that a value
/// like `1e-10` or `1e300` is refused before anything runs.
fn parse_timeout(value: &str) -> Result<Duration, String> {
    let (min, max) = TIMEOUT_RANGE;
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= min && *s <= max)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| {
            format!(
                "watch: `--timeout {value}`: expected a number of seconds from {min} (1 ms) to \
                 {max} (7 days)"
            )
        })
}

/// `--max-line-len BYTES`: a positive byte count, with an optional binary suffix (`K`/`KiB`,
/// `M`/`MiB`, `G`/`GiB`).
fn parse_size(command: &str, name: &str, value: &str) -> Result<usize, String> {
    let text = value.trim();
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let (number, suffix) = text.split_at(digits);
    let shift = match suffix.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kib" => 10,
        "m" | "mib" => 20,
        "g" | "gib" => 30,
        _ => u32::MAX,
    };
    number
        .parse::<usize>()
        .ok()
        .filter(|n| *n > 0 && shift != u32::MAX)
        .and_then(|n| n.checked_mul(1usize.checked_shl(shift)?))
        .filter(|n| *n <= isize::MAX as usize / 2)
        .ok_or_else(|| {
            format!(
                "{command}: `{name} {value}`: expected a positive number of bytes, optionally \
                 with K, M or G (binary: 1K = 1024)"
            )
        })
}

fn parse_watch(args: Vec<String>) -> Result<Command, String> {
    let mut json = false;
    let mut spec_from_live = false;
    let mut timeout = Duration::from_secs(10);
    let mut max_line_len = None;
    let mut positionals = Vec::new();
    let mut rest = items(args).into_iter();
    while let Some(item) = rest.next() {
        match item {
            Item::Positional(p) => positionals.push(p),
            Item::Flag(name, inline) => match name.as_str() {
                "-h" | "--help" => return Ok(Command::Help(WATCH_HELP)),
                "--json" => {
                    no_value("watch", &name, &inline)?;
                    json = true;
                }
                "--timeout" => {
                    timeout = parse_timeout(&value_of("watch", &name, inline, &mut rest)?)?;
                }
                "--max-line-len" => {
                    let value = value_of("watch", &name, inline, &mut rest)?;
                    max_line_len = Some(parse_size("watch", &name, &value)?);
                }
                "--spec-from-live" => {
                    no_value("watch", &name, &inline)?;
                    spec_from_live = true;
                }
                _ => return Err(unknown_option("watch", &name)),
            },
        }
    }
    match positionals.as_slice() {
        [socket] => Ok(Command::Watch(WatchArgs {
            json,
            timeout,
            max_line_len,
            socket: PathBuf::from(socket),
            spec_from_live,
        })),
        [] => Err("watch: missing SOCKET (see `qmp-events watch --help`)".to_owned()),
        [_, extra, ..] => Err(format!(
            "watch: unexpected argument `{extra}`: give one SOCKET (see `qmp-events watch --help`)"
        )),
    }
}

fn parse_diff(args: Vec<String>) -> Result<Command, String> {
    let mut out = DiffArgs::default();
    let mut positionals = Vec::new();
    let mut rest = items(args).into_iter();
    while let Some(item) = rest.next() {
        match item {
            Item::Positional(p) => positionals.push(p),
            Item::Flag(name, inline) => match name.as_str() {
                "-h" | "--help" => return Ok(Command::Help(DIFF_HELP)),
                "--json" => {
                    no_value("diff", &name, &inline)?;
                    out.json = true;
                }
                "--cfg" => out.cfg.push(value_of("diff", &name, inline, &mut rest)?),
                _ => return Err(unknown_option("diff", &name)),
            },
        }
    }
    match positionals.as_slice() {
        [old, new] => {
            out.old = PathBuf::from(old);
            out.new = PathBuf::from(new);
            Ok(Command::Diff(out))
        }
        [_, _, extra, ..] => Err(format!(
            "diff: unexpected argument `{extra}`: give OLD and NEW (see `qmp-events diff --help`)"
        )),
        _ => Err("diff: give two specs, OLD and NEW (see `qmp-events diff --help`)".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn validate_options_in_any_order() {
        let parsed = parse(args(&["validate", "in.jsonl", "--spec=s.txt", "--json"]));
        assert_eq!(
            parsed,
            Ok(Command::Validate(ValidateArgs {
                spec: Some("s.txt".into()),
                json: true,
                input: Some("in.jsonl".into()),
                ..ValidateArgs::default()
            }))
        );
        let stdin = parse(args(&["validate", "--spec", "s.txt", "-"]));
        assert!(matches!(
            stdin,
            Ok(Command::Validate(ValidateArgs { input: None, .. }))
        ));
    }

    #[test]
    fn usage_errors() {
        assert!(parse(args(&[])).is_err());
        assert!(parse(args(&["frobnicate"])).is_err());
        assert!(parse(args(&["validate", "--spec"])).is_err());
        assert!(parse(args(&["validate", "a", "b"])).is_err());
        assert!(parse(args(&["validate", "--json=yes"])).is_err());
        assert!(parse(args(&["watch"])).is_err());
        for bad in [
            "-1", "0", "1e-10", "0.0009", "nan", "inf", "1e300", "604801", "", "x",
        ] {
            let err = parse(args(&["watch", &format!("--timeout={bad}"), "s"])).unwrap_err();
            assert!(
                err.contains("expected a number of seconds from 0.001"),
                "{bad}: {err}"
            );
        }
        for good in ["0.001", "1", "604800"] {
            assert!(
                parse(args(&["watch", "--timeout", good, "s"])).is_ok(),
                "{good}"
            );
        }
        for bad in ["0", "-1", "1X", "K", "1.5M", "99999999999G"] {
            let err = parse(args(&["validate", &format!("--max-line-len={bad}")])).unwrap_err();
            assert!(
                err.contains("expected a positive number of bytes"),
                "{bad}: {err}"
            );
        }
        assert!(parse(args(&["watch", "--bogus", "s"])).is_err());
    }

    #[test]
    fn max_line_len() {
        for (text, bytes) in [
            ("1", 1),
            ("4096", 4096),
            ("16K", 16 << 10),
            ("2MiB", 2 << 20),
        ] {
            assert!(
                matches!(
                    parse(args(&["validate", "--max-line-len", text])),
                    Ok(Command::Validate(ValidateArgs { max_line_len: Some(n), .. })) if n == bytes
                ),
                "{text}"
            );
        }
        assert!(matches!(
            parse(args(&["watch", "--max-line-len=1g", "s"])),
            Ok(Command::Watch(WatchArgs { max_line_len: Some(n), .. })) if n == 1 << 30
        ));
    }

    #[test]
    fn watch_timeout() {
        let parsed = parse(args(&["watch", "--timeout", "0.5", "--", "--weird-socket"]));
        assert_eq!(
            parsed,
            Ok(Command::Watch(WatchArgs {
                json: false,
                timeout: Duration::from_millis(500),
                max_line_len: None,
                socket: "--weird-socket".into(),
                spec_from_live: false,
            }))
        );
    }
}

#[cfg(test)]
mod wire_tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn diff_and_the_new_options() {
        assert_eq!(
            parse(args(&[
                "diff", "--cfg", "A", "a.json", "--json", "b.txt", "--cfg=B"
            ])),
            Ok(Command::Diff(DiffArgs {
                old: "a.json".into(),
                new: "b.txt".into(),
                cfg: vec!["A".into(), "B".into()],
                json: true,
            }))
        );
        assert!(parse(args(&["diff", "a"])).is_err());
        assert!(parse(args(&["diff", "a", "b", "c"])).is_err());
        assert!(parse(args(&["diff", "--cfg"])).is_err());
        assert!(parse(args(&["validate", "--spec", "a", "--spec-from", "s"])).is_err());
        assert!(matches!(
            parse(args(&["validate", "--spec-from", "s", "--cfg", "X"])),
            Ok(Command::Validate(ValidateArgs { spec_from: Some(_), ref cfg, .. })) if cfg == &["X"]
        ));
        assert!(matches!(
            parse(args(&["watch", "--spec-from-live", "s"])),
            Ok(Command::Watch(WatchArgs {
                spec_from_live: true,
                ..
            }))
        ));
        assert!(parse(args(&["watch", "--spec-from-live=1", "s"])).is_err());
    }
}
