-- A new path per request, built in request(): measures the cost of calling
-- into Lua for every request (dynamic-script path).

local n = 0

function request()
   n = n + 1
   return wrk.format(nil, "/item/" .. n)
end
