-- wrk script: POST a JSON body (a citizen request, in Chinese) and print one summary line.
-- The integrator points it at the authenticated write endpoint by setting, in the
-- environment: GJ_BENCH_PATH, GJ_BENCH_BODY, GJ_BENCH_COOKIE, GJ_BENCH_CSRF.
wrk.method = "POST"
wrk.path = os.getenv("GJ_BENCH_PATH") or "/api/v1/bench/requests"
wrk.body = os.getenv("GJ_BENCH_BODY") or
  '{"title":"路灯不亮已两天","grid":"610981001001","lat":33.6861,"lon":109.1138,' ..
  '"description":"村委会门口东侧第三盏路灯晚上不亮，影响村民夜间出行。"}'
wrk.headers["Content-Type"] = "application/json"
local cookie = os.getenv("GJ_BENCH_COOKIE")
if cookie then wrk.headers["Cookie"] = cookie end
local csrf = os.getenv("GJ_BENCH_CSRF")
if csrf then wrk.headers["X-CSRF-Token"] = csrf end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
