package infer

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/vision/models"
	"gorgonia.org/tensor"
)

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
