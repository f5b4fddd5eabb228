-- wrk script for bench/soak.sh: the registrations of bench/register_load.lua
-- (its setup(), init() and request(): a unique idempotency key per request,
-- spread over the logged-in units) sent at a constant rate.
--
-- Constant rate: each wrk thread keeps a schedule of send times, one every
-- threads/rate seconds. delay() is called by wrk before every request on a
-- connection; it hands the connection the next free slot of its thread and
-- waits until then. So the thread sends at the rate whatever the latency,
-- as long as a connection is free; a connection that comes back late (the
-- server stalled) takes a slot in the past and sends at once, catching up.
-- How late sends were is counted ("lag"), since wrk's latency starts at the
-- send, not at the slot.
--
-- Environment (set by soak.sh), besides register_load.lua's:
--   KOMHEN_SOAK_RATE      registrations/s, all threads together
--   KOMHEN_SOAK_THREADS   wrk's -t (to split the rate)
--   KOMHEN_SOAK_OUT       prefix of per-thread files: OUT.ids.N (the id of
--                         every 303 answer, one a line) and OUT.progress.N
--                         (rewritten every 250 ms: "ok other sent
--                         late max_lag_ms", read by soak.sh's sampler)
--
-- done() prints one machine-readable line starting with "RESULT".

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "register_load.lua")

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } komhen_soak_timespec;
int clock_gettime(int clk_id, komhen_soak_timespec *tp);
]]
local ts = ffi.new("komhen_soak_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local rate = tonumber(os.getenv("KOMHEN_SOAK_RATE") or "500")
local nthreads = tonumber(os.getenv("KOMHEN_SOAK_THREADS") or "2")
local out = os.getenv("KOMHEN_SOAK_OUT")
local LATE_MS = 100 -- a send this far behind its slot counts as late

local soak_threads = {}
local base_setup = setup
function setup(thread)
  base_setup(thread)
  table.insert(soak_threads, thread)
end

local base_init = init
function init(args)
  base_init(args)
  interval = 1000 * nthreads / rate
  next_slot = nil
  late, max_lag = 0, 0
  ids_out = io.open(out .. ".ids." .. tid, "w")
  ids_out:setvbuf("full")
  last_progress = 0
end

function delay()
  local now = now_ms()
  if next_slot == nil then
    -- threads interleave their slots
    next_slot = now + (tid - 1) * interval / nthreads
  end
  local slot = next_slot
  next_slot = next_slot + interval
  local wait = slot - now
  if wait < 0 then
    if -wait > max_lag then max_lag = -wait end
    if -wait > LATE_MS then late = late + 1 end
    return 0
  end
  return math.floor(wait + 0.5)
end

local function progress(now)
  last_progress = now
  ids_out:flush()
  local tmp = out .. ".tmp." .. tid
  local f = io.open(tmp, "w")
  f:write(string.format("%d %d %d %d %.1f\n", ok, other, sent, late, max_lag))
  f:close()
  os.rename(tmp, out .. ".progress." .. tid) -- never read half-written
end

function response(status, hdrs, body)
  local loc = hdrs["location"] or hdrs["Location"]
  local id = status == 303 and loc and loc:match("gemt=(%d+)")
  if id then
    ok = ok + 1
    ids_out:write(id, "\n")
  else
    other = other + 1
    local key = tostring(status) .. (loc and (" -> " .. loc) or "")
    statuses[key] = (statuses[key] or 0) + 1
    if first_error == nil then first_error = key .. "\n" .. (body or "") end
  end
  local now = now_ms()
  if now - last_progress >= 250 then progress(now) end
end

function done(summary, latency, requests)
  local sent_all, ok_all, other_all, late_all, lag = 0, 0, 0, 0, 0
  local status_all = {}
  local err_body = nil
  for _, t in ipairs(soak_threads) do
    sent_all = sent_all + t:get("sent")
    ok_all = ok_all + t:get("ok")
    other_all = other_all + t:get("other")
    late_all = late_all + t:get("late")
    lag = math.max(lag, t:get("max_lag"))
    for k, v in pairs(t:get("statuses")) do status_all[k] = (status_all[k] or 0) + v end
    err_body = err_body or t:get("first_error")
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  local parts = {}
  for k, v in pairs(status_all) do table.insert(parts, k .. ":" .. v) end
  io.write(string.format(
    "RESULT requests=%d secs=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f "
      .. "sent=%d ok303=%d other=%d inflight=%d non2xx3xx=%d connect=%d read=%d write=%d timeout=%d "
      .. "late=%d max_lag_ms=%.1f statuses=%s\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000,
    sent_all, ok_all, other_all, sent_all - summary.requests,
    e.status, e.connect, e.read, e.write, e.timeout, late_all, lag,
    (#parts > 0) and table.concat(parts, ",") or "none"))
  if err_body then
    io.write("FIRST_UNEXPECTED_RESPONSE ", string.sub(err_body, 1, 2000), "\n")
  end
end
