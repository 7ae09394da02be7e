-- Number the threads from setup(), count requests and responses in each
-- thread, and read the counts back in done().

local next_id = 1
local threads = {}

function setup(thread)
   thread:set("id", next_id)
   threads[#threads + 1] = thread
   next_id = next_id + 1
end

function init(args)
   sent = 0
   received = 0
   print(string.format("thread %d created", id))
end

function request()
   sent = sent + 1
   return wrk.request()
end

function response(status, headers, body)
   received = received + 1
end

function done(summary, latency, requests)
   for _, thread in ipairs(threads) do
      print(string.format("thread %d sent %d requests and got %d responses",
         thread:get("id"), thread:get("sent"), thread:get("received")))
   end
end
