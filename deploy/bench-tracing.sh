#!/usr/bin/env bash
# Tracing cost, side by side: `maas serve` processes from Release builds, the same tiny model pushed to each, and
# `maas bench` alternating between them round by round:
#   off  - this build, tracing off (the default: no tracer provider, nothing listens to the sources)
#   on   - this build, tracing on and exporting over OTLP to a port where nothing listens (spans are created,
#          batched and serialized, then dropped)
#   base - optional: a build of the commit before tracing (BASE=path/to/maas.dll), the reference for "off"
#   dotnet build -c Release src/Maas.Cli && [BASE=...] deploy/bench-tracing.sh [MODEL.onnx] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-/usr/lib/python3/dist-packages/onnx/examples/resources/single_relu.onnx}
rounds=${2:-4}
this="src/Maas.Cli/bin/Release/net10.0/maas.dll"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export OMP_WAIT_POLICY=PASSIVE DOTNET_CLI_TELEMETRY_OPTOUT=1

declare -A ports=([off]=18100 [on]=18101)
dotnet "$this" serve --http-port 18100 --grpc-port 0 --data "$work/off" --no-samples >"$work/off.log" 2>&1 & pids+=($!)
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:9/v1/traces OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
  dotnet "$this" serve --http-port 18101 --grpc-port 0 --data "$work/on" --no-samples >"$work/on.log" 2>&1 & pids+=($!)
if [ -n "${BASE:-}" ]; then
  ports[base]=18102
  dotnet "$BASE" serve --http-port 18102 --grpc-port 0 --data "$work/base" --no-samples >"$work/base.log" 2>&1 & pids+=($!)
fi
for port in "${ports[@]}"; do
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null && break; sleep 0.2; done
  dotnet "$this" models push relu "$model" --server "http://127.0.0.1:$port" >/dev/null
done

modes=("${!ports[@]}")
echo "round mode concurrency req/s p50_ms p99_ms failed"
for round in $(seq 1 "$rounds"); do
  # Rotate the order each round so no mode always runs first (or right after another).
  for i in "${!modes[@]}"; do
    mode=${modes[$(( (i + round) % ${#modes[@]} ))]}
    dotnet "$this" bench relu --server "http://127.0.0.1:${ports[$mode]}" --concurrency 1,4 --duration 5s --warmup 1s --json 2>"$work/bench.err" \
      | python3 -c "import json,sys; t=sys.stdin.read(); r=json.loads(t[t.index(chr(123)+chr(10)):]); [print('$round', '$mode', l['concurrency'], round(l['throughput'],1), round(l['latency_ms']['p50'],3), round(l['latency_ms']['p99'],3), l['failed']) for l in r['levels']]" \
      || { echo "bench failed ($mode)"; tail -5 "$work/bench.err"; }
  done
done
