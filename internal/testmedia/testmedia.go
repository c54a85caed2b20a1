// Package testmedia makes interview-like recordings for tests and examples from documented
// recipes: espeak-ng speaks known sentences, sox joins them with silences of known length,
// and the ffmpeg CLI muxes the voice with a picture into a browser-style WebM. Nothing is
// downloaded; every tool comes from a Debian package (espeak-ng, sox, ffmpeg).
package testmedia

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// ErrToolMissing is returned when espeak-ng, sox or ffmpeg is not installed.
var ErrToolMissing = errors.New("testmedia: espeak-ng, sox and ffmpeg are needed (scripts/deps.sh installs them)")

// Available reports whether the tools are installed.
func Available() bool {
	for _, tool := range []string{"espeak-ng", "sox", "ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			return false
		}
	}
	return true
}

// Segment is one piece of an answer: a sentence spoken by espeak-ng, or silence.
type Segment struct {
	// Text is spoken in Voice (an espeak-ng voice such as "en-us" or "ko") at Rate words
	// per minute (espeak-ng's -s; 0 means 160). Empty Text is silence of Silence seconds.
	Text  string
	Voice string
	Rate  int
	// Silence is the length of a silent segment, in seconds.
	Silence float64
}

// Recording describes a recording to make.
type Recording struct {
	Segments []Segment
	// Picture is "" for an audio-only recording, "testsrc" for ffmpeg's moving test
	// pattern, or the path of an image shown (gently panned) for the whole answer.
	Picture string
	// Format is "webm" (VP8 + Opus written to a pipe, as a browser records) or "wav".
	Format string
	// VP9 encodes the picture of a webm with VP9, as Chromium's MediaRecorder does for
	// "video/webm;codecs=vp9,opus".
	VP9 bool
}

// Make writes the recording into dir and returns its path.
func Make(dir string, r Recording) (string, error) {
	if !Available() {
		return "", ErrToolMissing
	}
	var parts []string
	for i, s := range r.Segments {
		part := filepath.Join(dir, fmt.Sprintf("part%02d.wav", i))
		var err error
		if s.Text == "" {
			err = run(nil, "sox", "-n", "-r", "22050", "-c", "1", "-b", "16", part, "trim", "0", strconv.FormatFloat(s.Silence, 'f', 3, 64))
		} else {
			rate := s.Rate
			if rate == 0 {
				rate = 160
			}
			voice := s.Voice
			if voice == "" {
				voice = "en-us"
			}
			err = run(nil, "espeak-ng", "-v", voice, "-s", strconv.Itoa(rate), "-w", part, s.Text)
			if err == nil { // espeak-ng writes 22050 Hz mono; make sure sox can join them
				err = run(nil, "sox", part, "-r", "22050", "-c", "1", "-b", "16", part+".norm.wav")
				part += ".norm.wav"
			}
		}
		if err != nil {
			return "", err
		}
		parts = append(parts, part)
	}
	voice := filepath.Join(dir, "voice.wav")
	if err := run(nil, "sox", append(parts, voice)...); err != nil {
		return "", err
	}
	switch r.Format {
	case "wav":
		return voice, nil
	case "webm":
	default:
		return "", fmt.Errorf("testmedia: unknown format %q", r.Format)
	}
	out := filepath.Join(dir, "answer.webm")
	args := []string{"-hide_banner", "-loglevel", "error", "-y"}
	codec := []string{"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8"}
	if r.VP9 {
		codec = []string{"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1"}
	}
	switch r.Picture {
	case "":
		args = append(args, "-i", voice, "-c:a", "libopus")
	case "testsrc":
		args = append(args, "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-i", voice,
			"-shortest", "-pix_fmt", "yuv420p")
		args = append(append(args, codec...), "-c:a", "libopus")
	default:
		args = append(args, "-loop", "1", "-framerate", "30", "-i", r.Picture, "-i", voice,
			"-filter_complex", "[0:v]scale=1040:-2,crop=960:720:x='(iw-960)/2+30*sin(t/2)':y='(ih-720)/2',format=yuv420p[v]",
			"-map", "[v]", "-map", "1:a", "-shortest")
		args = append(append(args, codec...), "-c:a", "libopus")
	}
	var webm bytes.Buffer
	if err := run(&webm, "ffmpeg", append(args, "-f", "webm", "pipe:1")...); err != nil {
		return "", err
	}
	return out, os.WriteFile(out, webm.Bytes(), 0o644)
}

func run(stdout *bytes.Buffer, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if stdout != nil {
		cmd.Stdout = stdout
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("testmedia: %s: %v: %s", cmd, err, stderr.Bytes())
	}
	return nil
}

// Astronaut returns the path of astronaut.png (NASA, public domain), which
// scripts/deps.sh unpacks from Debian's python3-skimage into the cache directory
// ($NEVERMIND_CACHE, by default ~/.cache/nevermind).
func Astronaut() (string, error) {
	cache := os.Getenv("NEVERMIND_CACHE")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		cache = filepath.Join(home, ".cache", "nevermind")
	}
	path := filepath.Join(cache, "testdata", "astronaut.png")
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("testmedia: %s is missing (scripts/deps.sh puts it there): %w", path, err)
	}
	return path, nil
}
