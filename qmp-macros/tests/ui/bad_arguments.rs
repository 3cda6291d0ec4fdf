mod ident {
    qmp_macros::qmp_events!(spec);
}

mod empty {
    qmp_macros::qmp_events!();
}

mod unknown_key {
    qmp_macros::qmp_events!("../qmp-spec/spec/qmp-events.txt", doctest = "qmp_events");
}

mod not_a_path {
    qmp_macros::qmp_events!("../qmp-spec/spec/qmp-events.txt", doctest_crate = "my crate");
}

mod extra {
    qmp_macros::qmp_events!("../qmp-spec/spec/qmp-events.txt", "more.txt");
}

fn main() {}
