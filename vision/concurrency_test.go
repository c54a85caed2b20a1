package vision

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/nevermind-ai/nevermind/media"
)

func photoFrames(t testing.TB, n int) []*media.Frame {
	img := benchFrame(t)
	var out []*media.Frame
	for i := range n {
		f := img.frame(float64(i) / testFPS)
		f.Index = i
		out = append(out, f)
	}
	return out
}

func seqFrames(frames []*media.Frame) func(func(*media.Frame, error) bool) {
	return func(yield func(*media.Frame, error) bool) {
		for _, f := range frames {
			if !yield(f, nil) {
				return
			}
		}
	}
}

// One Analyzer serves several analyses at once; each gets the report it
// would get alone.
func TestConcurrentAnalyses(t *testing.T) {
	a := testAnalyzer(t)
	frames := photoFrames(t, 8)
	ctx := context.Background()
	alone, err := a.Analyze(ctx, seqFrames(frames), AnalyzeOptions{FPS: testFPS, Series: true})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(alone)
	var wg sync.WaitGroup
	got := make([][]byte, 4)
	for i := range got {
		wg.Go(func() {
			r, err := a.Analyze(ctx, seqFrames(frames), AnalyzeOptions{FPS: testFPS, Series: true})
			if err != nil {
				t.Error(err)
				return
			}
			got[i], _ = json.Marshal(r)
		})
	}
	wg.Wait()
	for i, g := range got {
		if string(g) != string(want) {
			t.Errorf("analysis %d differs from the one run alone", i)
		}
	}
	// The photo: one smiling face, seen throughout, with an upper body.
	if alone.Frames.WithFace != 8 || alone.Frames.WithPose != 8 {
		t.Errorf("frames %+v, want a face and a pose in all 8", alone.Frames)
	}
	if *alone.Metrics.SmilePercent < 50 || alone.Face.MouthDelta == nil {
		t.Errorf("smile share %.0f %% on a smiling face", *alone.Metrics.SmilePercent)
	}
	for _, f := range alone.Series {
		if *f.Mouth >= 0 {
			t.Errorf("%.1f s: mouth measure %.4f, want < 0 (corners raised)", f.Time, *f.Mouth)
		}
	}
}

// A face narrower than Options.MinFaceWidth is found but not measured.
func TestFaceTooSmallState(t *testing.T) {
	a, err := New(Options{MinFaceWidth: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.Analyze(context.Background(), seqFrames(photoFrames(t, 6)), AnalyzeOptions{FPS: testFPS, Series: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Frames.FaceTooSmall != 6 || r.Frames.WithFace != 0 || r.Face.Status != statusUnavailable {
		t.Errorf("frames %+v, face status %s; want 6 too small and no measures", r.Frames, r.Face.Status)
	}
	for _, f := range r.Series {
		if f.Face == nil || f.Yaw != nil || f.EAR != nil {
			t.Errorf("%.1f s: box %v, yaw %v, EAR %v; want the box and no measures", f.Time, f.Face, f.Yaw, f.EAR)
		}
	}
	if len(r.Timeline) == 0 || r.Timeline[0].Kind != KindFaceTooSmall || r.Timeline[0].End != 1.2 {
		t.Errorf("timeline %+v, want face_too_small over 0–1.2 s", r.Timeline)
	}
}
