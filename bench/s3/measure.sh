#!/usr/bin/env bash
# Push latency of one real model file (all-MiniLM-L6-v2's model.onnx, ~87 MiB) into each artifact store, side by side:
# the folder store, and the S3 store on a local s3rver as one PUT, as multipart with 1 part in flight, and with 4.
# Every push goes to a fresh data folder and a fresh bucket (no deduplication). Prints the median of N runs per store
# and its ratio to the folder store. Needs: s3rver on PATH, curl, a built maas.dll (MAAS=...).
set -euo pipefail
cd "$(dirname "$0")/../.."
MAAS=${MAAS:-tests/Maas.EndToEnd.Tests/bin/Debug/net10.0/maas.dll}
N=${N:-3}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$1/v2/health/ready" >/dev/null && return 0; sleep 0.2; done; return 1; }
serve() { # data port args...
  local data=$1 port=$2; shift 2
  dotnet "$MAAS" serve --data "$data" --http-port "$port" --grpc-port 0 --no-samples "$@" >"$data.log" 2>&1 &
  echo $!
}

# The model file: registered by a server with samples, taken from its folder store.
port=$(free_port); mkdir -p "$work/seed"
dotnet "$MAAS" serve --data "$work/seed" --http-port "$port" --grpc-port 0 >"$work/seed.log" 2>&1 & seed=$!; pids+=("$seed")
wait_ready "$port"
model=$(find "$work/seed/artifacts/sha256" -type f -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2)
cp "$model" "$work/model.onnx"; chmod u+w "$work/model.onnx"; kill "$seed"; wait "$seed" 2>/dev/null || true

NODE_OPTIONS=--openssl-legacy-provider s3rver -d "$work/s3" -a 127.0.0.1 -p 0 --silent --no-vhost-buckets >"$work/s3rver.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do grep -q 'listening on' "$work/s3rver.log" && break; sleep 0.1; done
s3port=$(grep -oE 'listening on [0-9.]+:[0-9]+' "$work/s3rver.log" | cut -d: -f2)

declare -A settings=(
  [folder]=""
  [s3-put]="--Maas:Registry:S3:MultipartThreshold=1073741824"
  [s3-multipart-1]="--Maas:Registry:S3:MultipartThreshold=8388608 --Maas:Registry:S3:PartSize=16777216 --Maas:Registry:S3:UploadConcurrency=1"
  [s3-multipart-4]="--Maas:Registry:S3:MultipartThreshold=8388608 --Maas:Registry:S3:PartSize=16777216 --Maas:Registry:S3:UploadConcurrency=4"
)
printf '%s: %s bytes, %s runs each\n' "model.onnx" "$(stat -c %s "$work/model.onnx")" "$N"
declare -A median
for store in folder s3-put s3-multipart-1 s3-multipart-4; do
  times=()
  for i in $(seq 1 "$N"); do
    data="$work/$store-$i"; port=$(free_port); extra=()
    if [[ $store != folder ]]; then
      bucket="bench-${store}-$i"
      mkdir -p "$work/s3/$bucket"   # s3rver's filesystem store: a folder is a bucket
      extra=(--Maas:Registry:Artifacts="s3://$bucket" --Maas:Registry:S3:ServiceUrl="http://127.0.0.1:$s3port"
             --Maas:Registry:S3:AccessKey=S3RVER --Maas:Registry:S3:SecretKey=S3RVER ${settings[$store]})
    fi
    pid=$(serve "$data" "$port" "${extra[@]}"); pids+=("$pid"); wait_ready "$port"
    t=$(curl -fs -o /dev/null -w '%{time_total}' -F "file=@$work/model.onnx;filename=model.onnx" "http://127.0.0.1:$port/api/models/bench/versions")
    times+=("$t"); kill "$pid"; wait "$pid" 2>/dev/null || true
  done
  median[$store]=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (N + 1) / 2 ))p")
  printf '%-16s push s: %s  (median %s)\n' "$store" "${times[*]}" "${median[$store]}"
done
for store in s3-put s3-multipart-1 s3-multipart-4; do
  awk -v a="${median[$store]}" -v b="${median[folder]}" -v s="$store" 'BEGIN { printf "%-16s / folder = %.2fx\n", s, a / b }'
done
