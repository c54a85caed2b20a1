package media

import (
	"errors"
	"testing"

	"github.com/asticode/go-astiav"
)

// Every decoded frame counts against MaxPixelRate, also frames whose timestamps do not
// advance (each still cost its decoding), and steady video at the limit passes.
func TestCheckRateCountsEveryDecodedFrame(t *testing.T) {
	f := astiav.AllocFrame()
	defer f.Free()
	f.SetWidth(100)
	f.SetHeight(100)
	const fps = 30
	v := &videoDecoder{cur: f, maxPixelRate: 100 * 100 * fps}
	for i := 0; i < 10*fps; i++ {
		if err := v.checkRate(float64(i) / fps); err != nil {
			t.Fatalf("frame %d of steady video at the limit: %v", i, err)
		}
	}
	v = &videoDecoder{cur: f, maxPixelRate: 100 * 100 * fps}
	for i := 1; ; i++ {
		err := v.checkRate(0)
		if err == nil && i <= fps {
			continue // a second's burst
		}
		if !errors.Is(err, ErrTooLarge) || i != fps+1 {
			t.Fatalf("frame %d at the same instant: %v, want ErrTooLarge at frame %d", i, err, fps+1)
		}
		break
	}
}
