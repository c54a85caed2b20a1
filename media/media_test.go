package media_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/media"
)

// streamOnly hides Seek, as an HTTP request body does.
type streamOnly struct{ r io.Reader }

func (s streamOnly) Read(p []byte) (int, error) { return s.r.Read(p) }

func decodeAll(t *testing.T, d *media.Decoder) ([]*media.Frame, []float32) {
	t.Helper()
	var frames []*media.Frame
	if d.Info().HasVideo {
		for f, err := range d.Frames(context.Background()) {
			if err != nil {
				t.Fatalf("Frames: %v", err)
			}
			frames = append(frames, f)
		}
	}
	var pcm []float32
	if d.Info().HasAudio {
		var err error
		if pcm, err = d.Audio(context.Background()); err != nil {
			t.Fatalf("Audio: %v", err)
		}
	}
	return frames, pcm
}

func TestDecodeFormats(t *testing.T) {
	const seconds = 3.0
	for _, tc := range []struct {
		name         string
		audio, video bool
		codec        string
	}{
		{"vp8-opus.webm", true, true, "vp8"},
		{"vp9-opus.webm", true, true, "vp9"},
		{"h264-aac.mp4", true, true, "h264"},
		{"faststart.mp4", true, true, "h264"},
		{"audio.m4a", true, false, ""},
		{"audio.mp3", true, false, ""},
		{"pcm16.wav", true, false, ""},
		{"pcm24.wav", true, false, ""},
		{"float.wav", true, false, ""},
		{"opus.ogg", true, false, ""},
		{"video-only.webm", false, true, "vp8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := media.Open(context.Background(), fixture(t, tc.name), media.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			info := d.Info()
			if info.HasAudio != tc.audio || info.HasVideo != tc.video {
				t.Fatalf("HasAudio, HasVideo = %v, %v; want %v, %v", info.HasAudio, info.HasVideo, tc.audio, tc.video)
			}
			if tc.video && info.VideoCodec != tc.codec {
				t.Errorf("VideoCodec = %q, want %q", info.VideoCodec, tc.codec)
			}
			frames, pcm := decodeAll(t, d)
			info = d.Info()
			if got := info.Duration.Seconds(); math.Abs(got-seconds) > 0.1 {
				t.Errorf("Duration = %.3f s, want %.1f", got, seconds)
			}
			if tc.audio {
				// One video frame's worth of slack: containers may end audio and video a
				// frame apart, and AAC carries encoder priming.
				want := seconds * media.DefaultSampleRate
				if slack := float64(media.DefaultSampleRate) / 30; math.Abs(float64(len(pcm))-want) > slack {
					t.Errorf("decoded %d samples, want %.0f ± %.0f", len(pcm), want, slack)
				}
				if f := toneFrequency(pcm[len(pcm)/4:3*len(pcm)/4], media.DefaultSampleRate); math.Abs(f-440) > 1 {
					t.Errorf("tone measured at %.2f Hz, want 440 ± 1", f)
				}
			} else if _, err := d.Audio(context.Background()); !errors.Is(err, media.ErrNoAudio) {
				t.Errorf("Audio on a silent file: err = %v, want ErrNoAudio", err)
			}
			if tc.video {
				checkFrames(t, frames, seconds, media.DefaultFPS)
				checkSplitScreen(t, frames[len(frames)/2], false)
			} else {
				for _, err := range d.Frames(context.Background()) {
					if !errors.Is(err, media.ErrNoVideo) {
						t.Errorf("Frames on audio: err = %v, want ErrNoVideo", err)
					}
				}
			}
		})
	}
}

// checkFrames asserts one frame per sampling instant, in order, at the requested rate.
func checkFrames(t *testing.T, frames []*media.Frame, seconds, fps float64) {
	t.Helper()
	if want := int(seconds * fps); len(frames) != want {
		t.Errorf("got %d frames, want %d", len(frames), want)
	}
	for i, f := range frames {
		wantTime := time.Duration(float64(i) / fps * float64(time.Second))
		if f.Index != i || (f.Time-wantTime).Abs() > time.Millisecond {
			t.Fatalf("frame %d: Index %d, Time %v; want %d, %v", i, f.Index, f.Time, i, wantTime)
		}
		if (f.SourceTime - f.Time).Abs() > time.Second/30/2+time.Millisecond {
			t.Errorf("frame %d: source frame at %v is not the nearest to %v", i, f.SourceTime, f.Time)
		}
		if f.Width != 320 || f.Height != 240 || len(f.RGB) != 320*240*3 {
			t.Fatalf("frame %d is %d×%d with %d bytes, want 320×240", i, f.Width, f.Height, len(f.RGB))
		}
	}
}

