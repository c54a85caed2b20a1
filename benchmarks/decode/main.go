// Command decode is the Go side of the decode benchmark: it does what an analysis needs from
// a recording — 16 kHz mono float32 audio and frames at 5 fps scaled to 640 wide — and
// prints the wall time, so run.sh can set it against the ffmpeg CLI doing the same work.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/nevermind-ai/nevermind/media"
)

func main() {
	threads := flag.Int("threads", 0, "video decoding threads (0: libav chooses)")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: decode [-threads N] FILE")
	}
	ctx := context.Background()
	start := time.Now()
	d, err := media.Open(ctx, flag.Arg(0), media.Options{SampleRate: 16000, FPS: 5, Width: 640, Threads: *threads})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	frames := 0
	for f, err := range d.Frames(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		frames++
		d.Recycle(f) // as an analyser does once it has the frame's numbers
	}
	pcm, err := d.Audio(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.3f s, %d frames, %d samples\n", time.Since(start).Seconds(), frames, len(pcm))
}
