-- The query behind GET /api/posts (first page: 20 rows plus one to detect a next page).
SELECT id, title, body, created_at FROM posts WHERE id < 9223372036854775807 ORDER BY id DESC LIMIT 21;
