package infer_test

import (
	"context"
	"testing"

	"github.com/nevermind-ai/nevermind/vision/infer"
	"github.com/nevermind-ai/nevermind/vision/models"
)

// TestSessionRunAllocatesNothing: once a Session exists, Run must not touch
// the heap (single-threaded; the worker hand-off is allocation-free too).
func TestSessionRunAllocatesNothing(t *testing.T) {
	for _, threads := range []int{1, 2} {
		m := models.Expression()
		im := loadModel(t, m, infer.Options{Threads: threads})
		x := modelInput(t, m, "astronaut")
		s := im.NewSession()
		ctx := context.Background()
		allocs := testing.AllocsPerRun(5, func() {
			if _, err := s.Run(ctx, x); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("threads=%d: Session.Run allocates %v times per run", threads, allocs)
		}
	}
}
