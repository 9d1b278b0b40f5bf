#!/usr/bin/env bash
# Cost of the per-key rate limiter: two `maas serve` processes side by side, one without limits, one with
# Maas:Limits:RequestsPerSecond high enough never to refuse (every request takes a permit from its caller's bucket),
# an identity model on both, `maas bench` against each in turn (A B A B A B), closed loop.
# Usage: bench/guard/limits-overhead.sh [concurrency] [seconds] [rounds]   (after dotnet build src/Maas.Cli)
set -euo pipefail
cd "$(dirname "$0")/../.."
CONCURRENCY=${1:-4}
SECONDS_PER_RUN=${2:-10}
ROUNDS=${3:-3}
MAAS="dotnet src/Maas.Cli/bin/Debug/net10.0/maas.dll"
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start() { # name port extra-args...
  local name=$1 port=$2; shift 2
  $MAAS serve --data "$WORK/$name" --http-port "$port" --grpc-port 0 --no-samples "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null && return; sleep 0.2; done
  echo "server $name did not start" >&2; cat "$WORK/$name.log" >&2; exit 1
}

# y = x, FP32 [N, 3], hand-encoded protobuf (no onnx package needed), as bench/protocols/make_identity_onnx.py does.
python3 - "$WORK/model.onnx" <<'PY'
import sys
def varint(n):
    out = b""
    while True:
        b = n & 0x7F; n >>= 7
        if n: out += bytes([b | 0x80])
        else: return out + bytes([b])
def field(num, wire, payload):
    key = varint((num << 3) | wire)
    return key + varint(payload) if wire == 0 else key + varint(len(payload)) + payload
def s(num, text): return field(num, 2, text.encode())
def msg(num, body): return field(num, 2, body)
shape = msg(2, msg(1, s(2, "N")) + msg(1, field(1, 0, 3)))
value = lambda name: s(1, name) + msg(2, msg(1, field(1, 0, 1) + shape))
graph = msg(1, s(1, "x") + s(2, "y") + s(4, "Identity")) + s(2, "identity") + msg(11, value("x")) + msg(12, value("y"))
open(sys.argv[1], "wb").write(field(1, 0, 7) + msg(8, s(1, "") + field(2, 0, 13)) + msg(7, graph))
PY

OFF=$(free_port); ON=$(free_port)
start off "$OFF"
start on "$ON" --Maas:Limits:RequestsPerSecond=1000000
for port in "$OFF" "$ON"; do
  curl -sf -F "file=@$WORK/model.onnx;filename=model.onnx" "http://127.0.0.1:$port/api/models/identity/versions" >/dev/null
done

for round in $(seq 1 "$ROUNDS"); do
  for pair in "off:$OFF" "on:$ON"; do
    name=${pair%%:*}; port=${pair##*:}
    rps=$($MAAS bench identity --server "http://127.0.0.1:$port" --concurrency "$CONCURRENCY" --duration "${SECONDS_PER_RUN}s" --warmup 2s --json \
      2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["levels"][0]["throughput"])')
    echo "round $round $name: $rps requests/s"
  done
done
