-- wrk: an authenticated JSON write (PATCH a user's display name; user + audit row per request).
-- COOKIE, CSRF and USER_IDS come from run.sh through the environment.
local cookie = os.getenv("COOKIE")
local csrf = os.getenv("CSRF")
local ids = {}
for id in string.gmatch(os.getenv("USER_IDS"), "%d+") do ids[#ids + 1] = id end
local n = 0
request = function()
  n = n + 1
  local id = ids[(n % #ids) + 1]
  return wrk.format("PATCH", "/api/v1/users/" .. id,
    {["Content-Type"] = "application/json", ["Cookie"] = cookie, ["X-CSRF-Token"] = csrf},
    '{"display_name":"基准测试' .. n .. '"}')
end
