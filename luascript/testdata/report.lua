-- Print latency percentiles as CSV when the run is over.

function done(summary, latency, requests)
   io.write("percentile,latency_us\n")
   for _, p in ipairs({ 50, 90, 99, 99.999 }) do
      io.write(string.format("%g,%d\n", p, latency:percentile(p)))
   end
end
