-- GET of the URL given to wrk (headers with -H): the static baseline, the
-- API-key read and the page listings.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(here .. "report.lua")

setup = report.setup
done = function(summary, latency) report.done(summary, latency, false) end
