package infer

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/vision/models"
	"gorgonia.org/tensor"
)

// countKernel counts how often each of its units runs, and on which
// scratch slot, to check that a job runs every unit exactly once.
type countKernel struct {
	hits  []atomic.Int32
	slots []atomic.Int32 // by scratch slot: concurrent users, must stay ≤ 1
	bad   atomic.Bool
}

func (k *countKernel) units() int { return len(k.hits) }
func (k *countKernel) run(a *args, lo, hi int) {
	slot := int(a.scratch[0])
	if k.slots[slot].Add(1) != 1 {
		k.bad.Store(true)
	}
	for u := lo; u < hi; u++ {
		k.hits[u].Add(1)
	}
	time.Sleep(time.Microsecond)
	k.slots[slot].Add(-1)
}

// TestWorkerPoolRunsEveryPartOnce: two callers share one pool of three
// workers, each with its own job (so one of them often finds the pool busy
// and runs alone); every unit runs once per run, and no scratch slot is
// used by two goroutines at once. Rounds are separated by pauses longer
// than spinFor, so workers park and are woken too.
func TestWorkerPoolRunsEveryPartOnce(t *testing.T) {
	const workers, units, rounds = 3, 37, 200
	wp := newWorkerPool(workers)
	defer wp.close()
	var wg sync.WaitGroup
	for range 2 {
		k := &countKernel{hits: make([]atomic.Int32, units), slots: make([]atomic.Int32, workers+1)}
		a := make([]args, workers+1)
		for s := range a {
			a[s].scratch = []float32{float32(s)}
		}
		j := newJob(k, a, units, min(units, partsPerThread*(workers+1)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				wp.run(j)
				for u := range k.hits {
					if n := k.hits[u].Load(); n != int32(r+1) {
						t.Errorf("round %d: unit %d ran %d times in all, want %d", r, u, n, r+1)
						return
					}
				}
				if r%20 == 0 {
					time.Sleep(2 * spinFor)
				}
			}
			if k.bad.Load() {
				t.Error("a scratch slot was used by two goroutines at once")
			}
		}()
	}
	wg.Wait()
}

// TestWorkersStopWithModel: a multi-threaded Model's workers run while it
// lives and end once it is garbage. Only the pool of the Model made here is
// watched, so what earlier tests left behind does not matter.
func TestWorkersStopWithModel(t *testing.T) {
	data, err := models.BlazeFace().ONNX()
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadBytes(data, Options{Threads: 4})
	if err != nil {
		t.Fatal(err)
	}
	in := m.Inputs()[0]
	x := tensor.New(tensor.WithShape(in.Shape...), tensor.WithBacking(make([]float32, prod(in.Shape))))
	if _, err := m.Run(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	pool := m.pool
	if n := pool.running.Load(); n != 3 {
		t.Fatalf("%d workers for a 4-thread model, want 3", n)
	}
	m = nil
	deadline := time.Now().Add(10 * time.Second)
	for pool.running.Load() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d workers still running 10 s after the model was dropped", pool.running.Load())
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWorkersParkAfterRun: workers spin through a Run, but once Runs end,
// a cancelled one included, every worker parks (an idle Model costs no
// CPU), and the next Run wakes them and is still right.
func TestWorkersParkAfterRun(t *testing.T) {
	data, err := models.BlazeFace().ONNX()
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadBytes(data, Options{Threads: 3})
	if err != nil {
		t.Fatal(err)
	}
	in := m.Inputs()[0]
	x := tensor.New(tensor.WithShape(in.Shape...), tensor.WithBacking(make([]float32, prod(in.Shape))))
	want, err := m.Run(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	first := slices.Clone(want[0].Float32s())
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Run(cancelled, x); err == nil {
		t.Fatal("a Run with a cancelled context succeeded")
	}
	for round := range 3 {
		deadline := time.Now().Add(10 * time.Second)
		for m.pool.sleepers.Load() != m.pool.running.Load() {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %d of %d workers parked 10 s after the last Run", round, m.pool.sleepers.Load(), m.pool.running.Load())
			}
			time.Sleep(time.Millisecond)
		}
		if m.pool.runs.Load() != 0 {
			t.Fatalf("round %d: %d Runs counted as going on after all returned", round, m.pool.runs.Load())
		}
		got, err := m.Run(context.Background(), x)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got[0].Float32s(), first) {
			t.Fatalf("round %d: a Run after the workers parked gave other outputs", round)
		}
	}
}
