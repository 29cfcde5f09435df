-- wrk script: the method, body and headers come from the environment; at the end one JSON line with
-- the count, the errors and the latency percentiles (microseconds), which benchmarks/national.py reads.
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local headers = {}
for pair in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = pair:match("^([^:]+):%s*(.*)$")
  if name then headers[name] = value end
end
local unique = os.getenv("BENCH_UNIQUE_HEADER")  -- a header that must differ on every request
local counter = 0
local made = 0

setup = function(thread)  -- runs in the main state: give each thread its own tag for unique headers
  made = made + 1
  thread:set("thread_tag", os.time() .. "-" .. made)
end

request = function()
  if unique then
    counter = counter + 1
    headers[unique] = "bench-" .. thread_tag .. "-" .. counter
  end
  return wrk.format(method, nil, headers, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "errors": %d, "status_errors": %d, "p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
