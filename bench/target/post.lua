-- POST /api/posts with a small JSON post, for wrk and gowrk.
wrk.method = "POST"
wrk.body   = '{"title":"Load test post","body":"A short post body sent by the load generator, about the size of a real comment."}'
wrk.headers["Content-Type"] = "application/json"
