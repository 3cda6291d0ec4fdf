#!/usr/bin/env bash
# The client benchmark: command round trips and events per second for qmp-client (blocking and
# tokio), qapi-rs's `qapi` crate (blocking and tokio) and Python's `qemu.qmp`, side by side in
# one run against one QEMU (`qmp-bench/benches/client.rs`; method in BENCHMARKS.md).
#
#   scripts/bench-client.sh              # 5 interleaved rounds
#   ROUNDS=9 scripts/bench-client.sh     # more rounds
#   QMP_BENCH_COMMANDS=2000 QMP_BENCH_EVENTS=10000 QMP_BENCH_FAKE_EVENTS=19990 scripts/bench-client.sh
#
# Installs `qemu.qmp` with pip into a venv under target/bench-client/ (once), prints the machine,
# then runs the Rust bench, which starts QEMU once and drives the Python side
# (scripts/bench_client.py) in the same rounds. Prints one table. Needs qemu-system-x86_64
# (scripts/install-qemu.sh) and python3 with venv.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="$PWD/target/bench-client/venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import qemu.qmp' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "qemu.qmp${QEMU_QMP_VERSION:+==$QEMU_QMP_VERSION}"
fi

echo "## machine"
echo "nproc: $(nproc)"
lscpu | head -n 15
echo "kernel: $(uname -srm)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(rustc --version); $(qemu-system-x86_64 --version | head -n 1)"
echo "$("$venv/bin/python" --version); qemu.qmp $("$venv/bin/python" -c 'from importlib.metadata import version; print(version("qemu.qmp"))')"
echo

export QMP_BENCH_PYTHON="$venv/bin/python"
export QMP_BENCH_ROUNDS="${ROUNDS:-5}"
cargo bench -p qmp-bench --bench client
