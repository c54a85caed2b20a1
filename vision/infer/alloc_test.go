package infer_test

import (
	"context"
	"runtime"
	"testing"
	"time"

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

// TestWorkersStopWithModel: the goroutines a multi-threaded Model starts end
// once the Model is garbage.
func TestWorkersStopWithModel(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		im := loadModel(t, models.BlazeFace(), infer.Options{Threads: 4})
		x := modelInput(t, models.BlazeFace(), "astronaut")
		if _, err := im.Run(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		if n := runtime.NumGoroutine(); n < before+3 {
			t.Fatalf("%d goroutines with a 4-thread model, %d before", n, before)
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines remain, %d before", runtime.NumGoroutine(), before)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}
