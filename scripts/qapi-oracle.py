#!/usr/bin/env python3
"""Print what QEMU's own QAPI generator computes for a schema's events, as JSON.

    python3 scripts/qapi-oracle.py vendor/qemu-10.0.2/qapi/qapi-schema.json

The oracle of a differential test: it imports the vendored generator
(vendor/qemu-VERSION/scripts/qapi, QEMU's scripts/qapi) and dumps its checked
schema model; plain python3, no other packages. Options:

    --qemu-scripts DIR   the directory holding the `qapi` package
                         (default: vendor/qemu-*/scripts beside the schema,
                         else the newest vendor/qemu-*/scripts of this repo)

Output (sorted keys, 2-space indent):

    {"events": [EVENT...], "types": {NAME: TYPE...}}

EVENT   {"name", "members": [MEMBER], "boxed", "arg_type", "if", "features"}
        members: the members of the event's data type, flattened with its
        base; arg_type: the data type's name when 'data' names a type, null
        for inline data (QEMU's implicit q_obj_EVENT-arg type) or no data.
        Events are in definition order (includes expanded in place).
MEMBER  {"name", "type", "optional", "if", "features"}
TYPE    every non-builtin, non-implicit type reachable from an event, through
        members, bases, union and alternate branches and array elements:
        struct     {"meta", "if", "features", "base": NAME|null,
                    "members": [MEMBER] (own members only)}
        enum       {"meta", "if", "features", "prefix": STR|null,
                    "values": [{"name", "if", "features"}]}
        union      {"meta", "if", "features", "base": NAME|null (null: inline
                    base, QEMU's implicit q_obj_UNION-base type),
                    "base_members": [MEMBER] (flattened), "discriminator",
                    "branches": [{"value", "type", "if"}] (explicit ones),
                    "empty_branches": [{"value", "if"}] (discriminator values
                    without an explicit branch: QEMU gives them the empty
                    object type q_empty; "if" is the enum value's condition)}
        alternate  {"meta", "if", "features",
                    "branches": [{"name", "type", "if"}]}
type    a type reference: a builtin's QAPI name (str, int, uint64, size, any,
        null, bool, number, int8, ...), a defined type's name, or "[ELEM]"
        for an array.
if      null, a string (a config name), {"all": [...]}, {"any": [...]} or
        {"not": ...}: QAPISchemaIfCond.ifcond as written in the schema.
        Implicit types are not printed; QEMU gives q_obj_EVENT-arg the
        event's condition and q_obj_UNION-base the union's. An array's
        condition is its element type's.
features  [{"name", "if"}]

Exit status: 0, or 2 when the generator rejects the schema (its message on
stderr), or 1 on a usage error.
"""

import argparse
import glob
import json
import os
import sys
import time


def find_qemu_scripts(schema_path):
    """Locate the directory holding QEMU's `qapi` package."""
    here = os.path.abspath(os.path.dirname(schema_path))
    # A schema inside vendor/qemu-X/...: use that tree's generator.
    d = here
    while True:
        cand = os.path.join(d, 'scripts', 'qapi', 'schema.py')
        if os.path.isfile(cand) and os.path.basename(d).startswith('qemu-'):
            return os.path.join(d, 'scripts')
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    trees = sorted(glob.glob(os.path.join(repo, 'vendor', 'qemu-*', 'scripts',
                                          'qapi', 'schema.py')),
                   key=lambda p: [int(x) if x.isdigit() else x for x in
                                  os.path.basename(os.path.dirname(
                                      os.path.dirname(os.path.dirname(p))))
                                  .replace('qemu-', '').split('.')])
    if not trees:
        sys.exit('qapi-oracle: no vendor/qemu-*/scripts/qapi found; '
                 'run scripts/vendor-qemu.sh VERSION or pass --qemu-scripts')
    return os.path.dirname(os.path.dirname(trees[-1]))