// checkSplitScreen asserts the colours of the split-screen fixture: red over blue, or,
// turned a quarter clockwise for display, blue left of red.
func checkSplitScreen(t *testing.T, f *media.Frame, rotated bool) {
	t.Helper()
	red, blue := [3]float64{255, 0, 0}, [3]float64{0, 0, 255}
	type probe struct {
		x, y int
		want [3]float64
	}
	probes := []probe{{f.Width / 2, f.Height / 4, red}, {f.Width / 2, 3 * f.Height / 4, blue}}
	if rotated {
		probes = []probe{{f.Width / 4, f.Height / 2, blue}, {3 * f.Width / 4, f.Height / 2, red}}
	}
	for _, p := range probes {
		got := meanRGB(f, p.x-8, p.y-8, 16, 16)
		for c := range 3 {
			// yuv420p quantisation and limited range shift pure colours by a few levels.
			if math.Abs(got[c]-p.want[c]) > 12 {
				t.Errorf("colour around (%d,%d) = %.0f, want %.0f", p.x, p.y, got, p.want)
				break
			}
		}
	}
}

func meanRGB(f *media.Frame, x0, y0, w, h int) [3]float64 {
	var sum [3]float64
	for y := y0; y < y0+h; y++ {
		for x := x0; x < x0+w; x++ {
			for c := range 3 {
				sum[c] += float64(f.RGB[3*(y*f.Width+x)+c])
			}
		}
	}
	for c := range sum {
		sum[c] /= float64(w * h)
	}
	return sum
}

// toneFrequency measures a pure tone's frequency from its rising zero crossings,
// interpolated between samples.
func toneFrequency(x []float32, rate int) float64 {
	var first, last float64
	n := 0
	for i := 1; i < len(x); i++ {
		if x[i-1] < 0 && x[i] >= 0 {
			at := float64(i-1) + float64(-x[i-1])/float64(x[i]-x[i-1])
			if n == 0 {
				first = at
			}
			last = at
			n++
		}
	}
	if n < 2 {
		return 0
	}
	return float64(n-1) * float64(rate) / (last - first)
}

func TestRotation(t *testing.T) {
	path := fixture(t, "rotated90.mp4")
	d, err := media.Open(context.Background(), path, media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if info := d.Info(); info.Rotation != 90 || info.Width != 240 || info.Height != 320 {
		t.Fatalf("Rotation %d, size %d×%d; want 90, 240×320", info.Rotation, info.Width, info.Height)
	}
	frames, _ := decodeAll(t, d)
	f := frames[len(frames)/2]
	if f.Width != 240 || f.Height != 320 {
		t.Fatalf("frame is %d×%d, want 240×320", f.Width, f.Height)
	}
	checkSplitScreen(t, f, true)

	// The ffmpeg CLI autorotates too: its picture at the same instant must match ours.
	ref := ffmpegFrame(t, path, f.Time, f.Width, f.Height)
	var diff float64
	for i := range ref {
		diff += math.Abs(float64(ref[i]) - float64(f.RGB[i]))
	}
	if mean := diff / float64(len(ref)); mean > 3 {
		t.Errorf("mean absolute difference from ffmpeg's autorotated frame = %.2f levels, want ≤ 3", mean)
	}
}

// ffmpegFrame has the ffmpeg CLI decode, autorotate and scale the frame at time at.
func ffmpegFrame(t *testing.T, path string, at time.Duration, w, h int) []byte {
	t.Helper()
	cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-i", path, "-ss", at.String(),
		"-frames:v", "1", "-vf", "scale="+strconv.Itoa(w)+":"+strconv.Itoa(h)+":flags=bilinear", "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	if len(out) != w*h*3 {
		t.Fatalf("ffmpeg returned %d bytes, want %d", len(out), w*h*3)
	}
	return out
}

