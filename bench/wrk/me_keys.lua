-- GET /accounts/me as many users do it: each request with the API key of
-- one of KEYS accounts, picked at random (bench/run loads them as
-- "k" .. 39-digit number, stored hashed like real user keys). Argument:
-- the number of keys.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(here .. "report.lua")

local keys = 1

setup = report.setup

function init(args)
    keys = tonumber(args[1]) or 1
    -- A different sequence per thread (tid is set by report.setup).
    math.randomseed(os.time() * 1000 + (tonumber(tid) or 0))
end

function request()
    local n = math.random(1, keys)
    return wrk.format("GET", nil, { ["x-api-key"] = string.format("k%039d", n) })
end

done = function(summary, latency) report.done(summary, latency, false) end
