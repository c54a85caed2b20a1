package vision

import (
	"context"
	"errors"
	"testing"

	"github.com/nevermind-ai/nevermind/media"
)

// FuzzProcess feeds frames of any size and content, well-formed or not:
// the tracker returns a state or ErrBadFrame, never panics, and its
// summary never holds NaN.
func FuzzProcess(f *testing.F) {
	f.Add(uint16(1), uint16(1), []byte{0, 0, 0}, uint8(0))
	f.Add(uint16(3), uint16(200), []byte{255, 0, 10, 200}, uint8(7))
	f.Add(uint16(640), uint16(2), []byte{1, 2, 3}, uint8(255))
	f.Add(uint16(0), uint16(5), []byte{}, uint8(1))
	a := testAnalyzer(f)
	f.Fuzz(func(t *testing.T, w, h uint16, pattern []byte, shortBy uint8) {
		if int(w)*int(h) > 1<<20 {
			return
		}
		n := int(w) * int(h) * 3
		rgb := make([]byte, n)
		for i := range rgb {
			if len(pattern) > 0 {
				rgb[i] = pattern[i%len(pattern)]
			}
		}
		if int(shortBy)%4 == 1 && n > 0 {
			rgb = rgb[:n-1] // malformed
		}
		tr := a.NewTracker(5)
		var results []FrameResult
		for i := range 2 {
			r, err := tr.Process(context.Background(), &media.Frame{Index: i, Width: int(w), Height: int(h), RGB: rgb})
			if err != nil {
				if !errors.Is(err, ErrBadFrame) {
					t.Fatalf("%d×%d: %v", w, h, err)
				}
				return
			}
			if r.State == "" {
				t.Fatalf("%d×%d: no state", w, h)
			}
			results = append(results, r)
		}
		if w == 0 || h == 0 || len(rgb) != n {
			t.Fatalf("%d×%d with %d bytes accepted", w, h, len(rgb))
		}
		checkNoNaN(t, Summarize(results, 5, AnalyzeOptions{Series: true}))
	})
}
