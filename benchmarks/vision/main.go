// Command vision times vision.Analyze on a recording: the frames are decoded
// first (media, 5 fps, 640 wide) and held in memory, so only the analysis is
// timed. It prints one JSON line with wall and CPU seconds (median of -n
// runs), per-frame milliseconds and the frame counts.
//
//	go run ./benchmarks/vision -video answer.mp4 -n 3
//
// run.sh makes a 60-s test video and runs it on one and two cores.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"iter"
	"log"
	"os"
	"runtime"
	"sort"
	"syscall"
	"time"

	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/vision"
)

func main() {
	video := flag.String("video", "", "recording to analyse")
	n := flag.Int("n", 3, "runs")
	fps := flag.Float64("fps", media.DefaultFPS, "sampling rate")
	flag.Parse()
	if *video == "" {
		log.Fatal("vision: -video is required")
	}
	ctx := context.Background()
	d, err := media.Open(ctx, *video, media.Options{FPS: *fps, Width: media.DefaultWidth})
	if err != nil {
		log.Fatal(err)
	}
	var frames []*media.Frame
	for f, err := range d.Frames(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		frames = append(frames, f)
	}
	d.Close()
	a, err := vision.New(vision.Options{})
	if err != nil {
		log.Fatal(err)
	}
	seq := func(yield func(*media.Frame, error) bool) {
		for _, f := range frames {
			if !yield(f, nil) {
				return
			}
		}
	}
	var walls, cpus []float64
	var rep *vision.Report
	for range *n {
		c0, t0 := cpuSeconds(), time.Now()
		rep, err = a.Analyze(ctx, iter.Seq2[*media.Frame, error](seq), vision.AnalyzeOptions{FPS: *fps})
		if err != nil {
			log.Fatal(err)
		}
		walls = append(walls, time.Since(t0).Seconds())
		cpus = append(cpus, cpuSeconds()-c0)
	}
	w, c := median(walls), median(cpus)
	out, _ := json.Marshal(map[string]any{
		"video": *video, "frames": len(frames), "gomaxprocs": runtime.GOMAXPROCS(0), "runs": *n,
		"median_wall_s": round(w), "median_cpu_s": round(c),
		"ms_per_frame_wall": round(1000 * w / float64(len(frames))), "counts": rep.Frames,
	})
	fmt.Println(string(out))
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func median(v []float64) float64 {
	sort.Float64s(v)
	return v[len(v)/2]
}

func round(v float64) float64 { return float64(int(v*1000+0.5)) / 1000 }
