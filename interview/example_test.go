package interview_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/interview"
)

// A zero Pipeline analyses the voice only: nothing leaves the machine. Here two seconds of
// a steady tone stand in for a recorded answer; the vision, transcript and content parts
// are not run (there is no video, transcriber or LLM), so they are neither reported nor
// failed, and the feedback covers the voice.
func ExamplePipeline_AnalyzeFile() {
	dir, err := os.MkdirTemp("", "nevermind-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "answer.wav")
	if err := writeTone(path, 2); err != nil {
		fmt.Println(err)
		return
	}

	var p interview.Pipeline
	res, err := p.AnalyzeFile(context.Background(), path, interview.Options{Language: "en"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("voice measured:", res.Voice.Quality.Sufficient)
	fmt.Println("vision report:", res.Vision != nil)
	fmt.Println("failed parts:", len(res.Failed))
	fmt.Println("feedback on:", res.Feedback.Status(nevermind.Voice).Status)
	// Output:
	// voice measured: true
	// vision report: false
	// failed parts: 0
	// feedback on: ok
}

// writeTone writes seconds of a 150 Hz two-harmonic tone as a 16 kHz mono 16-bit WAV file.
func writeTone(path string, seconds int) error {
	const rate = 16000
	n := seconds * rate
	data := make([]byte, 44+2*n)
	copy(data, "RIFF")
	binary.LittleEndian.PutUint32(data[4:], uint32(36+2*n))
	copy(data[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(data[16:], 16)
	binary.LittleEndian.PutUint16(data[20:], 1) // PCM
	binary.LittleEndian.PutUint16(data[22:], 1) // mono
	binary.LittleEndian.PutUint32(data[24:], rate)
	binary.LittleEndian.PutUint32(data[28:], 2*rate)
	binary.LittleEndian.PutUint16(data[32:], 2)
	binary.LittleEndian.PutUint16(data[34:], 16)
	copy(data[36:], "data")
	binary.LittleEndian.PutUint32(data[40:], uint32(2*n))
	for i := range n {
		t := float64(i) / rate
		v := 0.3*math.Sin(2*math.Pi*150*t) + 0.1*math.Sin(2*math.Pi*300*t)
		binary.LittleEndian.PutUint16(data[44+2*i:], uint16(int16(v*32767)))
	}
	return os.WriteFile(path, data, 0o644)
}
