package target

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const seedText = `load test latency throughput request response server
client pool connection query index page cursor commit batch write read queue
worker socket buffer kernel thread core cache disk flush durable fast safe
simple honest measure profile tune repeat`

// Seed inserts n generated posts with COPY, the fastest bulk path, and
// returns how many were inserted. The text is deterministic and of varied
// length (titles 3-8 words, bodies 20-60 words), like real posts.
func Seed(ctx context.Context, pool *pgxpool.Pool, n int) (int64, error) {
	if n < 0 {
		return 0, fmt.Errorf("seed: negative count %d", n)
	}
	seedWords := strings.Fields(seedText)
	rng := rand.New(rand.NewPCG(uint64(n), 0x5eed))
	words := func(min, max int) string {
		var b strings.Builder
		for i, k := 0, min+rng.IntN(max-min+1); i < k; i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(seedWords[rng.IntN(len(seedWords))])
		}
		return b.String()
	}
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		i++
		return []any{"Post " + strconv.Itoa(i) + ": " + words(3, 8), words(20, 60)}, nil
	})
	got, err := pool.CopyFrom(ctx, pgx.Identifier{"posts"}, []string{"title", "body"}, src)
	if err != nil {
		return got, fmt.Errorf("seed: %w", err)
	}
	return got, nil
}
