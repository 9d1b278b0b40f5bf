#!/usr/bin/env bash
# Side-by-side protocol comparison (docs/benchmarks.md, "Issue 10: protocols"): each model under each protocol,
# interleaved, concurrency 4, against one running server:
#   maas serve --data /tmp/maas-protocols --http-port 18610 --grpc-port 18611
#   python3 bench/protocols/make_identity_onnx.py /tmp/identity-224.onnx
#   maas models push image-identity /tmp/identity-224.onnx --server http://127.0.0.1:18610
#   maas models push resnet18 SampleModels/resnet18/ResNet18.onnx --server http://127.0.0.1:18610
# Usage: compare.sh MODEL [PROTOCOLS...]   (default: rest-json grpc rest-json grpc)
set -euo pipefail
model=$1; shift
protocols=${*:-rest-json grpc rest-json grpc}
for p in $protocols; do
  maas bench "$model" --protocol "$p" --server http://127.0.0.1:18610 --grpc-server http://127.0.0.1:18611 \
    --concurrency 4 --duration 15s --warmup 2s --json 2>/dev/null |
    python3 -c "import json,sys; l=json.load(sys.stdin)['levels'][0]; print('$model', '$p', round(l['throughput'], 2), 'req/s, p50', round(l['latency_ms']['p50'], 1), 'ms, failed', l['failed'])"
done
