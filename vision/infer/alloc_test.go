package infer_test

import (
	"context"
	"runtime"
	"strings"
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

// workerGoroutines counts the goroutines running a Model's worker loop.
func workerGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "infer.newWorkerPool.func")
}

// waitWorkers collects garbage until at most n worker goroutines remain.
func waitWorkers(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for workerGoroutines() > n {
		if time.Now().After(deadline) {
			t.Fatalf("%d worker goroutines remain, want %d", workerGoroutines(), n)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWorkersStopWithModel: the goroutines a multi-threaded Model starts end
// once the Model is garbage.
func TestWorkersStopWithModel(t *testing.T) {
	waitWorkers(t, 0) // models of earlier tests
	func() {
		im := loadModel(t, models.BlazeFace(), infer.Options{Threads: 4})
		x := modelInput(t, models.BlazeFace(), "astronaut")
		if _, err := im.Run(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		if n := workerGoroutines(); n != 3 {
			t.Fatalf("%d worker goroutines for a 4-thread model, want 3", n)
		}
	}()
	waitWorkers(t, 0)
}
