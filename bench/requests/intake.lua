-- wrk: a citizen request 市民诉求 POSTed to the public intake (validation, routing to the grid
-- that contains the point, timers, metric counters, audit: one durable transaction each).
-- Every request has its own Idempotency-Key (thread id + counter + a per-run nonce), so none is a
-- replay. POINTS_FILE (from run.sh) holds "lat lon" lines: random points inside the demo's
-- 柞水县 grid polygons.
local points = {}
for line in io.lines(os.getenv("POINTS_FILE")) do
  local lat, lon = line:match("([%d%.%-]+) ([%d%.%-]+)")
  points[#points + 1] = {lat, lon}
end
local nonce = os.getenv("RUN_NONCE") or "0"
local subjects = {"小区门口垃圾无人清运", "路灯不亮", "楼道堆放杂物", "下水道堵塞", "噪声扰民"}
local categories = {"0106", "0104", "0105", "0205", "0603"}

local counter = 1
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local n = 0
request = function()
  n = n + 1
  local p = points[(n * 7919 + tid * 104729) % #points + 1]
  local k = (n + tid) % #subjects + 1
  local body = '{"county_code":"611026000000","category":"' .. categories[k] ..
    '","subject":"' .. subjects[k] .. '","text":"基准测试诉求 ' .. tid .. '-' .. n ..
    '，请尽快处理。","name":"张三","phone":"138' .. string.format("%08d", (tid * 1000003 + n) % 100000000) ..
    '","lat":' .. p[1] .. ',"lon":' .. p[2] .. '}'
  return wrk.format("POST", "/api/v1/requests",
    {["Content-Type"] = "application/json",
     ["Idempotency-Key"] = "bench-" .. nonce .. "-" .. tid .. "-" .. n}, body)
end

