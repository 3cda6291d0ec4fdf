#!/usr/bin/env python3
"""The Python side of the client benchmark: `qemu.qmp`'s `QMPClient`, driven by the Rust bench.

`cargo bench -p qmp-bench --bench client` starts this (with `QMP_BENCH_PYTHON` naming the
interpreter, see `scripts/bench-client.sh`) as a long-lived child, so that Python runs in the
same rounds, against the same QEMU, as the Rust clients. The protocol is one line at a time on
stdin and stdout:

    rtt N      -> connect, run `query-status` N times in a row (timed), disconnect;
                  answers `secs T`
    events K   -> connect and answer `ready`; wait for `go` (meanwhile the bench makes QEMU emit
                  K events); time how long the K events take to arrive through the client's
                  default event listener; disconnect; answers `secs T`
    quit       -> exits

Events arrive as `qemu.qmp.Message` objects (dict-like, untyped), replies as plain dicts.
Connecting and negotiating are not timed.
"""

import asyncio
import sys
import time

from qemu.qmp import QMPClient


async def rtt(path: str, n: int) -> float:
    qmp = QMPClient("bench")
    await qmp.connect(path)
    try:
        start = time.perf_counter()
        for _ in range(n):
            reply = await qmp.execute("query-status")
            assert "status" in reply
        return time.perf_counter() - start
    finally:
        await qmp.disconnect()


async def events(path: str, k: int) -> float:
    qmp = QMPClient("bench")
    await qmp.connect(path)
    try:
        print("ready", flush=True)
        # Blocking on purpose: the event loop (and so the client's reader) stands still while
        # QEMU emits the events, as the Rust clients do not read meanwhile either.
        if sys.stdin.readline().strip() != "go":
            raise SystemExit("expected `go`")
        start = time.perf_counter()
        for _ in range(k):
            event = await qmp.events.get()
            assert event["event"] in ("RESUME", "STOP")
        return time.perf_counter() - start
    finally:
        await qmp.disconnect()


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(f"usage: {sys.argv[0]} QMP_SOCKET (driven by the Rust bench on stdin)")
    path = sys.argv[1]
    for line in sys.stdin:
        words = line.split()
        if words == ["quit"]:
            return
        if len(words) == 2 and words[0] == "rtt":
            secs = asyncio.run(rtt(path, int(words[1])))
        elif len(words) == 2 and words[0] == "events":
            secs = asyncio.run(events(path, int(words[1])))
        else:
            raise SystemExit(f"unknown request: {line!r}")
        print(f"secs {secs:.9f}", flush=True)


if __name__ == "__main__":
    main()
