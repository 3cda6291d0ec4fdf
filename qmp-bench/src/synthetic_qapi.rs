//! Synthetic QAPI schemas of any size, for the QAPI reader's benchmark: [`schema`] writes `units`
//! copies of one unit of definitions with distinct names, each as QEMU's own schema writes them
//! (doc comments with member, feature and `Since` sections and an example; conditions; features;
//! a base; an array; a union; an alternate), so that reading cost can be measured against size.

use std::fmt::Write;

/// A schema of `units` units; every unit defines an enum, three structs, a union, an alternate and
/// an event, about 2.3 KB in all.
pub fn schema(units: usize) -> String {
    let mut out = String::from("# -*- Mode: Python -*-\n# Synthetic schema for benchmarks.\n\n");
    for k in 0..units {
        unit(&mut out, k);
    }
    out
}

fn unit(out: &mut String, k: usize) {
    // `write!` to a String cannot fail.
    let _ = write!(
        out,
        r#"##
# @Colour{k}:
#
# The colours unit {k} knows about.
#
# @red: the colour of fire
#
# @green: the colour of grass
#
# @blue: the colour of the sky
#
# Since: 1.{k}
##
{{ 'enum': 'Colour{k}',
  'data': [ 'red', 'green', {{ 'name': 'blue', 'if': 'CONFIG_BLUE' }} ] }}

##
# @Base{k}:
#
# Common members.
#
# @kind: which colour
#
# @id: an identifier
##
{{ 'struct': 'Base{k}',
  'data': {{ 'kind': 'Colour{k}', 'id': 'str' }} }}

##
# @Info{k}:
#
# Everything about unit {k}, with a rather long paragraph of prose that goes on for a while,
# as QEMU's own documentation often does, explaining what each member means.
#
# @size: its size in bytes
#
# @tags: its tags
#
# @parent: the parent, if any
#
# Features:
#
# @fast: it is quick
#
# @deprecated: the parent is going away
#
# Since: 2.{k}
##
{{ 'struct': 'Info{k}', 'base': 'Base{k}',
  'data': {{ 'size': 'size', '*tags': ['str'],
            '*parent': {{ 'type': 'str', 'features': [ 'deprecated' ] }} }},
  'features': [ 'fast' ] }}

##
# @Extra{k}:
#
# What a red choice adds.
#
# @note: a note
##
{{ 'struct': 'Extra{k}', 'data': {{ 'note': 'str' }} }}

##
# @Choice{k}:
#
# One of several things; a red one says more.
##
{{ 'union': 'Choice{k}', 'base': 'Base{k}', 'discriminator': 'kind',
  'data': {{ 'red': 'Extra{k}' }} }}

##
# @Either{k}:
#
# A string or an object.
#
# @text: as a string
#
# @base: as an object
##
{{ 'alternate': 'Either{k}',
  'data': {{ 'text': 'str', 'base': 'Base{k}' }} }}

##
# @EVENT_{k}:
#
# Emitted when unit {k} changes.
#
# @info: what changed
#
# @either: how it changed
#
# @choice: what was chosen
#
# Since: 3.{k}
#
# .. qmp-example::
#
#     <- {{ "event": "EVENT_{k}",
#          "data": {{ "info": {{ "kind": "red", "id": "x", "size": 1 }}, "either": "two" }},
#          "timestamp": {{ "seconds": 1267020223, "microseconds": 435656 }} }}
##
{{ 'event': 'EVENT_{k}',
  'data': {{ 'info': 'Info{k}', 'either': 'Either{k}', '*choice': 'Choice{k}' }},
  'if': {{ 'all': [ 'CONFIG_A', {{ 'not': 'CONFIG_B' }} ] }} }}

"#
    );
}
