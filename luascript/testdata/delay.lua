-- Wait a random 10 to 30 ms before each request.

function delay()
   return math.random(10, 30)
end
