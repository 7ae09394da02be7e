-- A plain GET with response() defined: measures the cost of handing every
-- response's status, headers and body to Lua.

local statuses = 0

function response(status, headers, body)
   if status == 200 then
      statuses = statuses + 1
   end
end
