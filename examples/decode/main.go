// Command decode shows the media package on its own: it opens a recording, reports what is
// in it, and prints the loudness of each second and the brightness of each sampled frame.
//
//	go run ./examples/decode answer.webm
//
// (Prefix with scripts/ffmpeg-env.sh when FFmpeg 7 is not installed system-wide.)
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"math"
	"os"

	"github.com/nevermind-ai/nevermind/media"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: decode FILE")
	}
	if err := run(context.Background(), os.Args[1], os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, path string, w io.Writer) error {
	d, err := media.Open(ctx, path, media.Options{FPS: 1, Width: 320})
	if err != nil {
		return err
	}
	defer d.Close()
	info := d.Info()
	fmt.Fprintf(w, "%s: audio %v (%s), video %v (%s %d×%d)\n",
		info.Format, info.HasAudio, info.AudioCodec, info.HasVideo, info.VideoCodec, info.Width, info.Height)

	if info.HasVideo {
		for f, err := range d.Frames(ctx) {
			if err != nil {
				return err
			}
			var sum int
			for _, y := range f.Gray() {
				sum += int(y)
			}
			fmt.Fprintf(w, "frame at %5.1f s: mean brightness %.0f/255\n", f.Time.Seconds(), float64(sum)/float64(f.Width*f.Height))
		}
	}
	if info.HasAudio {
		pcm, err := d.Audio(ctx)
		if err != nil {
			return err
		}
		rate := d.SampleRate()
		for start := 0; start < len(pcm); start += rate {
			second := pcm[start:min(start+rate, len(pcm))]
			var energy float64
			for _, s := range second {
				energy += float64(s) * float64(s)
			}
			rms := math.Sqrt(energy / float64(len(second)))
			fmt.Fprintf(w, "second %3d: %6.1f dBFS\n", start/rate, 20*math.Log10(rms+1e-9))
		}
	}
	return nil
}
