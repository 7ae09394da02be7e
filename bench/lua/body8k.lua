-- POSTs an 8 KiB JSON body built in Lua for every request: 128 items of 64
-- bytes with the request number in each. Measures Lua string building,
-- table.concat and wrk.format per request.

local n = 0
local parts = {}

function request()
   n = n + 1
   for i = 1, 128 do
      parts[i] = string.format('{"id":%8d,"seq":%4d,"name":"item-%08d-xxxxxxx"},', n, i, i)
   end
   return wrk.format("POST", "/", { ["Content-Type"] = "application/json" }, "[" .. table.concat(parts) .. "]")
end
