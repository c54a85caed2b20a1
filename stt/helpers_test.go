package stt

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/go-audio/wav"
)

// speech synthesises text with espeak-ng and converts it with sox to 16 kHz
// mono 16-bit, the format the media package hands over. Recipe:
//
//	espeak-ng -v <voice> -s 150 -g <gapTenMs> -w raw.wav "<text>"
//	sox raw.wav -r 16000 -c 1 -b 16 out.wav
//
// -g adds pauses between words (in 10 ms units) so that the splitter has
// pauses to find.
func speech(t testing.TB, voice, text string, gapTenMs int) Audio {
	t.Helper()
	for _, tool := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install espeak-ng sox); skipping real-speech test", tool)
		}
	}
	dir := t.TempDir()
	raw, out := filepath.Join(dir, "raw.wav"), filepath.Join(dir, "out.wav")
	if b, err := exec.Command("espeak-ng", "-v", voice, "-s", "150", "-g", fmt.Sprint(gapTenMs), "-w", raw, text).CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v: %s", err, b)
	}
	if b, err := exec.Command("sox", raw, "-r", "16000", "-c", "1", "-b", "16", out).CombinedOutput(); err != nil {
		t.Fatalf("sox: %v: %s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	a, err := decodeWAV(data)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// decodeWAV reads 16-bit mono PCM with go-audio/wav, a decoder independent of
// EncodeWAV.
func decodeWAV(data []byte) (Audio, error) {
	d := wav.NewDecoder(bytes.NewReader(data))
	if !d.IsValidFile() {
		return Audio{}, fmt.Errorf("not a valid WAV file (%d bytes)", len(data))
	}
	buf, err := d.FullPCMBuffer()
	if err != nil {
		return Audio{}, err
	}
	if buf.Format.NumChannels != 1 || d.BitDepth != 16 {
		return Audio{}, fmt.Errorf("want mono 16-bit, got %d channels, %d bits", buf.Format.NumChannels, d.BitDepth)
	}
	a := Audio{SampleRate: buf.Format.SampleRate, Samples: make([]float32, len(buf.Data))}
	for i, v := range buf.Data {
		a.Samples[i] = float32(v) / 32768
	}
	return a, nil
}

// voicedRegions is a plain energy detector used by the fake servers to invent
// word timings from the audio they receive: runs of 20 ms frames whose RMS
// is above 2 % of full scale, merged across gaps shorter than 60 ms.
func voicedRegions(a Audio) [][2]float64 {
	frame := a.SampleRate / 50
	var out [][2]float64
	inside := false
	var start, lastVoiced int
	for pos := 0; pos+frame <= len(a.Samples); pos += frame {
		var e float64
		for _, v := range a.Samples[pos : pos+frame] {
			e += float64(v) * float64(v)
		}
		voiced := e/float64(frame) > 0.02*0.02
		switch {
		case voiced && !inside:
			if len(out) > 0 && pos-lastVoiced < 3*frame {
				start = int(out[len(out)-1][0] * float64(a.SampleRate))
				out = out[:len(out)-1]
			} else {
				start = pos
			}
			inside = true
		case !voiced && inside:
			out = append(out, [2]float64{float64(start) / float64(a.SampleRate), float64(pos) / float64(a.SampleRate)})
			lastVoiced = pos
			inside = false
		}
	}
	if inside {
		out = append(out, [2]float64{float64(start) / float64(a.SampleRate), float64(len(a.Samples)) / float64(a.SampleRate)})
	}
	return out
}
