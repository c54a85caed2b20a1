// Package wavfile reads PCM WAV files for the voice tests and benchmarks, which compare with
// Praat on the very files Praat reads (decoding them through libav would add a variable).
package wavfile

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/go-audio/audio"
	"github.com/go-audio/wav"
)

// Read reads a PCM WAV file as mono float32 in [-1, 1] (channels are averaged) and returns
// its sample rate. It reads in chunks: go-audio's FullPCMBuffer is about 70× slower.
func Read(path string) ([]float32, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	d := wav.NewDecoder(f)
	if !d.IsValidFile() {
		return nil, 0, fmt.Errorf("%s: not a PCM WAV file", path)
	}
	channels := int(d.NumChans)
	scale := float32(int64(1) << (d.BitDepth - 1))
	buf := &audio.IntBuffer{Data: make([]int, 4096*channels)}
	var pcm []float32
	for {
		n, err := d.PCMBuffer(buf)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, 0, fmt.Errorf("%s: %w", path, err)
		}
		if n == 0 {
			break
		}
		for i := 0; i+channels <= n; i += channels {
			var sum float32
			for c := range channels {
				sum += float32(buf.Data[i+c])
			}
			pcm = append(pcm, sum/float32(channels)/scale)
		}
	}
	return pcm, int(d.SampleRate), nil
}
