package media_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/media"
)

// FuzzOpenReader feeds mutated recordings to the decoder, seekable and as a stream. Any
// outcome but a panic, a crash inside libav, a hang or an unclassified error is fine.
// Run it with `make fuzz`; crashers land in testdata/fuzz and then run as regression tests.
func FuzzOpenReader(f *testing.F) {
	for _, name := range []string{"short-vp8.webm", "short-pcm16.wav", "long-h264.mp4", "opus.ogg", "audio.mp3"} {
		data, err := os.ReadFile(fixture(f, name))
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 64<<10 {
			data = data[:64<<10] // the header and the first packets are where parsers differ
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		opts := media.Options{FPS: 5, Width: 64, MaxPixels: 4096 * 4096}
		for _, seekable := range []bool{true, false} {
			var d *media.Decoder
			var err error
			if seekable {
				d, err = media.OpenReader(ctx, bytes.NewReader(data), opts)
			} else {
				d, err = media.OpenReader(ctx, streamOnly{bytes.NewReader(data)}, opts)
			}
			if err == nil {
				_, err = decodeAllErr(d)
				d.Close()
			}
			if err != nil && !classified(err) {
				t.Fatalf("unclassified error (seekable=%v): %v", seekable, err)
			}
			if ctx.Err() != nil {
				t.Fatalf("decoding %d bytes took longer than 20 s", len(data))
			}
		}
	})
}

func classified(err error) bool {
	for _, sentinel := range []error{media.ErrCorrupt, media.ErrUnsupportedCodec, media.ErrNoAudio, media.ErrNoVideo, media.ErrTooLarge} {
		if errors.Is(err, sentinel) {
			return true
		}
	}
	return false
}
