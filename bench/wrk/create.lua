-- (d) and (f): account creations, a new username per request:
-- <letter><run>t<thread>n<counter>, so runs and threads never collide.
--   admin: POST /accounts by an admin (the key in -H)
--   token: POST /accounts/with-account-creation-token (public), each request
--          with its own pre-minted token. bench/run mints, per run and
--          thread, the 13-character tokens (api.md 4.10) r<run>t<thread, 2
--          digits>n<counter, 7 digits> (counter 1..the supply); running out
--          shows as 422s, which the summary counts as bad.
-- Arguments: admin|token <run number>
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(here .. "report.lua")

setup = report.setup
done = function(summary, latency) report.done(summary, latency, false) end

local with_token, run, n = false, 0, 0

function init(args)
    with_token = args[1] == "token"
    run = tonumber(args[2]) or 0
    -- Added to wrk.headers, which also holds the -H headers (the key):
    -- a headers table given to wrk.format would replace them.
    wrk.headers["Content-Type"] = "application/json"
end

function request()
    n = n + 1
    local body
    if with_token then
        body = string.format(
            '{"username":"p%dt%dn%d","password":"bench-password","algorithm":"MD5",'
                .. '"account_creation_token":"r%dt%02dn%07d"}', run, tid, n, run, tid, n)
    else
        body = string.format(
            '{"username":"c%dt%dn%d","password":"bench-password","algorithm":"MD5"}', run, tid, n)
    end
    return wrk.format("POST", nil, nil, body)
end
