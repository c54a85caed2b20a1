package vision

import (
	"context"
	"errors"
	"iter"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/media"
)

func grey(i int) *media.Frame {
	f := &media.Frame{Index: i, Time: time.Duration(i) * 200 * time.Millisecond, Width: 64, Height: 48, RGB: make([]byte, 64*48*3)}
	for j := range f.RGB {
		f.RGB[j] = 100
	}
	return f
}

func seqOf(items ...any) iter.Seq2[*media.Frame, error] {
	return func(yield func(*media.Frame, error) bool) {
		for _, it := range items {
			var ok bool
			switch v := it.(type) {
			case *media.Frame:
				ok = yield(v, nil)
			case error:
				ok = yield(nil, v)
			}
			if !ok {
				return
			}
		}
	}
}

func TestAnalyzeErrors(t *testing.T) {
	a := testAnalyzer(t)
	ctx := context.Background()
	decodeErr := errors.New("decoder broke")
	short := grey(1)
	short.RGB = short.RGB[:10]
	cases := []struct {
		name   string
		frames iter.Seq2[*media.Frame, error]
		want   error
	}{
		{"empty", seqOf(), ErrNoFrames},
		{"decoder error", seqOf(grey(0), decodeErr), decodeErr},
		{"short buffer", seqOf(grey(0), short), ErrBadFrame},
		{"nil frame", seqOf(grey(0), (*media.Frame)(nil)), ErrBadFrame},
	}
	for _, c := range cases {
		r, err := a.Analyze(ctx, c.frames, AnalyzeOptions{})
		if !errors.Is(err, c.want) || r != nil {
			t.Errorf("%s: report %v, error %v; want %v", c.name, r, err, c.want)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := a.Analyze(cancelled, seqOf(grey(0), grey(1)), AnalyzeOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

// Dark and uniform frames are states, not errors.
func TestDarkFramesAreCounted(t *testing.T) {
	a := testAnalyzer(t)
	dark := grey(0)
	for j := range dark.RGB {
		dark.RGB[j] = 5
	}
	r, err := a.Analyze(context.Background(), seqOf(dark, grey(1)), AnalyzeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Frames.TooDark != 1 || r.Frames.NoFace != 1 || r.Frames.Sampled != 2 {
		t.Errorf("frames %+v, want one too dark and one without a face", r.Frames)
	}
}

func TestDefaultFPSIsTheDecoders(t *testing.T) {
	if DefaultFPS != media.DefaultFPS {
		t.Errorf("vision assumes %d fps by default, media samples %d", DefaultFPS, media.DefaultFPS)
	}
}

func TestBadFieldOfView(t *testing.T) {
	for _, fov := range []float64{-5, 5, 175, math.NaN()} {
		if _, err := New(Options{FieldOfViewDeg: fov}); err == nil || !strings.Contains(err.Error(), "field of view") {
			t.Errorf("field of view %v: %v, want an error naming it", fov, err)
		}
	}
}
