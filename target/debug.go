package target

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/pprof"
)

// poolStats is the GET /debug/pool response, for sizing the pool: waits
// (empty_acquire_count, acquire_duration_ms) mean too few connections.
type poolStats struct {
	MaxConns             int32   `json:"max_conns"`
	TotalConns           int32   `json:"total_conns"`
	AcquiredConns        int32   `json:"acquired_conns"`
	IdleConns            int32   `json:"idle_conns"`
	ConstructingConns    int32   `json:"constructing_conns"`
	AcquireCount         int64   `json:"acquire_count"`
	EmptyAcquireCount    int64   `json:"empty_acquire_count"`
	CanceledAcquireCount int64   `json:"canceled_acquire_count"`
	AcquireDurationMS    float64 `json:"acquire_duration_ms"`
	NewConnsCount        int64   `json:"new_conns_count"`
	PipelinedReads       int64   `json:"pipelined_reads"`
	ReadRoundTrips       int64   `json:"read_round_trips"`
}

// mountDebug adds /debug/pprof/ (net/http/pprof) and /debug/pool. They
// expose internals, so they are mounted only when enabled.
func mountDebug(app *fiber.App, store *Store) {
	app.Use("/debug/pprof", pprof.New())
	app.Get("/debug/pool", func(c *fiber.Ctx) error {
		st := store.Pool().Stat()
		reads, trips := store.PipelineStats()
		return c.JSON(poolStats{
			PipelinedReads:       reads,
			ReadRoundTrips:       trips,
			MaxConns:             st.MaxConns(),
			TotalConns:           st.TotalConns(),
			AcquiredConns:        st.AcquiredConns(),
			IdleConns:            st.IdleConns(),
			ConstructingConns:    st.ConstructingConns(),
			AcquireCount:         st.AcquireCount(),
			EmptyAcquireCount:    st.EmptyAcquireCount(),
			CanceledAcquireCount: st.CanceledAcquireCount(),
			AcquireDurationMS:    float64(st.AcquireDuration().Microseconds()) / 1000,
			NewConnsCount:        st.NewConnsCount(),
		})
	})
}
