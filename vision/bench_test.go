package vision

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// processCPU is the CPU time this process has used. Benchmarks report it
// per operation (cpu-ms/op) besides wall time, because the shared
// benchmark machine's load inflates wall time but hardly CPU time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs body b.N times and reports its CPU milliseconds per run.
func measure(b *testing.B, body func()) {
	start := processCPU()
	for b.Loop() {
		body()
	}
	b.ReportMetric(float64(processCPU()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// benchFrame is a 640×360 frame: the astronaut photo scaled to the frame's
// height on a grey background, a webcam-like framing.
func benchFrame(b testing.TB) rgbImage {
	b.Helper()
	src := readImageFile(b, astronautPath(b))
	face := src.crop(roi{cx: 256, cy: 256, size: 512}, 360, nil)
	img := rgbImage{w: 640, h: 360, pix: make([]byte, 640*360*3)}
	for i := range img.pix {
		img.pix[i] = 128
	}
	for y := range 360 {
		copy(img.pix[(y*640+140)*3:], face[y*360*3:(y+1)*360*3])
	}
	return img
}

// BenchmarkStages times each model stage on one core at 640×360, as the
// tracker runs it (crop, normalisation, inference, decoding).
func BenchmarkStages(b *testing.B) {
	a := testAnalyzer(b)
	img := benchFrame(b)
	ctx := context.Background()
	tr := a.NewTracker(5)
	faces, err := tr.detectFaces(ctx, img)
	if err != nil || len(faces) == 0 {
		b.Fatalf("no face in the benchmark frame: %v", err)
	}
	m, _, err := tr.runMesh(ctx, img, detectionROI(faces[0], true))
	if err != nil {
		b.Fatal(err)
	}
	face := meshROI(m)
	box := landmarkBox(m)
	b.Run("detect", func(b *testing.B) {
		measure(b, func() {
			if _, err := tr.detectFaces(ctx, img); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("facemesh", func(b *testing.B) {
		measure(b, func() {
			if _, _, err := tr.runMesh(ctx, img, face); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("iris-both-eyes", func(b *testing.B) {
		measure(b, func() {
			for _, e := range [][2]int{{lmRightEyeOut, lmRightEyeIn}, {lmLeftEyeOut, lmLeftEyeIn}} {
				if _, err := tr.runIris(ctx, img, m.xy(e[0]), m.xy(e[1]), face.angle, e[0] == lmLeftEyeOut); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("expression", func(b *testing.B) {
		measure(b, func() {
			if _, err := tr.expr.run(ctx, img, roi{cx: face.cx, cy: face.cy, size: face.size / meshScale, angle: face.angle}); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("pose", func(b *testing.B) {
		measure(b, func() {
			if _, err := tr.runPose(ctx, img, poseROI(img, &box)); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("measures", func(b *testing.B) {
		measure(b, func() {
			headPose(m, newCamera(img.w, img.h, DefaultFieldOfViewDeg))
			eyeAspectRatio(m, earRightEye)
			meshROI(m)
			landmarkBox(m)
		})
	})
}

// BenchmarkFrame is the whole per-frame cost with tracking (the detector
// runs once a second), with PoseNet in parallel (threads=2) or not.
func BenchmarkFrame(b *testing.B) {
	img := benchFrame(b)
	ctx := context.Background()
	for _, threads := range []int{1, 2} {
		a, err := New(Options{Threads: threads})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(map[int]string{1: "threads=1", 2: "threads=2"}[threads], func(b *testing.B) {
			tr := a.NewTracker(5)
			i := 0
			measure(b, func() {
				f := img.frame(float64(i) / 5)
				i++
				r, err := tr.Process(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				if r.State != StateFace {
					b.Fatalf("frame %d: %s", i, r.State)
				}
			})
		})
	}
}

// BenchmarkCrop is the sampling of PoseNet's 257×257 input, the largest
// crop of a frame.
func BenchmarkCrop(b *testing.B) {
	img := benchFrame(b)
	var dst []byte
	for _, r := range []struct {
		name string
		roi  roi
	}{{"upright", roi{cx: 300, cy: 200, size: 330}}, {"rotated", roi{cx: 300, cy: 200, size: 330, angle: 0.1}}} {
		b.Run(r.name, func(b *testing.B) {
			measure(b, func() { dst = img.crop(r.roi, poseInput, dst) })
		})
	}
}
