package media

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/asticode/go-astiav"
)

// audioDecoder decodes one audio stream and resamples it to mono float32.
type audioDecoder struct {
	index int
	tb    float64 // seconds per stream time-base tick
	rate  int
	cc    *astiav.CodecContext
	in    *astiav.Frame
	out   *astiav.Frame
	swr   *astiav.SoftwareResampleContext
	buf   []byte
	pcm   []float32
	// dropped counts the samples before pcm[0] already discarded (Options.DiscardAudio).
	dropped int
	// maxSamples is Options.MaxDuration in samples; zero means no limit.
	maxSamples int
	maxDur     time.Duration
	// countOnly: nobody will see the PCM (DiscardAudio without OnAudio), so silence is
	// counted, not allocated.
	countOnly bool

	packets, decoded int
}

// Source sample rates outside this range are not recordings but damaged headers; resampling
// from them would make swresample build enormous filters.
const minSourceRate, maxSourceRate = 1000, 384000

func checkSourceRate(rate int) error {
	if rate < minSourceRate || rate > maxSourceRate {
		return fmt.Errorf("%w: audio sample rate %d Hz is outside %d–%d Hz", ErrCorrupt, rate, minSourceRate, maxSourceRate)
	}
	return nil
}

func newAudioDecoder(s *astiav.Stream, opts Options) (*audioDecoder, error) {
	cp := s.CodecParameters()
	if err := checkSourceRate(cp.SampleRate()); err != nil {
		return nil, err
	}
	cc, err := openCodec(cp, 0)
	if err != nil {
		return nil, err
	}
	return &audioDecoder{
		index:      s.Index(),
		tb:         s.TimeBase().Float64(),
		rate:       opts.SampleRate,
		maxSamples: int(opts.MaxDuration.Seconds() * float64(opts.SampleRate)),
		maxDur:     opts.MaxDuration,
		countOnly:  opts.DiscardAudio && opts.OnAudio == nil,
		cc:         cc,
		in:         astiav.AllocFrame(),
		out:        astiav.AllocFrame(),
		swr:        astiav.AllocSoftwareResampleContext(),
	}, nil
}

// samples is the length of the soundtrack decoded so far, kept or not.
func (a *audioDecoder) samples() int { return a.dropped + len(a.pcm) }

// drop discards the PCM kept so far; the timeline goes on from its end.
func (a *audioDecoder) drop() {
	a.dropped += len(a.pcm)
	a.pcm = a.pcm[:0]
}

// checkLength fails once the soundtrack would pass Options.MaxDuration with n more
// samples, before they are allocated.
func (a *audioDecoder) checkLength(n int) error {
	if a.maxSamples > 0 && a.samples()+n > a.maxSamples {
		return fmt.Errorf("%w: the audio passes %v", ErrTooLong, a.maxDur)
	}
	return nil
}

func (a *audioDecoder) free() {
	a.cc.Free()
	a.in.Free()
	a.out.Free()
	a.swr.Free()
}

func (a *audioDecoder) decode(pkt *astiav.Packet, origin float64, st *Stats) error {
	a.packets++
	return decodePacket(a.cc, pkt, a.in, "audio", st, func() error { return a.take(origin, st) })
}

// flush drains the decoder and then the resampler's own delay line.
func (a *audioDecoder) flush(origin float64, st *Stats) error {
	if err := decodePacket(a.cc, nil, a.in, "audio", st, func() error { return a.take(origin, st) }); err != nil {
		return err
	}
	for {
		if err := a.convert(nil); err != nil {
			return err
		}
		if a.out.NbSamples() == 0 {
			return nil
		}
		if err := a.appendOut(st); err != nil {
			return err
		}
	}
}

// take resamples the frame just decoded into a.in onto the end of the soundtrack.
func (a *audioDecoder) take(origin float64, st *Stats) error {
	defer a.in.Unref()
	if err := checkSourceRate(a.in.SampleRate()); err != nil {
		return err
	}
	a.decoded++
	st.AudioFrames++
	if err := a.padGap(a.in.Pts(), origin, st); err != nil {
		return err
	}
	defaultChannelLayout(a.in)
	if err := a.convert(a.in); err != nil {
		return err
	}
	return a.appendOut(st)
}

// padGap inserts silence when a frame starts later than the audio so far ends, so that
// sample i stays at time i/rate. Gaps shorter than 20 ms are jitter, not silence. A gap
// past Options.MaxDuration (a timestamp hours ahead) fails instead of being allocated.
func (a *audioDecoder) padGap(pts int64, origin float64, st *Stats) error {
	if pts == astiav.NoPtsValue {
		return nil
	}
	start := int(math.Round((float64(pts)*a.tb - origin) * float64(a.rate)))
	have := a.samples()
	if a.decoded > 1 { // swr_get_delay divides by the input rate, known after one frame
		have += int(a.swr.Delay(int64(a.rate)))
	}
	if gap := start - have; gap > a.rate/50 {
		if err := a.checkLength(gap); err != nil {
			return err
		}
		if a.countOnly {
			a.drop()
			a.dropped += gap
		} else {
			a.pcm = append(a.pcm, make([]float32, gap)...)
		}
		st.SilencePadded += gap
		st.Samples += gap
	}
	return nil
}

func (a *audioDecoder) convert(in *astiav.Frame) error {
	a.out.Unref()
	a.out.SetChannelLayout(astiav.ChannelLayoutMono)
	a.out.SetSampleFormat(astiav.SampleFormatFlt)
	a.out.SetSampleRate(a.rate)
	if err := a.swr.ConvertFrame(in, a.out); err != nil {
		return fmt.Errorf("%w: resampling audio: %v", ErrCorrupt, err)
	}
	return nil
}

func (a *audioDecoder) appendOut(st *Stats) error {
	n := a.out.NbSamples()
	if n == 0 {
		return nil
	}
	if err := a.checkLength(n); err != nil {
		return err
	}
	if cap(a.buf) < 4*n {
		a.buf = make([]byte, 4*n)
	}
	b := a.buf[:4*n]
	if _, err := a.out.SamplesCopyToBuffer(b, 1); err != nil {
		return fmt.Errorf("media: copying resampled audio: %w", err)
	}
	for i := range n {
		a.pcm = append(a.pcm, math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
	}
	st.Samples += n
	return nil
}
