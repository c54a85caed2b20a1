package media_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/media"
)

// With DiscardAudio the decoder keeps no soundtrack, yet hears and counts all of it,
// silence padding included: exactly what a normal pass returns.
func TestDiscardAudio(t *testing.T) {
	for _, name := range []string{"long-h264.mp4", "late-audio.webm"} {
		d, err := media.Open(context.Background(), fixture(t, name), media.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want, err := d.Audio(context.Background())
		d.Close()
		if err != nil {
			t.Fatal(err)
		}
		var heard []float32
		largest := 0
		d, err = media.Open(context.Background(), fixture(t, name), media.Options{DiscardAudio: true, OnAudio: func(pcm []float32) {
			heard = append(heard, pcm...)
			largest = max(largest, len(pcm))
		}})
		if err != nil {
			t.Fatal(err)
		}
		pcm, err := d.Audio(context.Background())
		stats := d.Stats()
		d.Close()
		if err != nil || pcm != nil {
			t.Fatalf("%s: Audio with DiscardAudio = %d samples, %v; want nil", name, len(pcm), err)
		}
		if !slices.Equal(heard, want) || stats.Samples != len(want) {
			t.Errorf("%s: heard %d samples, counted %d, a normal pass returns %d", name, len(heard), stats.Samples, len(want))
		}
		// Kept only until handed over: no stretch is a large part of the soundtrack
		// (the late audio's one second of silence is the longest).
		if largest > media.DefaultSampleRate*11/10 {
			t.Errorf("%s: a stretch of %d samples was kept at once", name, largest)
		}
	}
}

// MaxDuration refuses a header that claims too much before decoding, and stops
// decoding audio and video that pass it when the header does not say.
func TestMaxDuration(t *testing.T) {
	ctx := context.Background()
	if _, err := media.Open(ctx, fixture(t, "long-h264.mp4"), media.Options{MaxDuration: 5 * time.Second}); !errors.Is(err, media.ErrTooLong) {
		t.Errorf("20 s with a 5 s limit: %v, want ErrTooLong at Open", err)
	}
	// Without the Duration element (voided: EBML Void, 0xEC, over its 11 bytes), as in a
	// browser's MediaRecorder WebM, the length is known only by decoding.
	data, err := os.ReadFile(fixture(t, "vp8-opus.webm"))
	if err != nil {
		t.Fatal(err)
	}
	if at := bytes.Index(data, []byte{0x44, 0x89, 0x88}); at >= 0 {
		copy(data[at:at+11], append([]byte{0xEC, 0x89}, make([]byte, 9)...))
	}
	open := func() *media.Decoder {
		d, err := media.OpenReader(ctx, streamOnly{bytes.NewReader(data)}, media.Options{MaxDuration: time.Second})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return d
	}
	d := open()
	if _, err := d.Audio(ctx); !errors.Is(err, media.ErrTooLong) {
		t.Errorf("3 s of audio with a 1 s limit: %v, want ErrTooLong", err)
	}
	if s := d.Stats().Samples; s > media.DefaultSampleRate {
		t.Errorf("%d samples decoded past the 1 s limit", s)
	}
	d.Close()
	d = open()
	var err2 error
	frames := 0
	for _, err := range d.Frames(ctx) {
		if err != nil {
			err2 = err
			break
		}
		frames++
	}
	d.Close()
	if !errors.Is(err2, media.ErrTooLong) || frames > int(media.DefaultFPS)+1 {
		t.Errorf("3 s of video with a 1 s limit: %d frames, then %v; want ErrTooLong", frames, err2)
	}
}

// MaxPixelRate refuses video whose header's frame rate times its frame size is above
// the limit, and accepts it at the limit.
func TestMaxPixelRate(t *testing.T) {
	ctx := context.Background()
	path := fixture(t, "h264-aac.mp4") // 320×240 at 30 frames/s
	const rate = 320 * 240 * 30
	if _, err := media.Open(ctx, path, media.Options{MaxPixelRate: rate - 1}); !errors.Is(err, media.ErrTooLarge) {
		t.Errorf("just over the limit: %v, want ErrTooLarge", err)
	}
	d, err := media.Open(ctx, path, media.Options{MaxPixelRate: rate})
	if err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	defer d.Close()
	for _, err := range d.Frames(ctx) {
		if err != nil {
			t.Fatalf("decoding at the limit: %v", err)
		}
	}
}
