package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/asticode/go-astiav"

	"github.com/nevermind-ai/nevermind/media/frame"
)

// Sentinel errors. Every error returned by this package that is not an I/O error of the
// caller's file or reader, a context error, or libav failing to allocate memory wraps
// exactly one of them.
var (
	// ErrNoAudio is returned by Audio when the recording has no audio stream.
	ErrNoAudio = errors.New("media: the recording has no audio stream")
	// ErrNoVideo is returned by Frames when the recording has no video stream (cover art in
	// an audio file does not count as video).
	ErrNoVideo = errors.New("media: the recording has no video stream")
	// ErrUnsupportedCodec means a stream uses a codec this build of libav cannot decode.
	ErrUnsupportedCodec = errors.New("media: unsupported codec")
	// ErrCorrupt means the input is empty, truncated, damaged or not media at all. The
	// message carries libav's explanation.
	ErrCorrupt = errors.New("media: corrupt or unrecognised media")
	// ErrTooLarge means the video's coded size exceeds Options.MaxPixels; it is checked
	// before any frame is decoded, so a hostile header cannot make the decoder allocate
	// gigabytes.
	ErrTooLarge = errors.New("media: video frame size exceeds the limit")
	// ErrTooLong means the recording is longer than Options.MaxDuration: its header says
	// so, or its decoded audio or video has passed the limit.
	ErrTooLong = errors.New("media: recording is longer than the limit")
	// ErrClosed means the Decoder can no longer give what was asked: it was closed, or
	// Frames is iterated a second time (the first iteration, even one broken off, ends
	// the frames).
	ErrClosed = errors.New("media: closed")
)

// Defaults used for zero fields of Options.
const (
	DefaultSampleRate = 16000
	DefaultFPS        = 5
	DefaultWidth      = 640
	// DefaultMaxPixels admits 8K UHD (7680×4320) and rejects anything larger.
	DefaultMaxPixels = 7680 * 4320
)

// maxPreallocated bounds the audio buffer reserved from the container's claimed duration.
const maxPreallocated = 15 * time.Minute

// Options control decoding. The zero value decodes 16 kHz audio and 5 frames per second,
// 640 pixels wide.
type Options struct {
	// SampleRate is the rate of the mono PCM returned by Audio, in Hz.
	// Zero means DefaultSampleRate.
	SampleRate int
	// FPS is how many frames per second Frames yields. Zero means DefaultFPS.
	FPS float64
	// Width is the width of the frames Frames yields, after rotation; the height follows
	// the aspect ratio (rounded to even). Frames are never enlarged: a narrower video keeps
	// its own width. Zero means DefaultWidth.
	Width int
	// Threads is the number of video decoding threads. Zero lets libav choose.
	Threads int
	// MaxPixels is the largest coded width×height accepted. Zero means DefaultMaxPixels.
	MaxPixels int
	// MaxPixelRate, when set, is the most video pixels a second (coded width × height ×
	// frames per second) worth decoding: a header that claims more fails Open, and video
	// that decodes more (averaged from its first frame, with a second's allowance) fails
	// Frames, both with ErrTooLarge, so the decoding time of a recording stays
	// proportional to its length. Zero means no limit.
	MaxPixelRate float64
	// MaxDuration, when set, is the longest recording accepted: a header that claims more
	// fails Open, and decoding fails with ErrTooLong as soon as the audio or the video
	// passes it, before any audio beyond it is allocated. Zero means no limit.
	MaxDuration time.Duration
	// DiscardAudio keeps none of the soundtrack: each stretch goes to OnAudio, if set, and
	// is then dropped, so memory stays flat however long the recording is. Audio then
	// returns nil; Stats.Samples still counts what was decoded.
	DiscardAudio bool
	// Progress, when set, is called from the decoding goroutine as the position in the
	// recording advances, at most every quarter second of media. Duration is the
	// container's duration, or zero when it does not say.
	Progress func(position, duration time.Duration)
	// OnAudio, when set, is handed each stretch of the soundtrack as soon as it is decoded,
	// in order, from the decoding goroutine: together the stretches are exactly what Audio
	// returns. A live analysis listens here instead of waiting for the end of the stream.
	// The slice must not be modified and is valid only during the call.
	OnAudio func(pcm []float32)
}

