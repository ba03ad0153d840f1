-- wrk script: send each precomputed, signed request exactly once.
-- Usage: wrk -t N -c N -s clicks.lua URL -- REQUESTS_FILE N
-- One connection per thread; thread i sends lines i, i+N, i+2N... of REQUESTS_FILE (tab-separated:
-- timestamp, signature, content type, body) and stops after the answer to its last one, so nothing is
-- sent twice and nothing extra is sent. done() prints "bench <key> <value>" lines for bench/wrk.py.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")

local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

local threads, created = {}, 0

function setup(thread)
  thread:set("id", created)
  created = created + 1
  table.insert(threads, thread)
end

function init(args)
  -- wrk passes the URL as args[0]; the script's own arguments follow.
  local path, count = args[1], tonumber(args[2])
  requests, sent, answered, first, last, codes = {}, 0, 0, 0, 0, {}
  started, slow = 0, 0 -- one connection per thread: each answer is to the request sent last
  local line_no = 0
  for line in io.lines(path) do
    if line_no % count == id then
      local stamp, signature, content_type, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", nil, {
        ["X-Slack-Request-Timestamp"] = stamp,
        ["X-Slack-Signature"] = signature,
        ["Content-Type"] = content_type,
      }, body)
    end
    line_no = line_no + 1
  end
  -- wrk calls request() once on the first thread before it starts, only to parse it: not a send.
  probing = (id == 0)
end

function request()
  if probing then
    probing = false
    return requests[1]
  end
  if sent == #requests then
    -- Only after a lost connection: stop rather than send anything twice.
    wrk.thread:stop()
    return ""
  end
  sent = sent + 1
  started = now()
  if sent == 1 then
    first = started
  end
  return requests[sent]
end

function response(status, headers, body)
  answered = answered + 1
  codes[status] = (codes[status] or 0) + 1
  last = now()
  if last - started > 3 then
    slow = slow + 1 -- slower than Slack waits for an answer
  end
  if answered == #requests then
    io.stderr:write("bench-thread-done\n")
    wrk.thread:stop()
  end
end

function done(summary, latency, requests_)
  local sent_all, answered_all, slow_all, began, ended, statuses = 0, 0, 0, math.huge, 0, {}
  for _, thread in ipairs(threads) do
    sent_all = sent_all + thread:get("sent")
    answered_all = answered_all + thread:get("answered")
    slow_all = slow_all + thread:get("slow")
    local first_, last_ = thread:get("first"), thread:get("last")
    if first_ > 0 and first_ < began then began = first_ end
    if last_ > ended then ended = last_ end
    for code, n in pairs(thread:get("codes")) do
      statuses[code] = (statuses[code] or 0) + n
    end
  end
  local out = {}
  local function put(key, value) out[#out + 1] = string.format("bench %s %s", key, value) end
  put("sent", sent_all)
  put("answered", answered_all)
  put("completed", summary.requests)
  put("seconds", string.format("%.6f", ended > began and ended - began or 0))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    put("p" .. p .. "_us", latency:percentile(p))
  end
  put("mean_us", string.format("%.1f", latency.mean))
  put("max_us", latency.max)
  put("slow", slow_all)
  for code, n in pairs(statuses) do put("status_" .. code, n) end
  for _, kind in ipairs({ "connect", "read", "write", "status", "timeout" }) do
    put("error_" .. kind, summary.errors[kind])
  end
  io.write(table.concat(out, "\n") .. "\n")
end
