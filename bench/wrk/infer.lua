-- wrk script: POST one sentence per request to the Open Inference Protocol v2 endpoint of the sample model.
-- Sentences rotate so that batches mix texts of different lengths (as real traffic does).
-- Usage: wrk -t1 -c1 -d10s -s bench/wrk/infer.lua http://127.0.0.1:8000/v2/models/all-minilm-l6-v2/infer
local sentences = {
  "The quick brown fox jumps over the lazy dog.",
  "Maas turns trained models into a network service.",
  "How many embeddings can one core compute per second?",
  "Serving latency matters as much as throughput.",
  "A sentence of moderate length, written for this benchmark alone.",
  "Short one.",
  "Vectors of 384 floats come back for every sentence.",
  "Interleaved runs keep the comparison honest on a noisy machine.",
}

local bodies = {}
for i, s in ipairs(sentences) do
  bodies[i] = '{"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":["' .. s .. '"]}]}'
end

local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, bodies[(counter % #bodies) + 1])
end

local errors = 0
response = function(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f non200=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    summary.errors.status))
end
