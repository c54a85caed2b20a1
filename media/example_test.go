package media_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/nevermind-ai/nevermind/media"
)

// A recording is opened once; its frames are iterated, then its audio is read from the
// same pass.
func ExampleOpen() {
	path := exampleRecording()
	defer os.RemoveAll(filepath.Dir(path))

	ctx := context.Background()
	d, err := media.Open(ctx, path, media.Options{FPS: 2, Width: 160})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	info := d.Info()
	fmt.Println(info.VideoCodec, info.Width, info.Height, info.AudioCodec)

	frames := 0
	for f, err := range d.Frames(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		if frames == 0 {
			fmt.Println("first frame:", f.Width, "×", f.Height, "at", f.Time)
		}
		frames++
	}
	pcm, err := d.Audio(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(frames, "frames,", len(pcm)/d.SampleRate(), "seconds of audio")
	// Output:
	// vp8 320 240 opus
	// first frame: 160 × 120 at 0s
	// 6 frames, 3 seconds of audio
}

// exampleRecording makes a 3-second browser-style WebM (the vp8-opus.webm fixture's recipe).
func exampleRecording() string {
	dir, err := os.MkdirTemp("", "media-example-")
	if err != nil {
		log.Fatal(err)
	}
	if err := makeFixture("vp8-opus.webm", filepath.Join(dir, "answer.webm")); err != nil {
		if _, lookErr := exec.LookPath("ffmpeg"); lookErr != nil {
			log.Fatal("the example makes its recording with the ffmpeg CLI, which is not installed")
		}
		log.Fatal(err)
	}
	return filepath.Join(dir, "answer.webm")
}
