-- bench/soak's workload: each connection cycles through API-key reads,
-- digest handshakes, admin creations, updates and deletions of the
-- accounts it created. Every response is classified; report() prints
--   SOAK requests=N s2xx=N s401=N s4xx=N s5xx=N other=N creates=N updates=N deletes=N
-- where s401 are the digest challenges the workload asks for, and s4xx
-- any other 4xx (unexpected: the workload only sends valid requests).
-- Arguments: <admin key> <reader key> <domain> <realm> <password>
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(here .. "report.lua")
local digest_client = dofile(here .. "digest_client.lua")

setup = report.setup

s2xx, s401, s4xx, s5xx, other = 0, 0, 0, 0, 0
creates, updates, deletes = 0, 0, 0

local admin_key, reader_key, client
-- What the next request is, per thread; the steps repeat in this order.
local steps = { "me", "challenge", "me", "create", "me", "update", "challenge", "delete" }
local step = 0
-- Accounts this thread created and has not deleted, oldest first. Updates
-- take the newest, deletions the oldest and only above KEEP accounts, so a
-- deletion never races an update of the same account on another connection.
local ids = {}
local KEEP = 10
local n = 0

function init(args)
    admin_key, reader_key = args[1], args[2]
    client = digest_client.new("digest" .. tid, args[3], args[4], args[5], "/api/accounts/me")
end

local function admin(method, path, body)
    local headers = { ["x-api-key"] = admin_key }
    if body then
        headers["Content-Type"] = "application/json"
    end
    return wrk.format(method, path, headers, body)
end

function request()
    -- A received nonce is used at once: the second half of a handshake.
    if client:has_nonce() then
        return client:request()
    end
    step = step % #steps + 1
    local kind = steps[step]
    if kind == "challenge" then
        return client:request()
    elseif kind == "create" or (kind == "update" and #ids == 0)
        or (kind == "delete" and #ids <= KEEP) then
        n = n + 1
        return admin("POST", "/api/accounts", string.format(
            '{"username":"soak%dt%dn%d","password":"soak-password","algorithm":"MD5"}',
            os.time() % 100000, tid, n))
    elseif kind == "update" then
        n = n + 1
        local id = ids[#ids]
        -- PUT replaces the account (5.11): username, password, algorithm required.
        return admin("PUT", "/api/accounts/" .. id, string.format(
            '{"username":"soakupd%d","password":"soak-password","algorithm":"MD5",'
                .. '"display_name":"update %d"}', id, n))
    elseif kind == "delete" then
        local id = table.remove(ids, 1)
        return admin("DELETE", "/api/accounts/" .. id)
    end
    return wrk.format("GET", "/api/accounts/me", { ["x-api-key"] = reader_key })
end

function response(status, headers, body)
    if status >= 200 and status < 300 then
        s2xx = s2xx + 1
        local id = body:match('^{"id":(%d+),"username":"soak%d')
        if id then
            creates = creates + 1
            table.insert(ids, id)
        elseif body:match('"username":"soakupd') then
            updates = updates + 1
        elseif body == "" or body:match('^{}') or status == 204 then
            deletes = deletes + 1
        end
    elseif status == 401 then
        s401 = s401 + 1
        client:take(headers)
    elseif status >= 400 and status < 500 then
        s4xx = s4xx + 1
    elseif status >= 500 then
        s5xx = s5xx + 1
    else
        other = other + 1
    end
end

local sum = report.thread_sum

function done(summary, latency)
    local e = summary.errors
    io.write(string.format(
        "SOAK requests=%d s2xx=%d s401=%d s4xx=%d s5xx=%d other=%d creates=%d updates=%d deletes=%d"
            .. " socket_errors=%d seconds=%.1f p50_ms=%.2f p99_ms=%.2f\n",
        summary.requests, sum("s2xx"), sum("s401"), sum("s4xx"), sum("s5xx"), sum("other"),
        sum("creates"), sum("updates"), sum("deletes"),
        e.connect + e.read + e.write + e.timeout, summary.duration / 1e6,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
