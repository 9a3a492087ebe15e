-- wrk script for test/bench/bench_money.sh: every request names another
-- demo subscriber (demo000001..demoN), so payments and Stargazer changes
-- spread over the users instead of hammering one row.
--   BENCH_PATH   path (/)
--   BENCH_QUERY  query string with at most one %s for the login (may be empty)
--   BENCH_USERS  N
local path = os.getenv("BENCH_PATH") or "/"
local query = os.getenv("BENCH_QUERY") or ""
local users = tonumber(os.getenv("BENCH_USERS") or "1000")
local next_thread = 0

function setup(thread)
  thread:set("offset", next_thread * 7919)
  next_thread = next_thread + 1
end

local i = 0
function request()
  i = i + 1
  local login = string.format("demo%06d", ((i + (offset or 0)) % users) + 1)
  if query == "" then
    return wrk.format("GET", path)
  end
  return wrk.format("GET", path .. "?" .. string.format(query, login))
end
