-- wrk script for bench/token-api.sh. BENCH_MODE=access-token spreads GETs of
-- /api/v1/companies/{id}/ups/access-token over the ids in BENCH_IDS_FILE with the
-- service token in BENCH_SERVICE_TOKEN; BENCH_MODE=healthz sends GET /healthz.
-- Prints one machine-readable line at the end (latencies in microseconds).
local mode = os.getenv("BENCH_MODE") or "healthz"
local ids, token = {}, os.getenv("BENCH_SERVICE_TOKEN")

if mode == "access-token" then
    for line in io.lines(os.getenv("BENCH_IDS_FILE")) do
        if line ~= "" then ids[#ids + 1] = line end
    end
    assert(#ids > 0 and token, "BENCH_IDS_FILE and BENCH_SERVICE_TOKEN are needed")
end

function init(args)
    math.randomseed(os.time() + math.floor(os.clock() * 1000000) + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
    if mode == "access-token" then
        local id = ids[math.random(#ids)]
        return wrk.format("GET", "/api/v1/companies/" .. id .. "/ups/access-token", { ["Authorization"] = "Bearer " .. token })
    end
    return wrk.format("GET", "/healthz")
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "BENCH requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
        summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
        latency:percentile(50), latency:percentile(99), e.status, e.connect, e.read, e.write, e.timeout))
end
