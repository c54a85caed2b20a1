package infer_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nevermind-ai/nevermind/vision/infer"
	"github.com/nevermind-ai/nevermind/vision/models"
	"gorgonia.org/tensor"
)

// The shipped models are checked against onnxruntime outputs that
// vision/models stores as testdata (made by its refgen script on the same
// .onnx files and the same real images), and against tfjs-core running the
// original TensorFlow.js models where those exist, within 1e-3 of each
// output's range.

const refDir = "../models/testdata"

var refImages = []string{"astronaut", "pigo"}

// modelInput reads a reference crop and normalizes it as the model wants.
func modelInput(t testing.TB, m models.Model, img string) *tensor.Dense {
	t.Helper()
	path := filepath.Join(refDir, m.Name+"-"+img+".png")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("reference input %s not available: %v", path, err)
	}
	defer f.Close()
	pic, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := pic.Bounds()
	rgb := make([]byte, 0, b.Dx()*b.Dy()*3)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := pic.At(x, y).RGBA()
			rgb = append(rgb, byte(r>>8), byte(g>>8), byte(bl>>8))
		}
	}
	data, err := m.Input.Normalize(rgb)
	if err != nil {
		t.Fatal(err)
	}
	return tensor.New(tensor.WithShape(1, m.Input.Height, m.Input.Width, 3), tensor.WithBacking(data))
}

func readF32(t testing.TB, path string) []float32 {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, len(raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out
}

func loadModel(t testing.TB, m models.Model, opts infer.Options) *infer.Model {
	t.Helper()
	data, err := m.ONNX()
	if err != nil {
		t.Fatal(err)
	}
	im, err := infer.LoadBytes(data, opts)
	if err != nil {
		t.Fatalf("%s: %v", m.Name, err)
	}
	return im
}

// compareRef returns the worst |got − want| / range over an output.
func compareRef(got, want []float32) (worst, rng float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range want {
		lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
	}
	// As vision/models' manifest: a one-value output is judged by its size.
	rng = math.Max(hi-lo, math.Max(math.Abs(lo), math.Abs(hi)))
	for i := range want {
		worst = math.Max(worst, math.Abs(float64(got[i])-float64(want[i])))
	}
	return worst, rng
}

func TestModelsMatchOnnxruntime(t *testing.T) {
	for _, m := range models.All() {
		// kernels "avx2" is what an AVX2-only machine runs (here too if it
		// has AVX-512); "go" is the pure-Go path of other architectures.
		for _, c := range []struct {
			kernels string
			threads int
		}{{"auto", 1}, {"avx2", 1}, {"go", 1}, {"auto", 2}} {
			t.Run(fmt.Sprintf("%s/kernels=%s/threads=%d", m.Name, c.kernels, c.threads), func(t *testing.T) {
				t.Setenv("NEVERMIND_INFER_KERNELS", c.kernels)
				im := loadModel(t, m, infer.Options{Threads: c.threads})
				for _, img := range refImages {
					x := modelInput(t, m, img)
					outs, err := im.Run(context.Background(), x)
					if err != nil {
						t.Fatal(err)
					}
					for i, o := range im.Outputs() {
						ref := filepath.Join(refDir, fmt.Sprintf("%s-%s.%s.ort.f32", m.Name, img, strings.ReplaceAll(o.Name, ":", "_")))
						want := readF32(t, ref)
						got := outs[i].Float32s()
						if len(got) != len(want) {
							t.Fatalf("%s %s: %d values, reference has %d", img, o.Name, len(got), len(want))
						}
						worst, rng := compareRef(got, want)
						if worst > 1e-3*rng {
							t.Errorf("%s %s: max abs diff %.3g > 1e-3 × range %.3g", img, o.Name, worst, rng)
						}
						t.Logf("%s %s: max abs diff %.2g (range %.3g)", img, o.Name, worst, rng)
						// Where vision/models has it, also the original tfjs model
						// run by tfjs-core (BlazeFace has no tfjs original).
						tfjs := strings.TrimSuffix(ref, ".ort.f32") + ".tfjs.f32"
						if _, err := os.Stat(tfjs); err == nil {
							worst, rng := compareRef(got, readF32(t, tfjs))
							if worst > 1e-3*rng {
								t.Errorf("%s %s vs tfjs: max abs diff %.3g > 1e-3 × range %.3g", img, o.Name, worst, rng)
							}
							t.Logf("%s %s vs tfjs: max abs diff %.2g", img, o.Name, worst)
						}
					}
				}
			})
		}
	}
}

// TestModelsRepeatAndConcurrent runs every model 10 times in a row and from
// 8 goroutines at once; every output must be bit-identical to the first.
func TestModelsRepeatAndConcurrent(t *testing.T) {
	for _, m := range models.All() {
		t.Run(m.Name, func(t *testing.T) {
			im := loadModel(t, m, infer.Options{Threads: 2})
			x := modelInput(t, m, "astronaut")
			first, err := im.Run(context.Background(), x)
			if err != nil {
				t.Fatal(err)
			}
			same := func(outs []*tensor.Dense) error {
				for i := range first {
					a, b := first[i].Data().([]float32), outs[i].Float32s()
					for j := range a {
						if math.Float32bits(a[j]) != math.Float32bits(b[j]) {
							return fmt.Errorf("output %d element %d: %v then %v", i, j, a[j], b[j])
						}
					}
				}
				return nil
			}
			s := im.NewSession()
			for range 10 {
				outs, err := s.Run(context.Background(), x)
				if err != nil {
					t.Fatal(err)
				}
				if err := same(outs); err != nil {
					t.Fatalf("repeated run: %v", err)
				}
			}
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 3 {
						outs, err := im.Run(context.Background(), x)
						if err == nil {
							err = same(outs)
						}
						if err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("concurrent run: %v", err)
			}
		})
	}
}

// BenchmarkModels times one Session.Run per shipped model on its reference
// crop; benchmarks/infer compares the same runs with onnxruntime.
func BenchmarkModels(b *testing.B) {
	for _, m := range models.All() {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", m.Name, threads), func(b *testing.B) {
				im := loadModel(b, m, infer.Options{Threads: threads})
				x := modelInput(b, m, "astronaut")
				s := im.NewSession()
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.Run(ctx, x); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
