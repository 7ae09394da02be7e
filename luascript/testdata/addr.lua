-- Give every thread one of the target's reachable addresses, picked at
-- random, and print the address each thread got.

local reachable = nil

function setup(thread)
   if not reachable then
      reachable = wrk.lookup(wrk.host, wrk.port or "http")
      for i = #reachable, 1, -1 do
         if not wrk.connect(reachable[i]) then
            table.remove(reachable, i)
         end
      end
   end
   thread.addr = reachable[math.random(#reachable)]
end

function init(args)
   print(string.format("thread addr: %s", wrk.thread.addr))
end
