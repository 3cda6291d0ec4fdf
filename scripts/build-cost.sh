#!/usr/bin/env bash
# Build cost: a clean `cargo build -p qmp-events`, a clean `cargo build -p qmp-events --features
# qemu-10-0` (QEMU 10.0's events), and a clean build of `qapi-qmp` (crates.io), in one run, on the
# same machine, with the same cargo and the same number of jobs.
#
#   scripts/build-cost.sh            # dev profile (the default `cargo build`)
#   scripts/build-cost.sh --release  # release profile
#
# Each build gets a target directory of its own under target/build-cost/ (or $BUILD_COST_DIR),
# wiped first, so the normal target directory is left alone. qapi-qmp is built through a
# throwaway crate that depends on it, created there too. Sources are fetched before the clocks
# start, so downloads are not counted. Prints the wall-clock times, the number of crates
# compiled, the ratios to qapi-qmp, and the load average before and after.
set -euo pipefail
cd "$(dirname "$0")/.."

profile_flag=()
profile=dev
case "${1:-}" in
    "") ;;
    --release) profile_flag=(--release); profile=release ;;
    *) echo "usage: $0 [--release]" >&2; exit 2 ;;
esac

root="${BUILD_COST_DIR:-$PWD/target/build-cost}"
rm -rf "$root"
mkdir -p "$root/qapi-user/src"

# The throwaway crate. The empty [workspace] keeps it out of this repository's workspace.
cat > "$root/qapi-user/Cargo.toml" <<'EOF'
[package]
name = "qapi-user"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
qapi-qmp = "=0.15.0"

[workspace]
EOF
echo 'pub use qapi_qmp::Event;' > "$root/qapi-user/src/lib.rs"

cargo fetch --quiet
(cd "$root/qapi-user" && cargo generate-lockfile --quiet && cargo fetch --quiet)

# Runs a build, prints "seconds crates".
timed_build() {
    local log=$1
    shift
    local start end
    start=$(date +%s.%N)
    "$@" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
    end=$(date +%s.%N)
    printf '%s %s\n' "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" \
        "$(grep -c '^ *Compiling ' "$log" || true)"
}

export CARGO_TERM_COLOR=never
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
read -r ours ours_crates < <(CARGO_TARGET_DIR="$root/qmp-events" \
    timed_build "$root/qmp-events.log" cargo build -p qmp-events "${profile_flag[@]}")
read -r ours10 ours10_crates < <(CARGO_TARGET_DIR="$root/qmp-events-qemu-10-0" \
    timed_build "$root/qmp-events-qemu-10-0.log" \
    cargo build -p qmp-events --features qemu-10-0 "${profile_flag[@]}")
read -r theirs theirs_crates < <(cd "$root/qapi-user" && CARGO_TARGET_DIR="$root/qapi-qmp" \
    timed_build "$root/qapi-qmp.log" cargo build "${profile_flag[@]}")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "profile: $profile, jobs: $(nproc), $(cargo --version)"
echo "load average: before $load_before, after $load_after"
printf 'qmp-events:             %6.1f s (%s crates compiled)\n' "$ours" "$ours_crates"
printf 'qmp-events, qemu-10-0:  %6.1f s (%s crates compiled)\n' "$ours10" "$ours10_crates"
printf 'qapi-qmp:               %6.1f s (%s crates compiled)\n' "$theirs" "$theirs_crates"
awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "ratio qmp-events / qapi-qmp: %.2f\n", a / b }'
awk -v a="$ours10" -v b="$theirs" \
    'BEGIN { printf "ratio qmp-events (qemu-10-0) / qapi-qmp: %.2f\n", a / b }'
