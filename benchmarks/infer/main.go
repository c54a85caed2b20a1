// Command infer-bench times vision/infer on every shipped model against
// onnxruntime (onnxruntime-node, driven by ort.js) in the same run, and
// prints a Markdown table: best and median time per Run with 1 and 2
// threads, the ratio to onnxruntime with the same thread count, load time
// and peak RSS. The inputs are the real reference crops of vision/models.
//
//	go run ./benchmarks/infer              # all models, table on stdout
//	go run ./benchmarks/infer -runs 50 -models blazeface,facemesh
//
// onnxruntime-node must be installed next to ort.js (see README.md); without
// it the onnxruntime columns are left empty.
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nevermind-ai/nevermind/vision/infer"
	"github.com/nevermind-ai/nevermind/vision/models"
	"gorgonia.org/tensor"
)

// result is one measurement; the parent process collects them as JSON from
// child processes so that peak RSS is per model.
type result struct {
	Model    string  `json:"model"`
	Threads  int     `json:"threads"`
	BestMs   float64 `json:"best_ms"`
	MedianMs float64 `json:"median_ms"`
	CPUMs    float64 `json:"cpu_ms"` // CPU time per run (all threads)
	LoadMs   float64 `json:"load_ms"`
	PeakRSS  int64   `json:"peak_rss_kb"`
}

type ortResult struct {
	BestMs   float64 `json:"best_ms"`
	MedianMs float64 `json:"median_ms"`
	CPUMs    float64 `json:"cpu_ms"`
	LoadMs   float64 `json:"load_ms"`
}

func main() {
	runs := flag.Int("runs", 30, "timed runs per configuration")
	only := flag.String("models", "", "comma-separated model names (default: all)")
	child := flag.String("child", "", "internal: measure one model:threads and print JSON")
	dir := flag.String("dir", "benchmarks/infer", "directory holding ort.js")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if *child != "" {
		name, th, _ := strings.Cut(*child, ":")
		th, portable := strings.CutSuffix(th, "p")
		threads, _ := strconv.Atoi(th)
		r, err := measure(name, threads, *runs, portable)
		if err != nil {
			log.Error("measure", "model", name, "err", err)
			os.Exit(1)
		}
		json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	self, err := os.Executable()
	if err != nil {
		log.Error("executable", "err", err)
		os.Exit(1)
	}
	fmt.Printf("| model | input | ours 1T CPU ms/run | ORT 1T CPU ms/run | **ratio 1T (CPU)** | ours 1T best wall ms | ORT 1T best wall ms | ratio 1T (wall) | ours 2T best wall ms | ORT 2T best wall ms | ratio 2T (wall) | our speedup 2T/1T | pure-Go kernels 1T CPU ms (ratio) | load ms (ours / ORT) | peak RSS MB (ours) |\n")
	fmt.Printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, m := range models.All() {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), m.Name) {
			continue
		}
		var ours [3]result
		var ort [3]*ortResult
		child := func(spec string, r *result) {
			out, err := exec.Command(self, "-runs", strconv.Itoa(*runs), "-child", m.Name+":"+spec).Output()
			if err != nil {
				log.Error("child", "model", m.Name, "err", err)
				os.Exit(1)
			}
			if err := json.Unmarshal(out, r); err != nil {
				log.Error("child output", "out", string(out), "err", err)
				os.Exit(1)
			}
		}
		child("1p", &ours[0]) // pure-Go kernels, one thread
		for _, threads := range []int{1, 2} {
			child(strconv.Itoa(threads), &ours[threads])
			var err error
			ort[threads], err = runORT(*dir, m, threads, *runs)
			if err != nil {
				log.Warn("onnxruntime not measured", "model", m.Name, "err", err)
			}
		}
		na := func(f func(*ortResult) float64, t int) string {
			if ort[t] == nil {
				return "—"
			}
			return fmt.Sprintf("%.2f", f(ort[t]))
		}
		ratio := func(ours float64, f func(*ortResult) float64, t int) string {
			if ort[t] == nil {
				return "—"
			}
			return fmt.Sprintf("%.2f×", ours/f(ort[t]))
		}
		cpu := func(r *ortResult) float64 { return r.CPUMs }
		best := func(r *ortResult) float64 { return r.BestMs }
		load := func(r *ortResult) float64 { return r.LoadMs }
		fmt.Printf("| %s | %d×%d | %.2f | %s | **%s** | %.2f | %s | %s | %.2f | %s | %s | %.2f× | %.1f (%s) | %.0f / %s | %.0f |\n",
			m.Name, m.Input.Height, m.Input.Width,
			ours[1].CPUMs, na(cpu, 1), ratio(ours[1].CPUMs, cpu, 1),
			ours[1].BestMs, na(best, 1), ratio(ours[1].BestMs, best, 1),
			ours[2].BestMs, na(best, 2), ratio(ours[2].BestMs, best, 2),
			ours[1].BestMs/ours[2].BestMs, ours[0].CPUMs, ratio(ours[0].CPUMs, cpu, 1),
			ours[1].LoadMs, na(load, 1), float64(ours[1].PeakRSS)/1024)
	}
}