func (o Options) withDefaults() Options {
	if o.SampleRate <= 0 {
		o.SampleRate = DefaultSampleRate
	}
	if o.FPS <= 0 {
		o.FPS = DefaultFPS
	}
	if o.Width <= 0 {
		o.Width = DefaultWidth
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	return o
}

// Info describes a recording as found in its container, refined by decoding.
type Info struct {
	// Format is libav's name of the container format, e.g. "matroska,webm" or
	// "mov,mp4,m4a,3gp,3g2,mj2".
	Format string
	// Duration is the container's duration. When the container has none (browser
	// MediaRecorder WebM), it is zero until decoding has finished, and then the end of
	// the last decoded audio sample or video frame.
	Duration time.Duration

	HasAudio   bool
	AudioCodec string
	// SampleRate and Channels are the source audio's, not the decoded output's.
	SampleRate int
	Channels   int

	HasVideo   bool
	VideoCodec string
	// Width and Height are the displayed size of the source video, after rotation.
	Width, Height int
	// Rotation is how far the coded picture is turned clockwise for display: 0, 90, 180
	// or 270 degrees. Frames are already rotated.
	Rotation int
	// FrameRate is the container's average frame rate, or, when it has none, measured
	// from the decoded frames' timestamps once decoding has finished.
	FrameRate float64
}

// MarshalJSON writes durations in seconds and omits the codecs of absent streams.
func (i Info) MarshalJSON() ([]byte, error) {
	type audio struct {
		Codec      string `json:"codec"`
		SampleRate int    `json:"sample_rate"`
		Channels   int    `json:"channels"`
	}
	type video struct {
		Codec     string  `json:"codec"`
		Width     int     `json:"width"`
		Height    int     `json:"height"`
		Rotation  int     `json:"rotation"`
		FrameRate float64 `json:"frame_rate"`
	}
	out := struct {
		Format   string  `json:"format"`
		Duration float64 `json:"duration_seconds"`
		Audio    *audio  `json:"audio"`
		Video    *video  `json:"video"`
	}{Format: i.Format, Duration: i.Duration.Seconds()}
	if i.HasAudio {
		out.Audio = &audio{i.AudioCodec, i.SampleRate, i.Channels}
	}
	if i.HasVideo {
		out.Video = &video{i.VideoCodec, i.Width, i.Height, i.Rotation, math.Round(i.FrameRate*1000) / 1000}
	}
	return json.Marshal(out)
}

// Stats counts what one pass decoded.
type Stats struct {
	Packets        int `json:"packets"`
	AudioFrames    int `json:"audio_frames"`
	VideoFrames    int `json:"video_frames"`
	FramesSampled  int `json:"frames_sampled"`
	Samples        int `json:"samples"`
	CorruptPackets int `json:"corrupt_packets"`
	// SilencePadded is how many samples of silence were inserted for a late start or gaps.
	SilencePadded int `json:"silence_padded"`
}

// Frame is one sampled video frame: packed RGB24, Width*3 bytes a row, upright. It is
// defined in package frame so that analysers can take frames without depending on libav.
type Frame = frame.Frame

// Decoder reads one recording in one pass. It is not safe for concurrent use: one
// goroutine iterates Frames (or calls Audio) at a time.
type Decoder struct {
	opts  Options
	info  Info
	stats Stats

	src *source
	ioc *astiav.IOContext
	fc  *astiav.FormatContext
	pkt *astiav.Packet

	audio *audioDecoder
	video *videoDecoder
	// origin is the container's start time in seconds: time zero of both audio and frames.
	origin float64

	// ctx is the context of the public call in progress; the read callback checks it.
	ctx context.Context
	// ioErr remembers why the read callback failed, because libav only reports a code.
	ioErr error

	progressed float64 // the last position reported to Options.Progress, in seconds
	heard      int     // samples of the soundtrack already handed to Options.OnAudio

	wantFrames    bool
	framesStarted bool
	pending       []*Frame
	done          bool
	err           error
	closed        bool
}

var logOnce sync.Once

// routeLibavLogs sends libav's own log lines to slog at debug level instead of stderr:
// every failure is already reported through the returned error.
func routeLibavLogs() {
	logOnce.Do(func() {
		astiav.SetLogLevel(astiav.LogLevelWarning)
		astiav.SetLogCallback(func(_ astiav.Classer, l astiav.LogLevel, _, msg string) {
			slog.Debug("libav", "level", int(l), "msg", strings.TrimSpace(msg))
		})
	})
}

// Open opens the recording at path and reads its headers.
func Open(ctx context.Context, path string, opts Options) (*Decoder, error) {
	src, err := openFile(path)
	if err != nil {
		return nil, err
	}
	return open(ctx, src, opts)
}

// OpenReader opens a recording read from r, which need not be seekable. When r is an
// io.ReadSeeker (an *os.File, a *bytes.Reader) it is seeked as libav needs. A non-seekable
// MP4 whose index is at the end is copied to a temporary file first; Close removes it.
func OpenReader(ctx context.Context, r io.Reader, opts Options) (*Decoder, error) {
	src, err := newSource(ctx, r)
	if err != nil {
		return nil, err
	}
	return open(ctx, src, opts)
}

func open(ctx context.Context, src *source, opts Options) (_ *Decoder, err error) {
	routeLibavLogs()
	d := &Decoder{opts: opts.withDefaults(), src: src, ctx: ctx}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d.fc = astiav.AllocFormatContext()
	if d.fc == nil {
		return nil, errors.New("media: allocating format context failed")
	}
	url := ""
	if src.path != "" {
		// libav reads a file itself: no Go read callback, which would allocate a fresh
		// buffer for every 64 KiB of a multi-gigabyte recording. "file:" keeps a colon
		// in the name from being taken for a protocol.
		url = "file:" + src.path
	} else {
		if d.ioc, err = astiav.AllocIOContext(64<<10, false, d.read, d.seekFunc(), nil); err != nil {
			return nil, fmt.Errorf("media: allocating I/O context: %w", err)
		}
		d.fc.SetPb(d.ioc)
	}
	if err := d.fc.OpenInput(url, nil, nil); err != nil {
		d.fc.Free() // avformat_open_input frees the context on failure; drop our handle
		d.fc = nil
		return nil, d.libavError("reading the container header", err)
	}
	if err := d.fc.FindStreamInfo(nil); err != nil {
		return nil, d.libavError("probing the streams", err)
	}
	d.info.Format = d.fc.InputFormat().Name()
	if dur := d.fc.Duration(); dur != astiav.NoPtsValue && dur > 0 {
		d.info.Duration = time.Duration(dur) * time.Microsecond
	}
	if st := d.fc.StartTime(); st != astiav.NoPtsValue {
		d.origin = float64(st) / float64(astiav.TimeBase)
	}
	if limit := d.opts.MaxDuration; limit > 0 && d.info.Duration > limit {
		return nil, fmt.Errorf("%w: the header says %v, the limit is %v", ErrTooLong, d.info.Duration, limit)
	}
	if err := d.openStreams(); err != nil {
		return nil, err
	}
	if d.audio != nil && d.info.Duration > 0 && !d.opts.DiscardAudio {
		// Growing by doubling would briefly hold twice the soundtrack (a 10-minute
		// recording is 38 MB of PCM at 16 kHz). The header is not trusted beyond
		// maxPreallocated, or MaxDuration when set (a longer header failed above): a
		// file claiming ten hours grows as it really decodes.
		trusted := maxPreallocated
		if d.opts.MaxDuration > 0 {
			trusted = d.opts.MaxDuration
		}
		seconds := min(d.info.Duration, trusted).Seconds() + 1
		d.audio.pcm = make([]float32, 0, int(seconds*float64(d.opts.SampleRate)))
	}
	if d.audio == nil && d.video == nil {
		return nil, fmt.Errorf("%w: no audio or video stream", ErrCorrupt)
	}
	d.pkt = astiav.AllocPacket()
	return d, nil
}

func (d *Decoder) openStreams() error {
	for _, s := range d.fc.Streams() {
		s.SetDiscard(astiav.DiscardAll)
	}
	if s, _, err := d.fc.FindBestStream(astiav.MediaTypeAudio, -1, -1); err == nil {
		a, err := newAudioDecoder(s, d.opts)
		if err != nil {
			return err
		}
		d.audio = a
		s.SetDiscard(astiav.DiscardDefault)
		cp := s.CodecParameters()
		d.info.HasAudio = true
		d.info.AudioCodec = cp.CodecID().Name()
		d.info.SampleRate = cp.SampleRate()
		d.info.Channels = cp.ChannelLayout().Channels()
	}
	if s, _, err := d.fc.FindBestStream(astiav.MediaTypeVideo, -1, -1); err == nil &&
		!s.DispositionFlags().Has(astiav.DispositionFlagAttachedPic) {
		v, err := newVideoDecoder(s, d.opts, d.origin)
		if err != nil {
			return err
		}
		d.video = v
		s.SetDiscard(astiav.DiscardDefault)
		d.info.HasVideo = true
		d.info.VideoCodec = s.CodecParameters().CodecID().Name()
		d.info.Width, d.info.Height = v.displayW, v.displayH
		d.info.Rotation = v.rotation
		if r := s.AvgFrameRate(); r.Num() > 0 && r.Den() > 0 {
			d.info.FrameRate = r.Float64()
		}
	}
	return nil
}

// Info describes the recording. Duration and FrameRate may be refined once decoding ends.
func (d *Decoder) Info() Info { return d.info }

// Stats reports what has been decoded so far.
func (d *Decoder) Stats() Stats { return d.stats }

// Frames yields the sampled video frames in order. It may be iterated once. Breaking out
// of the loop early is fine: Audio then decodes the rest of the soundtrack without
// decoding video.
func (d *Decoder) Frames(ctx context.Context) iter.Seq2[*Frame, error] {
	return func(yield func(*Frame, error) bool) {
		switch {
		case d.video == nil:
			yield(nil, ErrNoVideo)
			return
		case d.framesStarted:
			yield(nil, fmt.Errorf("%w: Frames may be iterated only once", ErrClosed))
			return
		}
		d.framesStarted, d.wantFrames = true, true
		defer func() { d.wantFrames = false }()
		for {
			for len(d.pending) > 0 {
				f := d.pending[0]
				d.pending[0] = nil // the caller owns it now; do not keep it alive
				d.pending = d.pending[1:]
				if !yield(f, nil) {
					return
				}
			}
			if d.done {
				return
			}
			if err := d.step(ctx); err != nil {
				yield(nil, err)
				return
			}
		}
	}
}

// Audio decodes the rest of the recording, skipping video that Frames did not ask for,
// and returns the whole soundtrack as mono float32 PCM at Options.SampleRate.
func (d *Decoder) Audio(ctx context.Context) ([]float32, error) {
	if d.audio == nil {
		return nil, ErrNoAudio
	}
	for !d.done {
		if err := d.step(ctx); err != nil {
			return nil, err
		}
	}
	if d.audio.packets == 0 {
		return nil, fmt.Errorf("%w: its audio stream is empty", ErrNoAudio)
	}
	if d.opts.DiscardAudio {
		return nil, nil
	}
	return d.audio.pcm, nil
}

// Recycle hands a frame that the caller has finished with back to the decoder, which
// reuses its pixel buffer for a later frame instead of allocating a new one. It is
// optional — frames not recycled are garbage collected as usual — but it keeps a long
// video's memory flat: without it the garbage of sampled frames grows until the next
// collection. The caller must not touch f after Recycle. It is safe to call from any
// goroutine, also after the decoder is closed.
func (d *Decoder) Recycle(f *Frame) {
	if f != nil && d.video != nil && f.RGB != nil {
		d.video.recycle(f.RGB)
		f.RGB = nil
	}
}

// SampleRate is the rate of the PCM returned by Audio.
func (d *Decoder) SampleRate() int { return d.opts.SampleRate }

// Close releases libav's resources and removes any temporary file. It is safe to call
// more than once.
func (d *Decoder) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	if d.audio != nil {
		d.audio.free()
	}
	if d.video != nil {
		d.video.free()
	}
	if d.pkt != nil {
		d.pkt.Free()
	}
	if d.fc != nil {
		d.fc.CloseInput()
		d.fc.Free()
	}
	if d.ioc != nil {
		d.ioc.Free()
	}
	if d.src != nil {
		return d.src.close()
	}
	return nil
}

