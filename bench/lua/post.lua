-- POST a fixed JSON document to /api/posts, whatever path the URL has.
-- Only wrk fields are set, so both wrk and gowrk build the request once per
-- thread: this measures the static-script path.
--
--   gowrk -t2 -c50 -d10s -s bench/lua/post.lua http://127.0.0.1:8080/
--   wrk   -t2 -c50 -d10s -s bench/lua/post.lua http://127.0.0.1:8080/

wrk.method = "POST"
wrk.path   = "/api/posts"
wrk.body   = '{"title":"gowrk benchmark post","body":"A short post body sent by the load generator."}'
wrk.headers["Content-Type"] = "application/json"