// input returns the model's astronaut reference crop, normalized.
func input(m models.Model) ([]float32, error) {
	f, err := os.Open(filepath.Join("vision/models/testdata", m.Name+"-astronaut.png"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pic, err := png.Decode(f)
	if err != nil {
		return nil, err
	}
	b := pic.Bounds()
	var rgb []byte
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := pic.At(x, y).RGBA()
			rgb = append(rgb, byte(r>>8), byte(g>>8), byte(bl>>8))
		}
	}
	return m.Input.Normalize(rgb)
}

func measure(name string, threads, runs int, portable bool) (result, error) {
	m, err := models.ByName(name)
	if err != nil {
		return result{}, err
	}
	data, err := m.ONNX()
	if err != nil {
		return result{}, err
	}
	x, err := input(m)
	if err != nil {
		return result{}, err
	}
	start := time.Now()
	im, err := infer.LoadBytes(data, infer.Options{Threads: threads, PortableKernels: portable})
	if err != nil {
		return result{}, err
	}
	load := time.Since(start)
	s := im.NewSession()
	in := tensor.New(tensor.WithShape(1, m.Input.Height, m.Input.Width, 3), tensor.WithBacking(x))
	ctx := context.Background()
	for range 3 {
		if _, err := s.Run(ctx, in); err != nil {
			return result{}, err
		}
	}
	times := make([]float64, runs)
	cpu0 := cpuTime()
	for i := range times {
		t0 := time.Now()
		s.Run(ctx, in)
		times[i] = float64(time.Since(t0).Nanoseconds()) / 1e6
	}
	cpu := (cpuTime() - cpu0).Seconds() * 1000 / float64(runs)
	slices.Sort(times)
	runtime.KeepAlive(s)
	return result{Model: name, Threads: threads, BestMs: times[0], MedianMs: times[len(times)/2], CPUMs: cpu,
		LoadMs: float64(load.Nanoseconds()) / 1e6, PeakRSS: peakRSS()}, nil
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS reads VmHWM from /proc/self/status (Linux), in kB.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// runORT times the same model and input with onnxruntime-node.
func runORT(dir string, m models.Model, threads, runs int) (*ortResult, error) {
	x, err := input(m)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "infer-bench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	raw := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	inPath := filepath.Join(tmp, "in.f32")
	if err := os.WriteFile(inPath, raw, 0o600); err != nil {
		return nil, err
	}
	data, err := m.ONNX()
	if err != nil {
		return nil, err
	}
	modelPath := filepath.Join(tmp, m.File)
	if err := os.WriteFile(modelPath, data, 0o600); err != nil {
		return nil, err
	}
	dims := fmt.Sprintf("1,%d,%d,3", m.Input.Height, m.Input.Width)
	cmd := exec.Command("node", filepath.Join(dir, "ort.js"), modelPath, inPath, dims, filepath.Join(tmp, "out"), strconv.Itoa(runs), strconv.Itoa(threads))
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("node ort.js: %w", err)
	}
	var r ortResult
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("node ort.js output %q: %w", out, err)
	}
	return &r, nil
}
