package media

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/asticode/go-astiav"
)

// videoDecoder decodes one video stream and picks, for each sampling instant k/FPS, the
// decoded frame whose timestamp is nearest to it. Only the previous decoded frame is kept.
type videoDecoder struct {
	index     int
	tb        float64
	origin    float64
	maxPixels int
	// maxPixelRate and maxTime are Options.MaxPixelRate and MaxDuration (in seconds);
	// zero means no limit.
	maxPixelRate, maxTime float64
	// decodedPixels sums the size of every frame decoded, from time rateStart to latest.
	decodedPixels, rateStart, latest float64
	width                            int // requested output width
	interval                         float64
	rotation                         int
	// displayW and displayH are the source's displayed size, after rotation.
	displayW, displayH int

	cc         *astiav.CodecContext
	cur, prev  *astiav.Frame
	hasPrev    bool
	prevTime   float64
	firstTime  float64
	lastTime   float64
	lastDelta  float64
	streamRate float64

	next int // index of the next sampling instant

	sws                      *astiav.SoftwareScaleContext
	swsW, swsH, swsOW, swsOH int
	swsFmt                   astiav.PixelFormat
	scaled                   *astiav.Frame

	// pool holds pixel buffers handed back with Decoder.Recycle.
	pool sync.Pool

	packets int
}

func newVideoDecoder(s *astiav.Stream, opts Options, origin float64) (*videoDecoder, error) {
	cp := s.CodecParameters()
	w, h := cp.Width(), cp.Height()
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("%w: video stream has no frame size", ErrCorrupt)
	}
	if w*h > opts.MaxPixels {
		return nil, fmt.Errorf("%w: %d×%d is more than %d pixels", ErrTooLarge, w, h, opts.MaxPixels)
	}
	if r := s.AvgFrameRate(); opts.MaxPixelRate > 0 && r.Num() > 0 && r.Den() > 0 && float64(w*h)*r.Float64() > opts.MaxPixelRate {
		return nil, fmt.Errorf("%w: %d×%d at %.4g frames/s is more than %.4g pixels a second", ErrTooLarge, w, h, r.Float64(), opts.MaxPixelRate)
	}
	cc, err := openCodec(cp, opts.Threads)
	if err != nil {
		return nil, err
	}
	v := &videoDecoder{
		index:        s.Index(),
		tb:           s.TimeBase().Float64(),
		origin:       origin,
		maxPixels:    opts.MaxPixels,
		maxPixelRate: opts.MaxPixelRate,
		maxTime:      opts.MaxDuration.Seconds(),
		width:        opts.Width,
		interval:     1 / opts.FPS,
		rotation:     streamRotation(cp),
		cc:           cc,
		cur:          astiav.AllocFrame(),
		prev:         astiav.AllocFrame(),
		scaled:       astiav.AllocFrame(),
	}
	v.displayW, v.displayH = rotatedSize(w, h, v.rotation)
	if r := s.AvgFrameRate(); r.Num() > 0 && r.Den() > 0 {
		v.streamRate = r.Float64()
	}
	return v, nil
}

// streamRotation reads the display matrix and rounds it to a quarter turn clockwise.
func streamRotation(cp *astiav.CodecParameters) int {
	m, ok := cp.SideData().DisplayMatrix().Get()
	if !ok {
		return 0
	}
	deg := int(math.Round(m.Rotation()/90)) * 90
	return ((deg % 360) + 360) % 360
}

func rotatedSize(w, h, rotation int) (int, int) {
	if rotation == 90 || rotation == 270 {
		return h, w
	}
	return w, h
}

func (v *videoDecoder) free() {
	v.cc.Free()
	v.cur.Free()
	v.prev.Free()
	v.scaled.Free()
	if v.sws != nil {
		v.sws.Free()
	}
}

func (v *videoDecoder) decode(pkt *astiav.Packet, st *Stats, out *[]*Frame) error {
	v.packets++
	return decodePacket(v.cc, pkt, v.cur, "video", st, func() error { return v.take(st, out) })
}

func (v *videoDecoder) flush(st *Stats, out *[]*Frame) error {
	if err := decodePacket(v.cc, nil, v.cur, "video", st, func() error { return v.take(st, out) }); err != nil {
		return err
	}
	if !v.hasPrev {
		return nil
	}
	// The last frame stands for the instants up to half a frame past its own time.
	end := v.prevTime + v.frameDuration()/2
	for v.instant(v.next) <= end {
		if err := v.emit(v.prev, v.prevTime, st, out); err != nil {
			return err
		}
	}
	return nil
}

func (v *videoDecoder) instant(k int) float64 { return float64(k) * v.interval }

func (v *videoDecoder) frameDuration() float64 {
	switch {
	case v.lastDelta > 0:
		return v.lastDelta
	case v.streamRate > 0:
		return 1 / v.streamRate
	}
	return v.interval
}

// checkRate counts the frame just decoded, at time t, against Options.MaxDuration and
// MaxPixelRate. Every decoded frame counts, duplicates of a timestamp too, since each cost
// its decoding: the pixels decoded since the first frame may not pass the limit's worth of
// the time since then plus one second.
func (v *videoDecoder) checkRate(t float64) error {
	if v.maxTime > 0 && t > v.maxTime {
		return fmt.Errorf("%w: the video passes %v", ErrTooLong, time.Duration(v.maxTime*float64(time.Second)))
	}
	if v.maxPixelRate <= 0 {
		return nil
	}
	if v.decodedPixels == 0 {
		v.rateStart, v.latest = t, t
	}
	v.latest = max(v.latest, t)
	v.decodedPixels += float64(v.cur.Width() * v.cur.Height())
	if v.decodedPixels > v.maxPixelRate*(v.latest-v.rateStart+1) {
		return fmt.Errorf("%w: %d×%d frames decode at more than %.4g pixels a second", ErrTooLarge, v.cur.Width(), v.cur.Height(), v.maxPixelRate)
	}
	return nil
}

