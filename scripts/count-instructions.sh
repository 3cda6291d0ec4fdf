#!/usr/bin/env bash
# Instruction counts (callgrind) of one pass of the decode workloads over the bench corpus:
# deterministic, unlike wall-clock time on a shared machine. Needs valgrind (Debian: valgrind).
#
#   scripts/count-instructions.sh                      # parsed, typed, ignored, value, and +violations
#   scripts/count-instructions.sh typed serialize      # any of the decode:: workloads
#   GROUP=qapi-subset scripts/count-instructions.sh typed qapi value ignored
set -euo pipefail
cd "$(dirname "$0")/.."
group=${GROUP:-corpus}
CARGO_PROFILE_BENCH_DEBUG=line-tables-only CARGO_TARGET_DIR=target/profiling \
    cargo bench -q -p qmp-bench --bench decode --no-run 2>/dev/null
bench=$(ls -t target/profiling/release/deps/decode-* | grep -v '\.d$' | head -1)
out=$(mktemp -d)
for workload in "${@:-parsed typed ignored value parsed_and_violations typed_and_violations}"; do
    for w in $workload; do
        valgrind --tool=callgrind --toggle-collect="decode::$w" --callgrind-out-file="$out/cg.$w" \
            "$bench" --test "^$group/" >/dev/null 2>&1
        callgrind_annotate "$out/cg.$w" >"$out/annotated.$w" 2>/dev/null
        total=$(awk '/PROGRAM TOTALS/ {print $1}' "$out/annotated.$w")
        printf '%s/%-22s %s instructions\n' "$group" "$w" "$total"
    done
done
echo "profiles in $out (callgrind_annotate --inclusive=yes $out/cg.typed | head -60)"