def main():
    ap = argparse.ArgumentParser(
        description="Dump QEMU's QAPI model of a schema's events as JSON.")
    ap.add_argument('schema', help='the schema file, e.g. qapi-schema.json')
    ap.add_argument('--qemu-scripts', metavar='DIR',
                    help="directory holding QEMU's qapi package")
    ap.add_argument('--time', action='store_true',
                    help='print parse+check and dump times on stderr')
    args = ap.parse_args()

    scripts = args.qemu_scripts or find_qemu_scripts(args.schema)
    sys.path.insert(0, os.path.abspath(scripts))
    sys.dont_write_bytecode = True  # keep __pycache__ out of vendor/
    # pylint: disable=import-outside-toplevel
    from qapi.error import QAPIError
    from qapi.schema import (
        QAPISchema,
        QAPISchemaAlternateType,
        QAPISchemaArrayType,
        QAPISchemaBuiltinType,
        QAPISchemaEnumType,
        QAPISchemaEvent,
        QAPISchemaObjectType,
    )

    t0 = time.perf_counter()
    try:
        schema = QAPISchema(args.schema)
    except QAPIError as err:
        print(err, file=sys.stderr)
        return 2
    t1 = time.perf_counter()

    def cond(ifcond):
        """QAPISchemaIfCond -> JSON tree (None when absent)."""
        def conv(c):
            if isinstance(c, str):
                return c
            assert isinstance(c, dict) and len(c) == 1, c
            (op, arg), = c.items()
            if op == 'not':
                return {'not': conv(arg)}
            assert op in ('all', 'any'), op
            return {op: [conv(x) for x in arg]}
        return conv(ifcond.ifcond) if ifcond.ifcond else None

    def features(feats):
        return [{'name': f.name, 'if': cond(f.ifcond)} for f in feats]

    def type_ref(typ):
        if isinstance(typ, QAPISchemaArrayType):
            return '[%s]' % type_ref(typ.element_type)
        assert not typ.is_implicit() or isinstance(typ, QAPISchemaBuiltinType), \
            'implicit type %s used by name' % typ.name
        return typ.name

    def member(m):
        return {'name': m.name, 'type': type_ref(m.type),
                'optional': m.optional, 'if': cond(m.ifcond),
                'features': features(m.features)}

    types = {}
    pending = []

    def reach(typ):
        """Queue a referenced type for the `types` table."""
        if isinstance(typ, QAPISchemaBuiltinType):
            return
        if isinstance(typ, QAPISchemaArrayType):
            reach(typ.element_type)
            return
        if typ.is_implicit():
            # q_obj_*-arg, q_obj_*-base, q_empty: not listed, but what
            # they refer to is.
            assert isinstance(typ, QAPISchemaObjectType), typ.name
            walk_object(typ)
            return
        if typ.name not in types:
            types[typ.name] = None  # placeholder: breaks recursion
            pending.append(typ)

    def walk_object(typ):
        if typ.base is not None:
            reach(typ.base)
        for m in typ.local_members:
            reach(m.type)
        if typ.branches:
            for v in typ.branches.variants:
                reach(v.type)

    def describe(typ):
        d = {'meta': typ.meta, 'if': cond(typ.ifcond),
             'features': features(typ.features)}
        if isinstance(typ, QAPISchemaEnumType):
            d['prefix'] = typ.prefix
            d['values'] = [{'name': v.name, 'if': cond(v.ifcond),
                            'features': features(v.features)}
                           for v in typ.members]
        elif isinstance(typ, QAPISchemaAlternateType):
            d['branches'] = [{'name': v.name, 'type': type_ref(v.type),
                              'if': cond(v.ifcond)}
                             for v in typ.alternatives.variants]
            for v in typ.alternatives.variants:
                reach(v.type)
        elif isinstance(typ, QAPISchemaObjectType) and typ.branches:
            assert typ.meta == 'union' and not typ.local_members
            base = typ.base
            assert base is not None
            d['base'] = None if base.is_implicit() else base.name
            d['base_members'] = [member(m) for m in base.members]
            d['discriminator'] = typ.branches.tag_member.name
            # Explicit branches are defined in the union; QEMU appends an
            # empty branch (type q_empty) for every other discriminator
            # value, defined in the discriminator's (base) type.
            explicit = [v for v in typ.branches.variants
                        if v.defined_in == typ.name]
            empty = [v for v in typ.branches.variants
                     if v.defined_in != typ.name]
            assert all(v.type.name == 'q_empty' for v in empty)
            d['branches'] = [{'value': v.name, 'type': type_ref(v.type),
                              'if': cond(v.ifcond)} for v in explicit]
            d['empty_branches'] = [{'value': v.name, 'if': cond(v.ifcond)}
                                   for v in empty]
            walk_object(typ)
        elif isinstance(typ, QAPISchemaObjectType):
            assert typ.meta == 'struct'
            d['base'] = typ.base.name if typ.base is not None else None
            d['members'] = [member(m) for m in typ.local_members]
            walk_object(typ)
        else:
            raise AssertionError('unexpected type %r' % typ)
        return d

    events = []
    # pylint: disable=protected-access
    for ent in schema._entity_list:
        if not isinstance(ent, QAPISchemaEvent):
            continue
        arg = ent.arg_type
        events.append({
            'name': ent.name,
            'members': [member(m) for m in arg.members] if arg else [],
            'boxed': ent.boxed,
            'arg_type': None if arg is None or arg.is_implicit() else arg.name,
            'if': cond(ent.ifcond),
            'features': features(ent.features),
        })
        if arg is not None:
            reach(arg)

    while pending:
        typ = pending.pop()
        types[typ.name] = describe(typ)

    json.dump({'events': events, 'types': types}, sys.stdout,
              sort_keys=True, indent=2)
    sys.stdout.write('\n')
    t2 = time.perf_counter()
    if args.time:
        print('qapi-oracle: parse+check %.3fs, dump %.3fs'
              % (t1 - t0, t2 - t1), file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