// take files the frame just decoded into v.cur against the sampling instants it passes.
func (v *videoDecoder) take(st *Stats, out *[]*Frame) error {
	defer v.cur.Unref()
	pts := v.cur.Pts()
	if pts == astiav.NoPtsValue {
		pts = v.cur.PktDts()
	}
	var t float64
	switch {
	case pts != astiav.NoPtsValue:
		t = float64(pts)*v.tb - v.origin
	case v.hasPrev:
		t = v.prevTime + v.frameDuration()
	}
	if err := v.checkRate(t); err != nil {
		return err
	}
	if v.hasPrev && t <= v.prevTime {
		return nil // a duplicate or out-of-order timestamp adds nothing
	}
	st.VideoFrames++
	if !v.hasPrev {
		v.firstTime = t
	}
	if !v.hasPrev {
		// Instants before the video starts have no picture; skip them rather than
		// pretend the first frame was there.
		for v.instant(v.next) < t-v.interval/2 {
			v.next++
		}
	}
	for v.instant(v.next) <= t {
		s := v.instant(v.next)
		if v.hasPrev && s-v.prevTime < t-s {
			if err := v.emit(v.prev, v.prevTime, st, out); err != nil {
				return err
			}
			continue
		}
		if err := v.emit(v.cur, t, st, out); err != nil {
			return err
		}
	}
	if v.hasPrev {
		v.lastDelta = t - v.prevTime
	}
	v.prev.Unref()
	if err := v.prev.Ref(v.cur); err != nil {
		return fmt.Errorf("media: keeping a frame: %w", err)
	}
	v.hasPrev, v.prevTime, v.lastTime = true, t, t
	return nil
}

// emit scales and rotates f into a new Frame for the next sampling instant.
func (v *videoDecoder) emit(f *astiav.Frame, t float64, st *Stats, out *[]*Frame) error {
	w, h := f.Width(), f.Height()
	if w*h > v.maxPixels {
		return fmt.Errorf("%w: a %d×%d frame is more than %d pixels", ErrTooLarge, w, h, v.maxPixels)
	}
	dw, dh := rotatedSize(w, h, v.rotation)
	ow := min(v.width, dw)
	oh := max(2, int(math.Round(float64(dh)*float64(ow)/float64(dw)/2))*2)
	sw, sh := rotatedSize(ow, oh, v.rotation) // the scaled picture before rotation
	if v.sws == nil || v.swsW != w || v.swsH != h || v.swsFmt != f.PixelFormat() || v.swsOW != sw || v.swsOH != sh {
		if v.sws != nil {
			v.sws.Free()
		}
		sws, err := astiav.CreateSoftwareScaleContext(w, h, f.PixelFormat(), sw, sh, astiav.PixelFormatRgb24,
			astiav.NewSoftwareScaleContextFlags(astiav.SoftwareScaleContextFlagBilinear))
		if err != nil {
			return fmt.Errorf("%w: no conversion from %s: %v", ErrUnsupportedCodec, f.PixelFormat(), err)
		}
		v.sws, v.swsW, v.swsH, v.swsFmt, v.swsOW, v.swsOH = sws, w, h, f.PixelFormat(), sw, sh
	}
	v.scaled.Unref()
	v.scaled.SetWidth(sw)
	v.scaled.SetHeight(sh)
	v.scaled.SetPixelFormat(astiav.PixelFormatRgb24)
	if err := v.sws.ScaleFrame(f, v.scaled); err != nil {
		return fmt.Errorf("media: scaling a frame: %w", err)
	}
	rgb := v.buffer(sw * sh * 3)
	if _, err := v.scaled.ImageCopyToBuffer(rgb, 1); err != nil {
		return fmt.Errorf("media: copying a frame: %w", err)
	}
	if v.rotation != 0 {
		upright := v.buffer(len(rgb))
		rotateRGB(upright, rgb, sw, sh, v.rotation)
		v.recycle(rgb)
		rgb = upright
	}
	k := v.next
	v.next++
	st.FramesSampled++
	*out = append(*out, &Frame{
		Index:      k,
		Time:       time.Duration(math.Round(v.instant(k) * float64(time.Second))),
		SourceTime: time.Duration(math.Round(t * float64(time.Second))),
		Width:      ow,
		Height:     oh,
		RGB:        rgb,
	})
	return nil
}

// buffer returns a pixel buffer of n bytes, reusing a recycled one when it is big enough.
func (v *videoDecoder) buffer(n int) []byte {
	if p, ok := v.pool.Get().(*[]byte); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]byte, n)
}

func (v *videoDecoder) recycle(b []byte) {
	v.pool.Put(&b)
}

// rotateRGB turns a packed RGB24 picture src, w×h, clockwise by a quarter-turn multiple
// into dst.
func rotateRGB(dst, src []byte, w, h, rotation int) {
	for y := range h {
		for x := range w {
			var dx, dy, dw int
			switch rotation {
			case 90:
				dx, dy, dw = h-1-y, x, h
			case 180:
				dx, dy, dw = w-1-x, h-1-y, w
			case 270:
				dx, dy, dw = y, w-1-x, h
			}
			copy(dst[3*(dy*dw+dx):3*(dy*dw+dx)+3], src[3*(y*w+x):3*(y*w+x)+3])
		}
	}
}
