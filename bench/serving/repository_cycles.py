#!/usr/bin/env python3
"""Issue 10, "done when" 3: repeated repository load/unload cycles leave resident memory where it was.

    bench/serving/repository_cycles.py [--model all-minilm-l6-v2] [--cycles 50] [--no-build]

Starts `maas serve` from the Release build (with the sample models) on a free loopback port, then for each cycle:
POST /v2/repository/models/{model}/load (waits until ready), one inference with an input built from the model's v2
metadata (zeros, or a sentence for a BYTES input), POST .../unload; then reads the server's VmRSS from
/proc/{pid}/status. Prints one line per cycle and a Markdown table: RSS after cycle 1, after the last cycle, the
ratio, the peak, and whether the target (last within 10% of first) is met. Standard library only; the server and its
data folder are removed on exit.
"""

import base64
import struct
import zlib
import argparse
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402 - the shared server, process and HTTP helpers of bench/serving
from measure import http, log, out  # noqa: E402


def tiny_png_base64():
    """A 64x48 RGB gradient as a PNG (standard library only), base64 as v2 JSON carries BYTES, for image models."""
    width, height = 64, 48
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 4, y * 5, 128)) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode("ascii")


def zeros_request(metadata):
    inputs = []
    for spec in metadata["inputs"]:
        shape = [1 if d < 0 else d for d in spec["shape"]]
        count = 1
        for d in shape:
            count *= d
        if spec["datatype"] == "BYTES" and spec["name"] == "image":
            data = [tiny_png_base64()] * count
        elif spec["datatype"] == "BYTES":
            data = ["Which version answers?"] * count
        elif spec["datatype"] == "BOOL":
            data = [False] * count
        else:
            data = [0] * count
        inputs.append({"name": spec["name"], "shape": shape, "datatype": spec["datatype"], "data": data})
    return {"inputs": inputs}


def cycles(args):
    server = measure.Server()
    base = server.url
    status, metadata = http("GET", f"{base}/v2/models/{args.model}")
    if status != 200:
        raise RuntimeError(f"metadata of {args.model}: {status} {metadata}")
    body = zeros_request(metadata)
    rss = []
    started = time.monotonic()
    for cycle in range(1, args.cycles + 1):
        status, answer = http("POST", f"{base}/v2/repository/models/{args.model}/load", timeout=300)
        if status != 200:
            raise RuntimeError(f"cycle {cycle}: load answered {status} {answer}")
        status, answer = http("POST", f"{base}/v2/models/{args.model}/infer", body, timeout=120)
        if status != 200:
            raise RuntimeError(f"cycle {cycle}: infer answered {status} {answer}")
        status, answer = http("POST", f"{base}/v2/repository/models/{args.model}/unload", timeout=300)
        if status != 200:
            raise RuntimeError(f"cycle {cycle}: unload answered {status} {answer}")
        rss.append(server.rss_bytes())
        log(f"cycle {cycle:3d}: RSS {rss[-1] / 2**20:8.1f} MiB ({time.monotonic() - started:6.1f} s)")

    status, index = http("POST", f"{base}/v2/repository/index", {"ready": True})
    still_loaded = [e for e in index if e["name"] == args.model] if status == 200 else ["?"]
    first, last, peak = rss[0], rss[-1], max(rss)
    ratio = last / first
    server.stop()
    out(f"### Issue 10: repository load/unload ({args.model}, {args.cycles} cycles)")
    out()
    measure.machine_line()
    measure.table(
        ["RSS after cycle 1", f"after cycle {args.cycles}", "ratio", "peak after a cycle", "loaded at the end", "target: within 10%"],
        [[f"{first / 2**20:.1f} MiB", f"{last / 2**20:.1f} MiB", f"{ratio:.3f}", f"{peak / 2**20:.1f} MiB",
          "no" if not still_loaded else "yes", measure.verdict(abs(ratio - 1) <= 0.10)]])
    return 0 if abs(ratio - 1) <= 0.10 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=measure.MODEL)
    parser.add_argument("--cycles", type=int, default=50)
    parser.add_argument("--no-build", action="store_true", help="use the Release build as it is")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, measure.on_signal)
    try:
        if not args.no_build:
            measure.build()
        return cycles(args)
    finally:
        measure.cleanup()


if __name__ == "__main__":
    sys.exit(main())
