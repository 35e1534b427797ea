-- Shared by every scenario script: one machine-readable summary line that
-- bench/run parses. Statuses are checked here, not trusted: scripts that
-- count responses themselves (digest) set `ok_counted`; the others rely on
-- wrk's own count of statuses > 399 plus socket errors.
--
--   BENCH requests=N ok=N bad=N socket_errors=N seconds=S p50_ms=X p99_ms=Y
local report = {}

local threads = {}

function report.setup(thread)
    table.insert(threads, thread)
    thread:set("tid", #threads)
end

-- Sums a per-thread counter (a global of each thread's Lua state).
function report.thread_sum(name)
    local total = 0
    for _, t in ipairs(threads) do
        total = total + (tonumber(t:get(name)) or 0)
    end
    return total
end

function report.done(summary, latency, counted)
    local e = summary.errors
    local socket_errors = e.connect + e.read + e.write + e.timeout
    local ok, bad
    if counted then
        ok, bad = report.thread_sum("ok_count"), report.thread_sum("bad_count")
    else
        bad = e.status
        ok = summary.requests - bad
    end
    io.write(string.format(
        "BENCH requests=%d ok=%d bad=%d socket_errors=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f\n",
        summary.requests, ok, bad, socket_errors, summary.duration / 1e6,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end

return report
