// Package frame defines the video frame that flows from the decoder (package media) to the
// analysers (package vision). It is pure Go, so code that analyses frames — from media, a
// camera or image files — does not need libav.
package frame

import "time"

// Frame is one sampled video frame: packed RGB24, Width*3 bytes a row, upright. Whoever
// receives a Frame owns it; the decoder never reuses its memory.
type Frame struct {
	// Index counts sampled frames from 0; Time is the sampling instant, Index/FPS.
	Index int
	Time  time.Duration
	// SourceTime is the presentation time of the decoded frame that was chosen as the
	// one nearest to Time.
	SourceTime    time.Duration
	Width, Height int
	RGB           []byte
}

// Gray returns the frame's luma (BT.601), Width bytes a row.
func (f *Frame) Gray() []byte {
	g := make([]byte, f.Width*f.Height)
	for i := range g {
		p := f.RGB[3*i : 3*i+3 : 3*i+3]
		g[i] = uint8((77*int(p[0]) + 150*int(p[1]) + 29*int(p[2]) + 128) >> 8)
	}
	return g
}
