package sdk_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/server/sdk"
)

// smallWebM is a 1-second 320×256 VP8 + Opus WebM made with the ffmpeg CLI:
//
//	ffmpeg -f lavfi -i sine=frequency=220:duration=1 \
//	       -f lavfi -i testsrc=size=320x256:rate=10:duration=1 \
//	       -c:v libvpx -b:v 100k -c:a libopus -shortest out.webm
//
// 320 and 256 are two-byte EBML values, so a test can rewrite them in place.
func smallWebM(t *testing.T) []byte {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg not installed (apt-get install ffmpeg); it makes the test recording")
	}
	out := filepath.Join(t.TempDir(), "small.webm")
	cmd := exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "sine=frequency=220:duration=1",
		"-f", "lavfi", "-i", "testsrc=size=320x256:rate=10:duration=1",
		"-c:v", "libvpx", "-b:v", "100k", "-c:a", "libopus", "-shortest", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("ffmpeg cannot make a VP8/Opus WebM here: %v: %s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// patch replaces the only occurrence of old in b by new (same length).
func patch(t *testing.T, b []byte, old, new []byte) []byte {
	t.Helper()
	if bytes.Count(b, old) != 1 || len(old) != len(new) {
		t.Fatalf("%x occurs %d times", old, bytes.Count(b, old))
	}
	return bytes.Replace(b, old, new, 1)
}

// TestValidatorRefusesHostileHeaders: the upload validator (media.OpenReader)
// refuses a WebM whose header claims 16384×16384 pixels before decoding any
// frame, refuses a header that claims ten hours, and refuses non-media with
// a media extension; the unmodified file passes, so each refusal is due to
// the one change.
func TestValidatorRefusesHostileHeaders(t *testing.T) {
	ctx := context.Background()
	good := smallWebM(t)
	v := sdk.MediaValidator{}
	info, err := v.ValidateMedia(ctx, bytes.NewReader(good))
	if err != nil || !info.HasAudio || !info.HasVideo || info.Duration < 900*time.Millisecond || info.Duration > 1100*time.Millisecond {
		t.Fatalf("the unmodified recording: %+v, %v", info, err)
	}

	// Matroska PixelWidth (0xB0) and PixelHeight (0xBA), two-byte values.
	huge := patch(t, good, []byte{0xB0, 0x82, 0x01, 0x40}, []byte{0xB0, 0x82, 0x40, 0x00})
	huge = patch(t, huge, []byte{0xBA, 0x82, 0x01, 0x00}, []byte{0xBA, 0x82, 0x40, 0x00})
	if _, err := v.ValidateMedia(ctx, bytes.NewReader(huge)); !errors.Is(err, media.ErrTooLarge) {
		t.Errorf("16384×16384 header: %v, want media.ErrTooLarge", err)
	}

	// Segment Duration (0x4489, 8-byte float, milliseconds) set to ten hours.
	at := bytes.Index(good, []byte{0x44, 0x89, 0x88})
	if at < 0 {
		t.Fatal("no 8-byte Duration element")
	}
	long := bytes.Clone(good)
	binary.BigEndian.PutUint64(long[at+3:], math.Float64bits(10*3600*1000))
	info, err = v.ValidateMedia(ctx, bytes.NewReader(long))
	t.Logf("ten-hour header: %+v, %v", info, err)
	if err == nil && info.Duration > time.Hour {
		t.Errorf("ten-hour header accepted with duration %v", info.Duration)
	}

	for name, data := range map[string][]byte{
		"text":            []byte("this is not a recording at all, just text in a .webm"),
		"EBML header":     good[:40],
		"truncated":       good[:len(good)/3],
		"zeros":           make([]byte, 8192),
		"PNG":             []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"),
		"WAV header only": []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\x3e\x00\x00\x00\x7d\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"),
	} {
		if _, err := v.ValidateMedia(ctx, bytes.NewReader(data)); err == nil {
			t.Errorf("%s accepted as media", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
