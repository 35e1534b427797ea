-- (c) Full digest handshakes (api.md 2.3): an unauthenticated GET that the
-- module answers 401 with a fresh nonce, then the same GET answered with
-- MD5 digest credentials for that nonce (nc=00000001, as a client's first
-- use of a nonce). Each thread signs in as its own account, digest<thread>,
-- so every nonce a thread receives is one it can use; its connections share
-- a queue of received nonces. A handshake = one 401 then one 200;
-- anything else is counted as bad.
-- Arguments: <domain> <realm> <password>
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(here .. "report.lua")
local digest_client = dofile(here .. "digest_client.lua")

setup = report.setup
done = function(summary, latency) report.done(summary, latency, true) end

ok_count, bad_count = 0, 0   -- globals: read by report.done through thread:get

local client

function init(args)
    client = digest_client.new("digest" .. tid, args[1], args[2], args[3], "/api/accounts/me")
end

function request()
    return client:request()
end

function response(status, headers, body)
    if status == 401 and client:take(headers) then
        return
    elseif status == 200 then
        ok_count = ok_count + 1
        return
    end
    bad_count = bad_count + 1
end
