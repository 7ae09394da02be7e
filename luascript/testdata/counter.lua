-- A new path and X-Counter header for every request. Each thread has its
-- own Lua state, so each thread counts from zero on its own.

counter = 0

function request()
   local path = "/item/" .. counter
   wrk.headers["X-Counter"] = counter
   counter = counter + 1
   return wrk.format(nil, path)
end
