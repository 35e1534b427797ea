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
local md5 = dofile(here .. "md5.lua")

setup = report.setup
done = function(summary, latency) report.done(summary, latency, true) end

ok_count, bad_count = 0, 0   -- globals: read by report.done through thread:get

local path = "/api/accounts/me"
local user, from, ha1, ha2, realm
local nonces, opaques = {}, {}
local cnonce_n = 0

function init(args)
    local domain = args[1]
    realm = args[2]
    user = "digest" .. tid
    from = "sip:" .. user .. "@" .. domain
    ha1 = md5(user .. ":" .. realm .. ":" .. args[3])
    ha2 = md5("GET:" .. path)
end

function request()
    local nonce = table.remove(nonces)
    if not nonce then
        return wrk.format("GET", path, { From = from })
    end
    local opaque = table.remove(opaques)
    cnonce_n = cnonce_n + 1
    local cnonce = string.format("c%08x", cnonce_n)
    local nc = "00000001"
    local response = md5(ha1 .. ":" .. nonce .. ":" .. nc .. ":" .. cnonce .. ":auth:" .. ha2)
    local auth = string.format(
        'Digest username="%s", realm="%s", nonce="%s", uri="%s", algorithm=MD5, '
            .. 'response="%s", opaque="%s", qop=auth, nc=%s, cnonce="%s"',
        user, realm, nonce, path, response, opaque, nc, cnonce)
    return wrk.format("GET", path, { From = from, Authorization = auth })
end

function response(status, headers, body)
    if status == 401 then
        local challenge = headers["WWW-Authenticate"] or ""
        local nonce = challenge:match('nonce="([^"]+)"')
        if nonce then
            table.insert(nonces, nonce)
            table.insert(opaques, challenge:match('opaque="([^"]*)"') or "")
            return
        end
    elseif status == 200 then
        ok_count = ok_count + 1
        return
    end
    bad_count = bad_count + 1
end