// step demuxes one packet and decodes it if someone wants it.
func (d *Decoder) step(ctx context.Context) error {
	if d.err != nil {
		return d.err
	}
	if d.closed {
		return fmt.Errorf("%w: Close was called", ErrClosed)
	}
	d.ctx = ctx
	if err := ctx.Err(); err != nil {
		return err
	}
	err := d.fc.ReadFrame(d.pkt)
	if errors.Is(err, astiav.ErrEof) {
		return d.finish()
	}
	if err != nil {
		d.err = d.libavError("reading a packet", err)
		return d.err
	}
	defer d.pkt.Unref()
	d.stats.Packets++
	switch {
	case d.audio != nil && d.pkt.StreamIndex() == d.audio.index:
		err = d.audio.decode(d.pkt, d.origin, &d.stats)
	case d.video != nil && d.pkt.StreamIndex() == d.video.index && d.wantFrames:
		err = d.video.decode(d.pkt, &d.stats, &d.pending)
	}
	if err != nil {
		d.err = err
		return err
	}
	d.reportAudio()
	d.reportProgress()
	return nil
}

func (d *Decoder) reportAudio() {
	if d.audio == nil || len(d.audio.pcm) <= d.heard {
		return
	}
	if d.opts.OnAudio != nil {
		d.opts.OnAudio(d.audio.pcm[d.heard:])
	}
	d.heard = len(d.audio.pcm)
	if d.opts.DiscardAudio {
		d.audio.drop()
		d.heard = 0
	}
}

