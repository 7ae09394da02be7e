package target

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// handlers holds what the endpoints need; it has no package-level state.
type handlers struct {
	store  *Store
	writer PostWriter
	log    *slog.Logger
	// unavailable throttles the log of 503s: during an outage every request
	// fails the same way.
	unavailable logThrottle
	// bufs recycles response buffers and post slices between requests.
	bufs  sync.Pool
	pages sync.Pool
}

// page is the GET /api/posts response, {"posts": [...], "next_before": N},
// where next_before is the cursor for the next (older) page, null on the
// last page. It documents the shape; appendPage writes it.
type page struct {
	Posts      []Post `json:"posts"`
	NextBefore *int64 `json:"next_before"`
}

// sendJSON writes status and the JSON that fill appends to a pooled buffer.
func (h *handlers) sendJSON(c *fiber.Ctx, status int, fill func([]byte) []byte) error {
	bp, _ := h.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	*bp = fill((*bp)[:0])
	c.Status(status)
	c.Response().Header.SetContentType(fiber.MIMEApplicationJSON)
	// AppendBody copies, so the buffer can go back to the pool at once.
	c.Response().AppendBody(*bp)
	if cap(*bp) <= 1<<20 {
		h.bufs.Put(bp)
	}
	return nil
}

var healthBody = []byte(`{"status":"ok"}`)

func (h *handlers) health(c *fiber.Ctx) error {
	c.Response().Header.SetContentType(fiber.MIMEApplicationJSON)
	return c.Send(healthBody)
}

func (h *handlers) listPosts(c *fiber.Ctx) error {
	limit := defaultPageSize
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return sendError(c, fiber.StatusBadRequest, "limit must be a positive integer")
		}
		limit = min(n, maxPageSize)
	}
	before := int64(math.MaxInt64)
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return sendError(c, fiber.StatusBadRequest, "before must be a positive integer")
		}
		before = n
	}
	pp, _ := h.pages.Get().(*[]Post)
	if pp == nil {
		pp = new([]Post)
	}
	defer func() {
		clear(*pp) // drop the strings so the pool does not pin them
		h.pages.Put(pp)
	}()
	// One extra row tells whether an older page exists.
	posts, err := h.store.ListPosts(context.Background(), before, limit+1, (*pp)[:0])
	*pp = posts
	if err != nil {
		return h.storeError(c, err)
	}
	hasNext := len(posts) > limit
	if hasNext {
		posts = posts[:limit]
	}
	return h.sendJSON(c, fiber.StatusOK, func(b []byte) []byte {
		var next int64
		if hasNext {
			next = posts[limit-1].ID
		}
		return appendPage(b, posts, next, hasNext)
	})
}

func (h *handlers) getPost(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id < 1 {
		return sendError(c, fiber.StatusBadRequest, "id must be a positive integer")
	}
	p, err := h.store.GetPost(context.Background(), id)
	if errors.Is(err, ErrNotFound) {
		return sendError(c, fiber.StatusNotFound, "post not found")
	}
	if err != nil {
		return h.storeError(c, err)
	}
	return h.sendJSON(c, fiber.StatusOK, func(b []byte) []byte { return appendPost(b, &p) })
}

// createRequest uses pointers to tell a missing field from an empty one in
// the messages; both are rejected.
type createRequest struct {
	Title *string `json:"title"`
	Body  *string `json:"body"`
}

func (h *handlers) createPost(c *fiber.Ctx) error {
	// Unmarshal copies the strings out of the request buffer, which Fiber
	// reuses once the handler returns; the batcher holds them longer.
	var req createRequest
	if err := json.Unmarshal(c.Body(), &req); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return sendError(c, fiber.StatusUnprocessableEntity, typeErr.Field+" must be a string")
		}
		return sendError(c, fiber.StatusBadRequest, "request body must be a JSON object")
	}
	np, msg := validate(req)
	if msg != "" {
		return sendError(c, fiber.StatusUnprocessableEntity, msg)
	}
	p, err := h.writer.CreatePost(context.Background(), np)
	if err != nil {
		return h.storeError(c, err)
	}
	return h.sendJSON(c, fiber.StatusCreated, func(b []byte) []byte { return appendPost(b, &p) })
}

// validate returns the post to store or what is wrong with the request.
func validate(req createRequest) (NewPost, string) {
	switch {
	case req.Title == nil:
		return NewPost{}, "title is required"
	case req.Body == nil:
		return NewPost{}, "body is required"
	case strings.TrimSpace(*req.Title) == "":
		return NewPost{}, "title must not be empty"
	case strings.TrimSpace(*req.Body) == "":
		return NewPost{}, "body must not be empty"
	case strings.IndexByte(*req.Title, 0) >= 0 || strings.IndexByte(*req.Body, 0) >= 0:
		// PostgreSQL text cannot hold NUL; rejecting it here keeps it a 422
		// instead of a database error.
		return NewPost{}, "title and body must not contain NUL characters"
	}
	return NewPost{Title: *req.Title, Body: *req.Body}, ""
}

// storeError answers a failed database call: 503 when the database is
// unreachable or overloaded, 500 otherwise; either way one log line.
func (h *handlers) storeError(c *fiber.Ctx, err error) error {
	if Unavailable(err) {
		if ok, held := h.unavailable.allow(time.Now()); ok {
			h.log.Warn("database unavailable"+suppressedNote(held), "method", c.Method(), "path", c.Path(), "err", err)
		}
		c.Set(fiber.HeaderRetryAfter, "1")
		return sendError(c, fiber.StatusServiceUnavailable, "database unavailable, retry later")
	}
	h.log.Error("database error", "method", c.Method(), "path", c.Path(), "err", err)
	return sendError(c, fiber.StatusInternalServerError, "internal error")
}
