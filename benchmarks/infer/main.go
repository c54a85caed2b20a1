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
	"golang.org/x/sys/cpu"
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
	count := flag.Int("count", 1, "rounds; each measures every configuration once, ours and onnxruntime's interleaved, and the table shows medians")
	portable := flag.Bool("portable", true, "also measure the pure-Go kernels")
	only := flag.String("models", "", "comma-separated model names (default: all)")
	child := flag.String("child", "", "internal: measure one model:threads and print JSON")
	dir := flag.String("dir", "benchmarks/infer", "directory holding ort.js")
	preload := flag.String("ort-preload", "", "LD_PRELOAD for onnxruntime's node process: noavx512.so (see noavx512/) makes it run its AVX2 kernels")
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
	ortKernels := "its best"
	if *preload != "" {
		// The dynamic loader only warns about a preload it cannot find.
		if *preload, err = filepath.Abs(*preload); err == nil {
			_, err = os.Stat(*preload)
		}
		if err != nil {
			log.Error("ort-preload", "err", err)
			os.Exit(1)
		}
		ortKernels = "LD_PRELOAD=" + filepath.Base(*preload)
	}
	fmt.Printf("Kernels: %s; onnxruntime: %s. CPU: AVX2 %v, FMA %v, AVX-512F %v. Medians of %d interleaved rounds of %d runs.\n\n",
		kernelsLabel(), ortKernels, cpu.X86.HasAVX2, cpu.X86.HasFMA, cpu.X86.HasAVX512F, *count, *runs)
	fmt.Printf("| model | input | ours 1T CPU ms/run | ORT 1T CPU ms/run | **ratio 1T (CPU)** | ours 1T best wall ms | ORT 1T best wall ms | ratio 1T (wall) | ours 2T best wall ms | ORT 2T best wall ms | ratio 2T (wall) | our speedup 2T/1T | ORT speedup 2T/1T | pure-Go kernels 1T CPU ms (ratio) | load ms (ours / ORT) | peak RSS MB (ours) |\n")
	fmt.Printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, m := range models.All() {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), m.Name) {
			continue
		}
		// Each round measures every configuration once, ours next to
		// onnxruntime's, so that a change in the machine's load hits both.
		var ours [3][]result
		var ort [3][]ortResult
		child := func(spec string) result {
			out, err := exec.Command(self, "-runs", strconv.Itoa(*runs), "-child", m.Name+":"+spec).Output()
			if err != nil {
				log.Error("child", "model", m.Name, "err", err)
				os.Exit(1)
			}
			var r result
			if err := json.Unmarshal(out, &r); err != nil {
				log.Error("child output", "out", string(out), "err", err)
				os.Exit(1)
			}
			return r
		}
		haveORT := true
		for range *count {
			if *portable {
				ours[0] = append(ours[0], child("1p")) // pure-Go kernels, one thread
			}
			for _, threads := range []int{1, 2} {
				ours[threads] = append(ours[threads], child(strconv.Itoa(threads)))
				if !haveORT {
					continue
				}
				r, err := runORT(*dir, *preload, m, threads, *runs)
				if err != nil {
					log.Warn("onnxruntime not measured", "model", m.Name, "err", err)
					haveORT = false
					continue
				}
				ort[threads] = append(ort[threads], *r)
			}
		}
		med := median[result]
		ortMed := func(t int, f func(ortResult) float64) (float64, bool) {
			if !haveORT {
				return 0, false
			}
			return median(ort[t], f), true
		}
		na := func(v float64, ok bool) string {
			if !ok {
				return "—"
			}
			return fmt.Sprintf("%.2f", v)
		}
		ratio := func(ours, v float64, ok bool) string {
			if !ok {
				return "—"
			}
			return fmt.Sprintf("%.2f×", ours/v)
		}
		cpuMs := func(r result) float64 { return r.CPUMs }
		bestMs := func(r result) float64 { return r.BestMs }
		oc1, ok := ortMed(1, func(r ortResult) float64 { return r.CPUMs })
		ob1, _ := ortMed(1, func(r ortResult) float64 { return r.BestMs })
		ob2, _ := ortMed(2, func(r ortResult) float64 { return r.BestMs })
		ol, _ := ortMed(1, func(r ortResult) float64 { return r.LoadMs })
		c1, b1, b2 := med(ours[1], cpuMs), med(ours[1], bestMs), med(ours[2], bestMs)
		pure := "—"
		if *portable {
			pc := med(ours[0], cpuMs)
			pure = fmt.Sprintf("%.1f (%s)", pc, ratio(pc, oc1, ok))
		}
		fmt.Printf("| %s | %d×%d | %.2f | %s | **%s** | %.2f | %s | %s | %.2f | %s | %s | %.2f× | %s | %s | %.0f / %s | %.0f |\n",
			m.Name, m.Input.Height, m.Input.Width,
			c1, na(oc1, ok), ratio(c1, oc1, ok),
			b1, na(ob1, ok), ratio(b1, ob1, ok),
			b2, na(ob2, ok), ratio(b2, ob2, ok),
			b1/b2, ratio(ob1, ob2, ok), pure,
			med(ours[1], func(r result) float64 { return r.LoadMs }), na(ol, ok),
			med(ours[1], func(r result) float64 { return float64(r.PeakRSS) / 1024 }))
	}
}

// median is the median of f over rs (the mean of the middle two for an
// even count).
func median[T any](rs []T, f func(T) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// kernelsLabel says which kernels vision/infer picks in this process.
func kernelsLabel() string {
	env := os.Getenv("NEVERMIND_INFER_KERNELS")
	if env == "" {
		env = "auto"
	}
	switch {
	case env == "go" || runtime.GOARCH != "amd64" || !cpu.X86.HasAVX2 || !cpu.X86.HasFMA:
		return "pure Go"
	case env == "avx2" || !cpu.X86.HasAVX512F:
		return "AVX2/FMA (NEVERMIND_INFER_KERNELS=" + env + ")"
	}
	return "AVX-512 GEMM, AVX2/FMA elsewhere (NEVERMIND_INFER_KERNELS=" + env + ")"
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

// runORT times the same model and input with onnxruntime-node, with
// preload (if not empty) as its LD_PRELOAD.
func runORT(dir, preload string, m models.Model, threads, runs int) (*ortResult, error) {
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
	script := []string{filepath.Join(dir, "ort.js"), modelPath, inPath, dims, filepath.Join(tmp, "out"), strconv.Itoa(runs), strconv.Itoa(threads)}
	env := append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
	if preload != "" {
		// V8's WebAssembly trap handler would take over the preload's
		// SIGSEGV handler; onnxruntime-node does not use WebAssembly.
		script = append([]string{"--disable-wasm-trap-handler"}, script...)
		env = append(env, "LD_PRELOAD="+preload)
	}
	cmd := exec.Command("node", script...)
	cmd.Env = env
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
