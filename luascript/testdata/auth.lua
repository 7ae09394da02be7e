-- Fetch a token first, then send it with every later request.

token = nil
path  = "/login"

function request()
   return wrk.format("GET", path)
end

function response(status, headers, body)
   if not token and status == 200 and headers["X-Token"] then
      token = headers["X-Token"]
      path  = "/private"
      wrk.headers["X-Token"] = token
   end
end
