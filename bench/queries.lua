-- queries.lua: wrk script for the resident search benchmark. Sends the session cookie from
-- HOCVUSO_COOKIE and, per request, GET <HOCVUSO_PATH><query> with a query taken in turn from the
-- file HOCVUSO_QUERIES (one already percent-encoded query a line).
local cookie = os.getenv("HOCVUSO_COOKIE")
local file = os.getenv("HOCVUSO_QUERIES")
local prefix = os.getenv("HOCVUSO_PATH") or "/api/v1/residents?per_page=50&q="
if cookie == nil or cookie == "" or file == nil then
  io.stderr:write("queries.lua: HOCVUSO_COOKIE and HOCVUSO_QUERIES must be set\n")
  os.exit(2)
end
local queries = {}
for line in io.lines(file) do
  if #line > 0 then queries[#queries + 1] = line end
end
if #queries == 0 then
  io.stderr:write("queries.lua: no queries in " .. file .. "\n")
  os.exit(2)
end
local i = 0
function setup(thread)
  i = i + 1
  thread:set("start", i * 7919)
end
local n = 0
function init(args)
  n = start or 0
end
wrk.headers["Cookie"] = cookie
wrk.headers["Accept"] = "application/json"
function request()
  n = n + 1
  return wrk.format("GET", prefix .. queries[(n % #queries) + 1])
end
