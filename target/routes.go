package target

import (
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
)

// MaxBodySize is the largest accepted request body; larger ones get 413
// before any handler runs.
const MaxBodySize = 64 << 10

// NewApp builds the Fiber app with every route. store serves the GETs and
// writer the POSTs; the debug routes exist only when pprof is true.
func NewApp(store *Store, writer PostWriter, log *slog.Logger, pprof bool) *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:               "target",
		DisableStartupMessage: true,
		BodyLimit:             MaxBodySize,
		ErrorHandler:          errorHandler(log),
		// Idle keep-alive connections must not hold a graceful shutdown up,
		// and slow clients must not hold connections forever.
		ReadTimeout:  30 * time.Second,
		WriteTimeout: 30 * time.Second,
		IdleTimeout:  60 * time.Second,
	})
	// A panic becomes a 500 with one log line (via the error handler), not
	// a crash or a stack trace.
	app.Use(recover.New())
	h := &handlers{store: store, writer: writer, log: log, unavailable: logThrottle{interval: time.Second}}
	app.Get("/api", h.health)
	app.Get("/api/posts", h.listPosts)
	app.Post("/api/posts", h.createPost)
	app.Get("/api/posts/:id", h.getPost)
	if pprof {
		mountDebug(app, store)
	}
	return app
}
