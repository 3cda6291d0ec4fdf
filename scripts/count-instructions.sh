#!/usr/bin/env bash
# Instruction counts (callgrind) of one pass of the decode workloads over the bench corpus:
# deterministic, unlike wall-clock time on a shared machine. Needs valgrind (Debian: valgrind).
#
#   scripts/count-instructions.sh                      # parsed, typed, ignored, value, and +violations
#   scripts/count-instructions.sh typed serialize      # any of the decode:: workloads
#   GROUP=qapi-subset scripts/count-instructions.sh typed qapi value ignored
#   BENCH=live GROUP=live scripts/count-instructions.sh parsed typed value ignored qapi
#
# BENCH is the bench target (default decode), GROUP its criterion group (default corpus). The
# build goes to $CARGO_TARGET_DIR/profiling (default target/profiling).
set -euo pipefail
cd "$(dirname "$0")/.."
group=${GROUP:-corpus}
bench_name=${BENCH:-decode}
profiling="${CARGO_TARGET_DIR:-target}/profiling"
CARGO_PROFILE_BENCH_DEBUG=line-tables-only CARGO_TARGET_DIR="$profiling" \
    cargo bench -q -p qmp-bench --bench "$bench_name" --no-run 2>/dev/null
bench=$(ls -t "$profiling"/release/deps/"$bench_name"-* | grep -v '\.d$' | head -1)
out=$(mktemp -d)
for workload in "${@:-parsed typed ignored value parsed_and_violations typed_and_violations}"; do
    for w in $workload; do
        valgrind --tool=callgrind --toggle-collect="$bench_name::$w" --callgrind-out-file="$out/cg.$w" \
            "$bench" --test "^$group/" >/dev/null 2>&1
        callgrind_annotate "$out/cg.$w" >"$out/annotated.$w" 2>/dev/null
        total=$(awk '/PROGRAM TOTALS/ {print $1}' "$out/annotated.$w")
        printf '%s/%-22s %s instructions\n' "$group" "$w" "$total"
    done
done
echo "profiles in $out (callgrind_annotate --inclusive=yes $out/cg.typed | head -60)"
