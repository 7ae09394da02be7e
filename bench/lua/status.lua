-- Counts responses by status in response() and prints the counts from
-- done(): the cost of a hook that only reads its arguments.

local counts = {}

function response(status, headers, body)
   counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
end
