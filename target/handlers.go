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
	// bufs recycles response buffers between requests.
	bufs sync.Pool
}

func (h *handlers) buffer() *[]byte {
	if bp, _ := h.bufs.Get().(*[]byte); bp != nil {
		return bp
	}
	return new([]byte)
}

func (h *handlers) recycle(bp *[]byte) {
	if cap(*bp) <= 1<<20 { // a rare huge page is left to the GC
		h.bufs.Put(bp)
	}
}

// send writes status and a JSON body; the body is copied, so the caller
// may reuse it.
func (h *handlers) send(c *fiber.Ctx, status int, body []byte) error {
	c.Status(status)
	c.Response().Header.SetContentType(fiber.MIMEApplicationJSON)
	c.Response().AppendBody(body)
	return nil
}

// sendPost writes status and p as JSON.
func (h *handlers) sendPost(c *fiber.Ctx, status int, p *Post) error {
	bp := h.buffer()
	defer h.recycle(bp)
	*bp = appendPost((*bp)[:0], p)
	return h.send(c, status, *bp)
}

const healthBody = `{"status":"ok"}`

func (h *handlers) health(c *fiber.Ctx) error {
	c.Response().Header.SetContentType(fiber.MIMEApplicationJSON)
	c.Response().SetBodyString(healthBody)
	return nil
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
	// The page is encoded straight from the rows as they are read, into
	// a pooled buffer; nothing is sent until the query has succeeded.
	bp := h.buffer()
	defer h.recycle(bp)
	var w pageWriter
	w.start((*bp)[:0], limit)
	// One extra row tells whether an older page exists.
	err := h.store.EachPost(context.Background(), before, limit+1, w.row)
	*bp = w.buf
	if err != nil {
		return h.storeError(c, err)
	}
	*bp = w.finish()
	return h.send(c, fiber.StatusOK, *bp)
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
	return h.sendPost(c, fiber.StatusOK, &p)
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
	return h.sendPost(c, fiber.StatusCreated, &p)
}

// validate returns the post to store or what is wrong with the request.
func validate(req createRequest) (NewPost, string) {
	switch {
	case req.Title == nil:
		return NewPost{}, "title is required"
	case strings.TrimSpace(*req.Title) == "":
		return NewPost{}, "title must not be empty"
	case req.Body == nil:
		return NewPost{}, "body is required"
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
