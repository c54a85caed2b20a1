// Package testaudio makes and reads the audio the vocal tests run on, from
// documented recipes: LibriVox speech shipped in Debian's
// pocketsphinx-testdata (public domain), espeak-ng speech, and sox tones.
// Every helper skips the test with a clear message when its tool or file is
// missing, so `go test` works anywhere and CI (which installs them) runs all.
package testaudio

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nevermind-ai/nevermind/internal/wavfile"
)

// LibriVoxDir holds 16 kHz mono excerpts of "Sense and Sensibility"
// (LibriVox, public domain) from the Debian package pocketsphinx-testdata.
const LibriVoxDir = "/usr/share/pocketsphinx/test/data/librivox"

// LibriVox returns the paths of the LibriVox excerpts, skipping the test if
// pocketsphinx-testdata is not installed.
func LibriVox(t testing.TB) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(LibriVoxDir, "*.wav"))
	if len(files) == 0 {
		t.Skipf("no LibriVox speech in %s: install the Debian package pocketsphinx-testdata", LibriVoxDir)
	}
	return files
}

// Need skips the test unless the named programs are on PATH.
func Need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found on PATH: install the Debian package %s to run this test", tool, debianPackage(tool))
		}
	}
}

func debianPackage(tool string) string {
	switch tool {
	case "espeak-ng":
		return "espeak-ng"
	case "sox":
		return "sox"
	case "praat":
		return "praat"
	}
	return tool
}

// Run runs a program and fails the test with its stderr if it fails.
func Run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
	return out
}

// Espeak synthesises text with espeak-ng (voice e.g. "en-us" or "ko", pitch
// 0–99, rate in words per minute) and resamples it with sox to 16 kHz mono,
// returning the WAV path inside dir.
func Espeak(t testing.TB, dir, name, voice, text string, pitch, rate int) string {
	t.Helper()
	Need(t, "espeak-ng", "sox")
	raw := filepath.Join(dir, name+".raw.wav")
	out := filepath.Join(dir, name+".wav")
	Run(t, "espeak-ng", "-v", voice, "-p", fmt.Sprint(pitch), "-s", fmt.Sprint(rate), "-w", raw, text)
	Run(t, "sox", raw, "-r", "16000", "-c", "1", "-b", "16", out)
	return out
}

// Sox runs `sox -n -r 16000 -c 1 -b 16 out.wav synth ...` (or any effect
// chain given in args) and returns the output path inside dir.
func Sox(t testing.TB, dir, name string, args ...string) string {
	t.Helper()
	Need(t, "sox")
	out := filepath.Join(dir, name+".wav")
	Run(t, "sox", append([]string{"-n", "-r", "16000", "-c", "1", "-b", "16", out}, args...)...)
	return out
}

// MustReadWAV reads a PCM WAV file as mono float32 in [-1, 1] (see wavfile.Read) or
// fails the test.
func MustReadWAV(t testing.TB, path string) ([]float32, int) {
	t.Helper()
	pcm, rate, err := wavfile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return pcm, rate
}

// Concat writes the WAV files in order (with optional silence between them
// given as sox "pad" seconds via gaps) into one 16 kHz mono file.
func Concat(t testing.TB, dir, name string, files ...string) string {
	t.Helper()
	Need(t, "sox")
	out := filepath.Join(dir, name+".wav")
	Run(t, "sox", append(append([]string{}, files...), out)...)
	return out
}
