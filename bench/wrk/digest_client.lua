-- One digest client (api.md 2.3) for the wrk scripts: the challenge request
-- (From only), the nonces the 401s carry, and the request signed with one of
-- them (MD5, qop=auth, nc=00000001 as a client's first use of a nonce).
-- One per wrk thread: its connections share the received nonces.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local md5 = dofile(here .. "md5.lua")

local client = {}
client.__index = client

function client.new(user, domain, realm, password, path)
    return setmetatable({
        user = user, realm = realm, path = path, from = "sip:" .. user .. "@" .. domain,
        ha1 = md5(user .. ":" .. realm .. ":" .. password), ha2 = md5("GET:" .. path),
        pending = {}, cnonces = 0,
    }, client)
end

-- Keeps the nonce of a 401's challenge; false when it carried none.
function client:take(headers)
    local challenge = headers["WWW-Authenticate"] or ""
    local nonce = challenge:match('nonce="([^"]+)"')
    if not nonce then
        return false
    end
    table.insert(self.pending, { nonce = nonce, opaque = challenge:match('opaque="([^"]*)"') or "" })
    return true
end

function client:has_nonce()
    return #self.pending > 0
end

-- The request signed with a received nonce, or the challenge request when
-- none waits.
function client:request()
    local got = table.remove(self.pending)
    if not got then
        return wrk.format("GET", self.path, { From = self.from })
    end
    self.cnonces = self.cnonces + 1
    local cnonce = string.format("c%08x", self.cnonces)
    local response = md5(self.ha1 .. ":" .. got.nonce .. ":00000001:" .. cnonce .. ":auth:" .. self.ha2)
    return wrk.format("GET", self.path, {
        From = self.from,
        Authorization = string.format(
            'Digest username="%s", realm="%s", nonce="%s", uri="%s", algorithm=MD5, '
                .. 'response="%s", opaque="%s", qop=auth, nc=00000001, cnonce="%s"',
            self.user, self.realm, got.nonce, self.path, response, got.opaque, cnonce) })
end

return client
