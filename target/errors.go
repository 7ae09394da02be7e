package target

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgconn"
)

// unavailableError marks a failure to reach the database in time.
type unavailableError struct {
	op  string
	err error
}

func (e *unavailableError) Error() string { return e.op + ": " + e.err.Error() }
func (e *unavailableError) Unwrap() error { return e.err }

// errBatcherClosed is returned for writes submitted during shutdown.
var errBatcherClosed = errors.New("writer is shutting down")

// Unavailable reports whether err means the database could not serve the
// request now (overload, outage, restart), which is a 503, as opposed to a
// bug or a bad statement, which is a 500. Errors the server sent carry a
// SQLSTATE; connection, resource and shutdown classes are transient. An
// error without one never reached a working server: network, timeout or
// closed connection.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var ue *unavailableError
	if errors.As(err, &ue) || errors.Is(err, errBatcherClosed) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if len(pgErr.Code) < 2 {
			return false
		}
		switch pgErr.Code[:2] {
		case "08", "53", "57", "58":
			return true
		}
		return false
	}
	return true
}

// errorBody is every error response: {"error": "..."}.
type errorBody struct {
	Error string `json:"error"`
}

// sendError writes a JSON error response.
func sendError(c *fiber.Ctx, code int, msg string) error {
	return c.Status(code).JSON(errorBody{Error: msg})
}

// errorHandler turns errors that reach Fiber (unknown route, body too large,
// a handler's unexpected error, a recovered panic) into JSON responses.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		var fe *fiber.Error
		if errors.As(err, &fe) {
			msg := strings.ToLower(fe.Message)
			if fe.Code == fiber.StatusNotFound {
				msg = "not found"
			}
			return sendError(c, fe.Code, msg)
		}
		log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
		return sendError(c, fiber.StatusInternalServerError, "internal error")
	}
}

// logThrottle keeps an outage (thousands of failing requests a second) down
// to about one log line per interval, with a count of what it held back.
type logThrottle struct {
	mu         sync.Mutex
	interval   time.Duration
	last       time.Time
	suppressed int
}

// allow reports whether to log now and how many lines were held back since.
func (t *logThrottle) allow(now time.Time) (bool, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Sub(t.last) < t.interval {
		t.suppressed++
		return false, 0
	}
	n := t.suppressed
	t.last, t.suppressed = now, 0
	return true, n
}

func suppressedNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d similar errors not logged)", n)
}
