// Command vocalbench times vocal.Analyze on a WAV file and prints the median
// wall-clock and CPU seconds per run as JSON. benchmarks/vocal/run.sh runs it
// next to the equivalent Praat script; see README.md.
//
//	go run ./benchmarks/vocal -wav speech60.wav -n 7
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/nevermind-ai/nevermind/internal/wavfile"
	"github.com/nevermind-ai/nevermind/vocal"
	"github.com/nevermind-ai/nevermind/vocal/praat"
)

func main() {
	path := flag.String("wav", "", "16-bit PCM WAV file to analyse")
	runs := flag.Int("n", 7, "number of timed runs")
	seedOnly := flag.Bool("seed-only", false, "time only the seed's Praat measurements (what seed_measures.praat does), not the whole report")
	flag.Parse()
	if err := run(*path, *runs, *seedOnly); err != nil {
		slog.Error("vocalbench", "err", err)
		os.Exit(1)
	}
}

func run(path string, runs int, seedOnly bool) error {
	if path == "" || runs < 1 {
		return errors.New("usage: vocalbench -wav file.wav [-n runs]")
	}
	pcm, rate, err := wavfile.Read(path)
	if err != nil {
		return err
	}
	ctx := context.Background()
	analyse := func() error {
		_, err := vocal.Analyze(ctx, pcm, rate, vocal.Options{})
		return err
	}
	if seedOnly {
		analyse = func() error { return seedMeasures(pcm, rate) }
	}
	if err := analyse(); err != nil { // warm-up
		return err
	}
	var walls, cpus []float64
	for range runs {
		c0, w0 := cpuSeconds(), time.Now()
		if err := analyse(); err != nil {
			return err
		}
		walls = append(walls, time.Since(w0).Seconds())
		cpus = append(cpus, cpuSeconds()-c0)
	}
	audioS := float64(len(pcm)) / float64(rate)
	return json.NewEncoder(os.Stdout).Encode(map[string]float64{
		"audio_s":         audioS,
		"median_wall_s":   median(walls),
		"median_cpu_s":    median(cpus),
		"x_realtime_wall": audioS / median(walls),
		"x_realtime_cpu":  audioS / median(cpus),
	})
}

// seedMeasures does what seed_measures.praat does: the seed's Praat objects
// and, per 1-s tremor window, jitter, shimmer, mean HNR and the F0 and
// intensity frames.
func seedMeasures(pcm []float32, rate int) error {
	s, err := praat.NewSound(pcm, rate)
	if err != nil {
		return err
	}
	pitch, err := praat.ToPitch(s, praat.DefaultPitchParams(75, 500))
	if err != nil {
		return err
	}
	intensity, err := praat.ToIntensity(s, 75, 0, true)
	if err != nil {
		return err
	}
	pulses := praat.ToPointProcessCC(s, pitch)
	harm, err := praat.ToHarmonicityCC(s, 0.01, 75, 0.1, 1)
	if err != nil {
		return err
	}
	sink := 0.0
	d := s.Duration()
	for t0 := 0.0; t0 < d-1e-9; t0 += 0.5 {
		t1 := min(d, t0+1)
		sink += pulses.JitterLocal(t0, t1, 1.0/500, 1.0/75, 1.3)
		sink += pulses.ShimmerLocal(s, t0, t1, 1.0/500, 1.0/75, 1.3, 1.6)
		sink += harm.Mean(t0, t1)
		for i := int(t0 / 0.01); i < int(t1/0.01); i++ {
			sink += pitch.Frequency(i)
		}
		for i, v := range intensity.Values {
			if t := intensity.FrameTime(i); t >= t0 && t <= t1 {
				sink += v
			}
		}
	}
	_ = sink
	return nil
}

// cpuSeconds is the user+system CPU time of this process so far; on a busy
// shared machine it is steadier than wall-clock time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
