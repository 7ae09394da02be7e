-- A POST with a fixed form body and a Content-Type header, set once at
-- top level: the request is built once per thread and never rebuilt.

wrk.method = "POST"
wrk.body   = "name=gowrk&mode=post"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
