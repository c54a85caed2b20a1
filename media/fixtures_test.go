package media_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Fixtures are made by the ffmpeg command-line tool from lavfi sources, so the tests need
// no downloaded media. Each recipe below is the documentation of its fixture.
//
// The picture is a split screen whose halves have known colours — red on top, blue below —
// so that both colour conversion and orientation can be checked; the sound is a 440 Hz sine.
const (
	splitScreen = "color=c=red:size=320x120:rate=30[top];color=c=blue:size=320x120:rate=30[bottom];[top][bottom]vstack"
	sine440     = "sine=frequency=440:sample_rate=48000"
)

type recipe struct {
	// args go between the inputs and the output; pipe writes to stdout, so the muxer
	// cannot seek back (no duration, no cues), as in a browser's MediaRecorder.
	args []string
	pipe bool
	// audio and video say which inputs the recipe uses.
	audio, video bool
}

var recipes = map[string]recipe{
	"vp8-opus.webm":   {args: []string{"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "500k", "-c:a", "libopus", "-f", "webm"}, pipe: true, audio: true, video: true},
	"vp9-opus.webm":   {args: []string{"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "500k", "-c:a", "libopus", "-f", "webm"}, pipe: true, audio: true, video: true},
	"h264-aac.mp4":    {args: []string{"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"}, audio: true, video: true},
	"faststart.mp4":   {args: []string{"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-movflags", "+faststart"}, audio: true, video: true},
	"rotated90.mp4":   {args: []string{"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-metadata:s:v:0", "rotate=90"}, audio: true, video: true},
	"audio.m4a":       {args: []string{"-c:a", "aac"}, audio: true},
	"audio.mp3":       {args: []string{"-c:a", "libmp3lame"}, audio: true},
	"pcm16.wav":       {args: []string{"-c:a", "pcm_s16le"}, audio: true},
	"pcm24.wav":       {args: []string{"-c:a", "pcm_s24le"}, audio: true},
	"float.wav":       {args: []string{"-c:a", "pcm_f32le"}, audio: true},
	"opus.ogg":        {args: []string{"-c:a", "libopus", "-f", "ogg"}, pipe: true, audio: true},
	"video-only.webm": {args: []string{"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-f", "webm"}, pipe: true, video: true},
	"late-audio.webm": {args: []string{"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", "-af", "adelay=1000|1000", "-f", "webm"}, pipe: true, audio: true, video: true},
	// vfr.webm has 30 fps for 1.5 s, then one frame every half second: variable frame
	// rate, with fewer frames than sampling instants at the end.
	"vfr.webm":        {args: []string{"-vf", "select='lt(t,1.5)+not(mod(n,15))'", "-vsync", "vfr", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-f", "webm"}, pipe: true, video: true},
	"long-h264.mp4":   {args: []string{"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-movflags", "+faststart"}, audio: true, video: true},
	"short-vp8.webm":  {args: []string{"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", "-f", "webm"}, pipe: true, audio: true, video: true},
	"short-pcm16.wav": {args: []string{"-c:a", "pcm_s16le"}, audio: true},
}

// fixtureSeconds is the length of every fixture but the long and short ones.
const fixtureSeconds = "3"

func durationOf(name string) string {
	switch {
	case strings.HasPrefix(name, "long-"):
		return "20"
	case strings.HasPrefix(name, "short-"):
		return "0.5"
	}
	return fixtureSeconds
}

var (
	fixtureDir  string
	fixtureMu   sync.Mutex
	fixtureMade = map[string]error{}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "media-fixtures-")
	if err != nil {
		panic(err)
	}
	fixtureDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func requireFFmpeg(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		tb.Skip("ffmpeg CLI not installed (make test installs it): fixtures cannot be made")
	}
}

// fixture returns the path of a fixture, making it on first use.
func fixture(tb testing.TB, name string) string {
	tb.Helper()
	requireFFmpeg(tb)
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	path := filepath.Join(fixtureDir, name)
	err, done := fixtureMade[name]
	if !done {
		err = makeFixture(name, path)
		fixtureMade[name] = err
	}
	if err != nil {
		tb.Fatalf("making fixture %s: %v", name, err)
	}
	return path
}

func makeFixture(name, path string) error {
	switch name {
	case "empty.bin":
		return os.WriteFile(path, nil, 0o644)
	case "text.mp4":
		return os.WriteFile(path, []byte(strings.Repeat("This is not a video, just text with a media extension.\n", 40)), 0o644)
	case "truncated.mp4":
		// The default MP4 layout puts the index at the end; cutting the file in half loses it.
		data, err := os.ReadFile(filepath.Join(fixtureDir, "h264-aac.mp4"))
		if err != nil {
			if err := makeFixture("h264-aac.mp4", filepath.Join(fixtureDir, "h264-aac.mp4")); err != nil {
				return err
			}
			if data, err = os.ReadFile(filepath.Join(fixtureDir, "h264-aac.mp4")); err != nil {
				return err
			}
		}
		return os.WriteFile(path, data[:len(data)/2], 0o644)
	}
	r, ok := recipes[name]
	if !ok {
		panic("no recipe for fixture " + name)
	}
	dur := durationOf(name)
	args := []string{"-hide_banner", "-loglevel", "error", "-y"}
	if r.video {
		args = append(args, "-f", "lavfi", "-i", splitScreen)
	}
	if r.audio {
		args = append(args, "-f", "lavfi", "-i", sine440)
	}
	args = append(args, "-t", dur)
	if r.video {
		args = append(args, "-pix_fmt", "yuv420p")
	}
	args = append(args, r.args...)
	var stdout, stderr bytes.Buffer
	if r.pipe {
		args = append(args, "pipe:1")
	} else {
		args = append(args, path)
	}
	cmd := exec.Command("ffmpeg", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v: %s", cmd, err, stderr.Bytes())
	}
	if r.pipe {
		return os.WriteFile(path, stdout.Bytes(), 0o644)
	}
	if name == "rotated90.mp4" {
		return setRotation90(path)
	}
	return nil
}

// setRotation90 overwrites the transformation matrix of the first track header (the video
// track: the recipes list video first) with a quarter turn clockwise, the matrix a phone
// writes for portrait video: {0, 1, 0; -1, 0, 0; height, 0, 1} in 16.16 and 2.30 fixed point.
func setRotation90(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	at := bytes.Index(data, []byte("tkhd"))
	if at < 0 {
		return fmt.Errorf("%s: no tkhd box", path)
	}
	// version/flags, then times and ids (32- or 64-bit by version), reserved, layer,
	// alternate group, volume, reserved: the matrix follows.
	matrix := at + 4 + 4 + 4*5 + 8 + 8
	if data[at+4] == 1 {
		matrix = at + 4 + 4 + 8 + 8 + 4 + 4 + 8 + 8 + 8
	}
	height := binary.BigEndian.Uint32(data[matrix+40:]) // 16.16, follows the matrix and width
	for i, v := range []uint32{0, 0x10000, 0, 0xFFFF0000, 0, 0, height, 0, 0x40000000} {
		binary.BigEndian.PutUint32(data[matrix+4*i:], v)
	}
	return os.WriteFile(path, data, 0o644)
}