func (d *Decoder) reportProgress() {
	if d.opts.Progress == nil || d.pkt.Pts() == astiav.NoPtsValue {
		return
	}
	tb := 0.0
	switch {
	case d.audio != nil && d.pkt.StreamIndex() == d.audio.index:
		tb = d.audio.tb
	case d.video != nil && d.pkt.StreamIndex() == d.video.index:
		tb = d.video.tb
	}
	if t := float64(d.pkt.Pts())*tb - d.origin; t >= d.progressed+0.25 {
		d.progressed = t
		d.opts.Progress(time.Duration(t*float64(time.Second)), d.info.Duration)
	}
}

// finish flushes the decoders at the end of the stream and settles Info.
func (d *Decoder) finish() error {
	var end float64
	if d.audio != nil {
		if err := d.audio.flush(d.origin, &d.stats); err != nil {
			d.err = err
			return err
		}
		if d.audio.packets > 0 && d.audio.decoded == 0 {
			d.err = fmt.Errorf("%w: no audio frame could be decoded", ErrCorrupt)
			return d.err
		}
		end = float64(d.audio.samples()) / float64(d.opts.SampleRate)
		d.reportAudio()
	}
	if d.video != nil && d.wantFrames {
		if err := d.video.flush(&d.stats, &d.pending); err != nil {
			d.err = err
			return err
		}
		if d.video.packets > 0 && d.stats.VideoFrames == 0 {
			d.err = fmt.Errorf("%w: no video frame could be decoded", ErrCorrupt)
			return d.err
		}
		end = math.Max(end, d.video.lastTime+d.video.frameDuration())
		if d.info.FrameRate == 0 && d.video.lastTime > d.video.firstTime {
			d.info.FrameRate = float64(d.stats.VideoFrames-1) / (d.video.lastTime - d.video.firstTime)
		}
	}
	if d.info.Duration == 0 {
		d.info.Duration = time.Duration(end * float64(time.Second)).Round(time.Millisecond)
	}
	d.done = true
	return nil
}

