-- The statement behind POST /api/posts in direct mode: one row, one commit.
INSERT INTO posts (title, body) VALUES ('Load test post', 'A short post body sent by the load generator, about the size of a real comment.') RETURNING id, created_at;
