-- POSTs a 1 KiB body of random lowercase letters built one character at a
-- time: the per-byte cost of math.random and string.char.

local chars = {}

function request()
   for i = 1, 1024 do
      chars[i] = string.char(math.random(97, 122))
   end
   return wrk.format("POST", "/", nil, table.concat(chars))
end
