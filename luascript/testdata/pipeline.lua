-- Three requests written at once: they are pipelined on the connection.

function init(args)
   local batch = {
      wrk.format(nil, "/one"),
      wrk.format(nil, "/two"),
      wrk.format(nil, "/three"),
   }
   pipelined = table.concat(batch)
end

function request()
   return pipelined
end
