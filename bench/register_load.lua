-- wrk script for bench/register_load.sh: POST /registrering with a unique
-- idempotency key per request, spread over several logged-in units.
--
-- Environment (set by register_load.sh):
--   KOMHEN_BENCH_SESSIONS  Lua file returning { {cookie=, csrf=, tasks={...}}, ... }
--   KOMHEN_BENCH_RUN       tag put in every idempotency key (unique per run)
--   KOMHEN_BENCH_IDS       file that receives the ids of all 303 responses
--   KOMHEN_BENCH_COUNT     "0" leaves response() undefined (wrk's fast path;
--                          no status counts, no ids): used to measure what
--                          counting costs
--
-- done() prints one machine-readable line starting with "RESULT".

local sessions = dofile(os.getenv("KOMHEN_BENCH_SESSIONS"))
local run = os.getenv("KOMHEN_BENCH_RUN") or "run"
local ids_file = os.getenv("KOMHEN_BENCH_IDS")
local counting = os.getenv("KOMHEN_BENCH_COUNT") ~= "0"

-- What a counter clerk registers: mostly telephone, some e-mail and
-- personal attendance (both of which need the form question answered).
local channels = {
  "channel=TLFIND", "channel=TLFIND", "channel=TLFIND",
  "channel=EMLIND&form=NEJ", "channel=EMLIND&form=JA",
  "channel=PRSNLG&form=NEJ", "channel=PRSNLG&form=JA",
}
local kinds = { "VEJL", "VEJL", "INFO", "STATUS", "OPRET" }
local completions = { "STRAKS", "STRAKS", "STRAKS", "HOLD" }

local threads = {}
local next_tid = 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  sent, ok, other, nids = 0, 0, 0, 0
  ids = {}
  statuses = {}
  first_error = nil
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
end

function request()
  sent = sent + 1
  local s = sessions[(sent + tid) % #sessions + 1]
  local task = s.tasks[sent % #s.tasks + 1]
  local body = "csrf=" .. s.csrf
    .. "&idempotency_key=" .. run .. "-" .. tid .. "-" .. sent
    .. "&direction=in&" .. channels[sent % #channels + 1]
    .. "&task=" .. task
    .. "&inquiry_type=" .. kinds[sent % #kinds + 1]
    .. "&completion=" .. completions[sent % #completions + 1]
    .. "&duration_ms=" .. (1000 + (sent * 7919) % 600000)
  headers["Cookie"] = "komhen_session=" .. s.cookie
  return wrk.format("POST", "/registrering", headers, body)
end

local function count_response(status, hdrs, body)
  local loc = hdrs["location"] or hdrs["Location"]
  local id = status == 303 and loc and loc:match("gemt=(%d+)")
  if id then
    ok = ok + 1
    nids = nids + 1
    ids[nids] = tonumber(id)
  else
    other = other + 1
    local key = tostring(status) .. (loc and (" -> " .. loc) or "")
    statuses[key] = (statuses[key] or 0) + 1
    if first_error == nil then first_error = key .. "\n" .. (body or "") end
  end
end

if counting then
  response = count_response
end

function done(summary, latency, requests)
  local sent_all, ok_all, other_all = 0, 0, 0
  local status_all = {}
  local err_body = nil
  local f = ids_file and io.open(ids_file, "w")
  for _, t in ipairs(threads) do
    sent_all = sent_all + t:get("sent")
    if counting then
      ok_all = ok_all + t:get("ok")
      other_all = other_all + t:get("other")
      for k, v in pairs(t:get("statuses")) do status_all[k] = (status_all[k] or 0) + v end
      err_body = err_body or t:get("first_error")
      if f then
        local tids = t:get("ids")
        for i = 1, #tids do f:write(tids[i], "\n") end
      end
    end
  end
  if f then f:close() end
  local e = summary.errors
  local secs = summary.duration / 1e6
  local parts = {}
  for k, v in pairs(status_all) do table.insert(parts, k .. ":" .. v) end
  io.write(string.format(
    "RESULT requests=%d secs=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f "
      .. "sent=%d ok303=%s other=%s inflight=%d non2xx3xx=%d connect=%d read=%d write=%d timeout=%d statuses=%s\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000,
    sent_all, counting and ok_all or "-", counting and other_all or "-",
    sent_all - summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
    (#parts > 0) and table.concat(parts, ",") or "none"))
  if err_body then
    io.write("FIRST_UNEXPECTED_RESPONSE ", string.sub(err_body, 1, 2000), "\n")
  end
end
