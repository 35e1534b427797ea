-- MD5 (RFC 1321) in LuaJIT's bit library, for the digest benchmark: wrk's
-- Lua has no hash function, and a digest response needs one MD5 per request.
-- Written for short inputs (a digest response line), not for speed records.
local bit = require("bit")
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local lshift, rol, tobit, tohex, bswap = bit.lshift, bit.rol, bit.tobit, bit.tohex, bit.bswap

local K, S = {}, {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
}
for i = 0, 63 do
    K[i] = tobit(math.floor(math.abs(math.sin(i + 1)) * 2 ^ 32))
end

-- The message padded to a multiple of 64 bytes, bit length appended (little endian).
local function pad(msg)
    local bits = #msg * 8
    local tail = {}
    for i = 0, 7 do
        tail[i + 1] = string.char(math.floor(bits / 2 ^ (8 * i)) % 256)
    end
    return msg .. "\128" .. string.rep("\0", (55 - #msg) % 64) .. table.concat(tail)
end

local function md5_hex(msg)
    msg = pad(msg)
    local a0, b0, c0, d0 = tobit(0x67452301), tobit(0xefcdab89), tobit(0x98badcfe), tobit(0x10325476)
    local M = {}
    for chunk = 1, #msg, 64 do
        for i = 0, 15 do
            local b1, b2, b3, b4 = msg:byte(chunk + i * 4, chunk + i * 4 + 3)
            M[i] = bor(b1, lshift(b2, 8), lshift(b3, 16), lshift(b4, 24))
        end
        local A, B, C, D = a0, b0, c0, d0
        for i = 0, 63 do
            local F, g
            if i < 16 then
                F, g = bor(band(B, C), band(bnot(B), D)), i
            elseif i < 32 then
                F, g = bor(band(D, B), band(bnot(D), C)), (5 * i + 1) % 16
            elseif i < 48 then
                F, g = bxor(B, C, D), (3 * i + 5) % 16
            else
                F, g = bxor(C, bor(B, bnot(D))), (7 * i) % 16
            end
            F = tobit(F + A + K[i] + M[g])
            A, D, C = D, C, B
            B = tobit(B + rol(F, S[i + 1]))
        end
        a0, b0, c0, d0 = tobit(a0 + A), tobit(b0 + B), tobit(c0 + C), tobit(d0 + D)
    end
    return tohex(bswap(a0)) .. tohex(bswap(b0)) .. tohex(bswap(c0)) .. tohex(bswap(d0))
end

return md5_hex
