-- wrk script: GET a path (default the built-in probe) and print the same line as post.lua.
wrk.method = "GET"
wrk.path = os.getenv("GJ_BENCH_GET_PATH") or "/healthz"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
