-- wrk reporter for bench/bench.py: one JSON line with the totals and the latency percentiles (µs).
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'JSON{"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, "p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
