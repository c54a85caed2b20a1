package vision

import (
	"context"
	"testing"
)

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
		for b.Loop() {
			if _, err := tr.detectFaces(ctx, img); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("facemesh", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := tr.runMesh(ctx, img, face); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("iris-both-eyes", func(b *testing.B) {
		for b.Loop() {
			for _, e := range [][2]int{{lmRightEyeOut, lmRightEyeIn}, {lmLeftEyeOut, lmLeftEyeIn}} {
				if _, err := tr.runIris(ctx, img, m.xy(e[0]), m.xy(e[1]), face.angle, e[0] == lmLeftEyeOut); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("expression", func(b *testing.B) {
		for b.Loop() {
			if _, err := tr.expr.run(ctx, img, roi{cx: face.cx, cy: face.cy, size: face.size / meshScale, angle: face.angle}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pose", func(b *testing.B) {
		for b.Loop() {
			if _, err := tr.runPose(ctx, img, poseROI(img, &box)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("measures", func(b *testing.B) {
		for b.Loop() {
			headPose(m)
			eyeAspectRatio(m, earRightEye)
			meshROI(m)
			landmarkBox(m)
		}
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
			for b.Loop() {
				f := img.frame(float64(i) / 5)
				i++
				r, err := tr.Process(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				if r.State != StateFace {
					b.Fatalf("frame %d: %s", i, r.State)
				}
			}
		})
	}
}
