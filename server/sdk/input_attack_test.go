package sdk_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/server"
	"github.com/nevermind-ai/nevermind/server/sdk"
	"github.com/nevermind-ai/nevermind/server/servertest"
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

	// Matroska PixelWidth (0xB0) and PixelHeight (0xBA), two-byte values,
	// and the VP8 key frame's own 14-bit size after its start code 9d 01 2a.
	// With only the container changed, libav's probing reads the real size
	// from the key frame, so both must claim it.
	huge := patch(t, good, []byte{0xB0, 0x82, 0x01, 0x40}, []byte{0xB0, 0x82, 0x40, 0x00})
	huge = patch(t, huge, []byte{0xBA, 0x82, 0x01, 0x00}, []byte{0xBA, 0x82, 0x40, 0x00})
	if _, err := v.ValidateMedia(ctx, bytes.NewReader(huge)); err != nil {
		t.Errorf("a container size the key frame contradicts should be decoded at the real size: %v", err)
	}
	kf := bytes.Index(huge, []byte{0x9d, 0x01, 0x2a})
	if kf < 0 {
		t.Fatal("no VP8 key frame")
	}
	binary.LittleEndian.PutUint16(huge[kf+3:], 16383) // VP8's largest width
	binary.LittleEndian.PutUint16(huge[kf+5:], 16383)
	_, err = v.ValidateMedia(ctx, bytes.NewReader(huge))
	t.Logf("16384×16384 container, 16383×16383 key frame: %v", err)
	if !errors.Is(err, media.ErrTooLarge) {
		t.Errorf("16383×16383 key frame: %v, want media.ErrTooLarge", err)
	}

	// Segment Duration (0x4489, 8-byte float, milliseconds) set to ten hours.
	at := bytes.Index(good, []byte{0x44, 0x89, 0x88})
	if at < 0 {
		t.Fatal("no 8-byte Duration element")
	}
	long := bytes.Clone(good)
	binary.BigEndian.PutUint64(long[at+3:], math.Float64bits(10*3600*1000))
	if _, err := v.ValidateMedia(ctx, bytes.NewReader(long)); !errors.Is(err, sdk.ErrTooLong) {
		t.Errorf("ten-hour header: %v, want sdk.ErrTooLong", err)
	}
	// Within a raised limit, the duration recorded is what was decoded, not
	// what the header claims.
	info, err = sdk.MediaValidator{MaxDuration: 11 * time.Hour}.ValidateMedia(ctx, bytes.NewReader(long))
	if err != nil || info.Duration > 1100*time.Millisecond {
		t.Errorf("ten-hour header under an 11-hour limit: %+v, %v", info, err)
	}
	// A recording cut short is still media; its duration is what remains.
	info, err = v.ValidateMedia(ctx, bytes.NewReader(good[:len(good)/2]))
	if err != nil || info.Duration <= 0 || info.Duration >= 900*time.Millisecond {
		t.Errorf("first half of the recording: %+v, %v", info, err)
	}
	// Real audio beyond the limit is refused while decoding, without
	// decoding the rest. The Duration element is voided first (EBML Void,
	// 0xEC, of the same 11 bytes), as in a browser's MediaRecorder WebM.
	noDuration := bytes.Clone(good)
	copy(noDuration[at:at+11], append([]byte{0xEC, 0x89}, make([]byte, 9)...))
	if _, err := (sdk.MediaValidator{MaxDuration: 500 * time.Millisecond}).ValidateMedia(ctx, bytes.NewReader(noDuration)); !errors.Is(err, sdk.ErrTooLong) {
		t.Errorf("1 s of audio under a 0.5-s limit: %v, want sdk.ErrTooLong", err)
	}

	for name, data := range map[string][]byte{
		"text":            []byte("this is not a recording at all, just text in a .webm"),
		"EBML header":     good[:40],
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

// TestUploadRouteRefusesHostileMedia sends the hostile files through a real
// server wired with sdk.MediaValidator, as `nevermind serve` is: each is a
// 415 naming the reason, and none leaves an attempt behind (the session's
// attempts list stays empty).
func TestUploadRouteRefusesHostileMedia(t *testing.T) {
	good := smallWebM(t)
	huge := patch(t, good, []byte{0xB0, 0x82, 0x01, 0x40}, []byte{0xB0, 0x82, 0x40, 0x00})
	huge = patch(t, huge, []byte{0xBA, 0x82, 0x01, 0x00}, []byte{0xBA, 0x82, 0x40, 0x00})
	kf := bytes.Index(huge, []byte{0x9d, 0x01, 0x2a})
	binary.LittleEndian.PutUint16(huge[kf+3:], 16383)
	binary.LittleEndian.PutUint16(huge[kf+5:], 16383)
	long := bytes.Clone(good)
	at := bytes.Index(long, []byte{0x44, 0x89, 0x88})
	binary.BigEndian.PutUint64(long[at+3:], math.Float64bits(10*3600*1000))

	// The production validator and question writer, and no analyser: only the
	// upload's checks are under test.
	ts := servertest.New(t, func(c *server.Config) {
		c.MediaValidator, c.Generator = sdk.MediaValidator{}, sdk.QuestionGenerator{}
		c.Analyzer, c.Evaluator = nil, nil
	})
	c := client{t: t, base: ts.URL, token: ts.Token("0a4b5c6d-1111-4222-8333-944455556667")}
	_, content := c.do("POST", "/api/interviews/contents", map[string]any{"company": "카카오", "role": "백엔드"})
	cid := int64(content["content"].(map[string]any)["id"].(float64))
	c.do("POST", "/api/interviews/resume", map[string]any{"content_id": cid, "items": []any{map[string]any{"question": "동기", "answer": "성장"}}})
	status, started := c.do("POST", fmt.Sprintf("/api/sessions/%d/start", cid), map[string]any{})
	if status != 200 {
		t.Fatalf("start session: %d %v", status, started)
	}
	sid := int64(started["session_id"].(float64))

	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"16383×16383 key frame": {huge, "invalid_media: media: video frame size exceeds the limit"},
		"ten-hour header":       {long, "invalid_media: media: recording is longer than the limit"},
		"text named .webm":      {[]byte("not a recording, only text"), "unsupported_media_type"},
	} {
		status, body := c.upload(sid, 1, "answer.webm", tc.data)
		if status != 415 || !strings.HasPrefix(fmt.Sprint(body["detail"]), tc.want) {
			t.Errorf("%s: %d %v, want 415 %s…", name, status, body, tc.want)
		}
	}
	status, all := c.do("GET", fmt.Sprintf("/api/feedback/%d/attempts/all", sid), nil)
	if status != 200 || len(all["attempts"].([]any)) != 0 {
		t.Fatalf("attempts after refused uploads: %d %v", status, all)
	}
	if status, body := c.upload(sid, 1, "answer.webm", good); status != 200 {
		t.Fatalf("the unmodified recording: %d %v", status, body)
	}
}

// TestValidatorRefusesHighPixelRates: one second of black 4K at 30 frames/s is a small
// file that would cost an analysis far more CPU than its length; the validator refuses it
// by its header, before decoding, unless the limit is raised.
func TestValidatorRefusesHighPixelRates(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg not installed (apt-get install ffmpeg); it makes the test recording")
	}
	out := filepath.Join(t.TempDir(), "black4k.mp4")
	cmd := exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "color=c=black:size=3840x2160:rate=30:duration=1",
		"-f", "lavfi", "-i", "sine=frequency=220:duration=1",
		"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", "-movflags", "+faststart", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("ffmpeg cannot make an H.264 MP4 here: %v: %s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := (sdk.MediaValidator{}).ValidateMedia(ctx, bytes.NewReader(data)); !errors.Is(err, media.ErrTooLarge) {
		t.Errorf("4K at 30 frames/s (%d bytes): %v, want media.ErrTooLarge", len(data), err)
	}
	info, err := (sdk.MediaValidator{MaxPixelRate: 3840 * 2160 * 30}).ValidateMedia(ctx, bytes.NewReader(data))
	if err != nil || !info.HasVideo {
		t.Errorf("4K at 30 frames/s under a raised limit: %+v, %v", info, err)
	}
}