func TestVariableFrameRate(t *testing.T) {
	d, err := media.Open(context.Background(), fixture(t, "vfr.webm"), media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	frames, _ := decodeAll(t, d)
	// Instants 0, 0.2, … 2.4 have frames within reach; the last frame (2.5 s) stands for
	// the instants up to a quarter second after it.
	if len(frames) != 14 {
		t.Fatalf("got %d frames, want 14", len(frames))
	}
	for i, f := range frames {
		if f.Index != i || f.Time != time.Duration(i)*200*time.Millisecond {
			t.Fatalf("frame %d has index %d at %v", i, f.Index, f.Time)
		}
		// Nearest available frame: 30 fps before 1.5 s, every 0.5 s after.
		slack := time.Second / 60
		if f.Time > 1500*time.Millisecond {
			slack = 250 * time.Millisecond
		}
		if (f.SourceTime - f.Time).Abs() > slack+time.Millisecond {
			t.Errorf("frame at %v came from %v, more than %v away", f.Time, f.SourceTime, slack)
		}
	}
	if f := frames[9]; f.SourceTime != 2*time.Second { // 1.8 s: 2.0 is nearer than 1.5
		t.Errorf("the frame for 1.8 s came from %v, want the one at 2 s", f.SourceTime)
	}
}

func TestStreams(t *testing.T) {
	for _, name := range []string{"vp8-opus.webm", "vp9-opus.webm", "faststart.mp4", "h264-aac.mp4", "opus.ogg"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(fixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			before := tempFiles(t)
			d, err := media.OpenReader(context.Background(), streamOnly{bytes.NewReader(data)}, media.Options{})
			if err != nil {
				t.Fatal(err)
			}
			frames, pcm := decodeAll(t, d)
			if d.Info().HasVideo {
				checkFrames(t, frames, 3, media.DefaultFPS)
			}
			if math.Abs(float64(len(pcm))-3*media.DefaultSampleRate) > media.DefaultSampleRate/30 {
				t.Errorf("decoded %d samples from a stream, want 48000", len(pcm))
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			if after := tempFiles(t); after != before {
				t.Errorf("%d temporary files left behind", after-before)
			}
		})
	}
}

func tempFiles(t *testing.T) int {
	m, err := filepath.Glob(filepath.Join(os.TempDir(), "nevermind-media-*"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

func TestLateAudioIsPadded(t *testing.T) {
	d, err := media.Open(context.Background(), fixture(t, "late-audio.webm"), media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	pcm, err := d.Audio(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// adelay shifts the sine by one second; the tone must start at 1.0 s on the video clock.
	onset := -1
	for i, s := range pcm {
		if math.Abs(float64(s)) > 0.05 {
			onset = i
			break
		}
	}
	if at := float64(onset) / media.DefaultSampleRate; math.Abs(at-1) > 0.03 {
		t.Errorf("tone starts at %.3f s, want 1.000 ± 0.03", at)
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		want error
	}{
		{"empty.bin", media.ErrCorrupt},
		{"text.mp4", media.ErrCorrupt},
		{"truncated.mp4", media.ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := fixture(t, tc.name)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, open := range []func() (*media.Decoder, error){
				func() (*media.Decoder, error) { return media.Open(context.Background(), path, media.Options{}) },
				func() (*media.Decoder, error) {
					return media.OpenReader(context.Background(), streamOnly{bytes.NewReader(data)}, media.Options{})
				},
			} {
				d, err := open()
				if err == nil {
					_, err = decodeAllErr(d)
					d.Close()
				}
				if !errors.Is(err, tc.want) {
					t.Errorf("err = %v, want %v", err, tc.want)
				}
			}
		})
	}
	if _, err := media.Open(context.Background(), filepath.Join(t.TempDir(), "missing.webm"), media.Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want os.ErrNotExist", err)
	}
}

func decodeAllErr(d *media.Decoder) (int, error) {
	n := 0
	for _, err := range d.Frames(context.Background()) {
		if err != nil && !errors.Is(err, media.ErrNoVideo) {
			return n, err
		}
		n++
	}
	_, err := d.Audio(context.Background())
	return n, err
}

func TestCancel(t *testing.T) {
	d, err := media.Open(context.Background(), fixture(t, "long-h264.mp4"), media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	var last error
	for _, err := range d.Frames(ctx) {
		if err != nil {
			last = err
			break
		}
		if n++; n == 10 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) {
		t.Fatalf("after cancel: err = %v, want context.Canceled", last)
	}
	// The stream ends 20 s in; cancelling after 10 frames (2 s) must stop long before.
	if n > 12 {
		t.Errorf("%d frames yielded after cancelling at the 10th", n)
	}
}

func TestEarlyBreakThenAudio(t *testing.T) {
	d, err := media.Open(context.Background(), fixture(t, "vp8-opus.webm"), media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for range d.Frames(context.Background()) {
		break
	}
	pcm, err := d.Audio(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(len(pcm))-3*media.DefaultSampleRate) > media.DefaultSampleRate/30 {
		t.Errorf("decoded %d samples after an early break, want 48000", len(pcm))
	}
}

func TestOptions(t *testing.T) {
	d, err := media.Open(context.Background(), fixture(t, "h264-aac.mp4"), media.Options{SampleRate: 8000, FPS: 2, Width: 160})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	frames, pcm := decodeAll(t, d)
	if len(frames) != 6 || frames[1].Time != 500*time.Millisecond || frames[0].Width != 160 || frames[0].Height != 120 {
		t.Errorf("got %d frames of %d×%d, second at %v; want 6 of 160×120, second at 500ms",
			len(frames), frames[0].Width, frames[0].Height, frames[1].Time)
	}
	if math.Abs(float64(len(pcm))-3*8000) > 8000/30 {
		t.Errorf("decoded %d samples at 8 kHz, want 24000", len(pcm))
	}
	if f := toneFrequency(pcm[8000:16000], 8000); math.Abs(f-440) > 1 {
		t.Errorf("tone at 8 kHz measured %.2f Hz", f)
	}
	big, err := media.Open(context.Background(), fixture(t, "h264-aac.mp4"), media.Options{MaxPixels: 320*240 - 1})
	if !errors.Is(err, media.ErrTooLarge) {
		t.Errorf("MaxPixels below the frame size: err = %v, want ErrTooLarge", err)
		big.Close()
	}
}

func TestRecycle(t *testing.T) {
	for _, name := range []string{"h264-aac.mp4", "rotated90.mp4"} {
		t.Run(name, func(t *testing.T) {
			d, err := media.Open(context.Background(), fixture(t, name), media.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			seen := map[*byte]bool{}
			reused, n := 0, 0
			for f, err := range d.Frames(context.Background()) {
				if err != nil {
					t.Fatal(err)
				}
				// A reused buffer must hold this frame's picture, not the last one's leftovers.
				checkSplitScreen(t, f, name == "rotated90.mp4")
				if seen[&f.RGB[0]] {
					reused++
				}
				seen[&f.RGB[0]] = true
				n++
				d.Recycle(f)
				if f.RGB != nil {
					t.Fatal("Recycle left the frame holding its buffer")
				}
			}
			// The pool may drop buffers at a garbage collection, so not every frame
			// reuses one; most must.
			if reused < n/2 {
				t.Errorf("%d of %d frames reused a recycled buffer", reused, n)
			}
		})
	}
}

// OnAudio hears the whole soundtrack, in order, while the frames are being decoded; with
// late-audio.webm it also hears the padded silence.
func TestOnAudio(t *testing.T) {
	for _, name := range []string{"vp9-opus.webm", "late-audio.webm"} {
		var heard []float32
		var duringFrames int
		framesDone := false
		d, err := media.Open(context.Background(), fixture(t, name), media.Options{OnAudio: func(pcm []float32) {
			heard = append(heard, pcm...)
			if !framesDone {
				duringFrames = len(heard)
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		for _, err := range d.Frames(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
		}
		framesDone = true
		pcm, err := d.Audio(context.Background())
		d.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(heard, pcm) {
			t.Errorf("%s: OnAudio heard %d samples, Audio returned %d (or they differ)", name, len(heard), len(pcm))
		}
		if duringFrames < len(pcm)*9/10 {
			t.Errorf("%s: only %d of %d samples were heard while the frames were decoded", name, duringFrames, len(pcm))
		}
	}
}