// read is libav's read callback. It never returns data together with an error, and it
// turns a cancelled context into a read failure so that a blocked demuxer gives up.
func (d *Decoder) read(b []byte) (int, error) {
	if err := d.ctx.Err(); err != nil {
		d.ioErr = err
		return 0, err
	}
	for range 100 {
		n, err := d.src.r.Read(b)
		if n > 0 {
			return n, nil
		}
		if errors.Is(err, io.EOF) {
			return 0, io.EOF
		}
		if err != nil {
			d.ioErr = err
			return 0, err
		}
	}
	d.ioErr = io.ErrNoProgress
	return 0, io.ErrNoProgress
}

func (d *Decoder) seekFunc() astiav.IOContextSeekFunc {
	if d.src.seeker == nil {
		return nil
	}
	const avseekSize, avseekForce = 0x10000, 0x20000
	return func(offset int64, whence int) (int64, error) {
		whence &^= avseekForce
		if whence&avseekSize != 0 {
			if d.src.size < 0 {
				return -1, errors.New("size unknown")
			}
			return d.src.size, nil
		}
		return d.src.seeker.Seek(offset, whence)
	}
}

// libavError explains a libav failure: the caller's own I/O or context error when the read
// callback failed, ErrCorrupt with libav's message otherwise.
func (d *Decoder) libavError(what string, err error) error {
	if d.ioErr != nil {
		if errors.Is(d.ioErr, context.Canceled) || errors.Is(d.ioErr, context.DeadlineExceeded) {
			return d.ioErr
		}
		return fmt.Errorf("media: %s: %w", what, d.ioErr)
	}
	if d.src.empty {
		return fmt.Errorf("%w: the input is empty", ErrCorrupt)
	}
	return fmt.Errorf("%w: %s: %v", ErrCorrupt, what, err)
}

// openFile checks that path is a readable file, so that a missing file or a directory
// gets an error of its own rather than libav's.
func openFile(path string) (*source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%w: %s is a directory", ErrCorrupt, path)
	}
	return &source{path: path, size: st.Size(), empty: st.Size() == 0}, nil
}
