-- auth.lua: wrk script for the authenticated benchmark request (b).
-- Sends the session cookie from the environment variable HOCVUSO_COOKIE
-- (the whole "hocvuso_session=..." pair) on every request; wrk's own
-- "Non-2xx or 3xx responses" line then shows whether the session held.
local cookie = os.getenv("HOCVUSO_COOKIE")
if cookie == nil or cookie == "" then
  io.stderr:write("auth.lua: HOCVUSO_COOKIE is not set\n")
  os.exit(2)
end
wrk.method = "GET"
wrk.headers["Cookie"] = cookie
wrk.headers["Accept"] = "application/json"
