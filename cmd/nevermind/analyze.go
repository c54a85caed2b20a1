package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/nevermind-ai/nevermind/media"
)

// report is what `analyze --json` prints: one key per analysis, null when not computed.
type report struct {
	Media      *mediaReport `json:"media"`
	Vocal      any          `json:"vocal"`
	Vision     any          `json:"vision"`
	Transcript any          `json:"transcript"`
	Content    any          `json:"content"`
	Feedback   any          `json:"feedback"`
}

type mediaReport struct {
	File   string      `json:"file"`
	Info   media.Info  `json:"info"`
	Decode media.Stats `json:"decode"`
	// DecodeSeconds is the wall time of the single decoding pass.
	DecodeSeconds float64 `json:"decode_seconds"`
}

func runAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nevermind analyze [flags] FILE\n\nflags:")
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "print one JSON object with the keys media, vocal, vision, transcript, content, feedback")
	fps := fs.Float64("fps", media.DefaultFPS, "video frames sampled per second")
	width := fs.Int("width", media.DefaultWidth, "width of the sampled frames in pixels")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fs.Usage()
		return errors.New("analyze takes exactly one FILE")
	}

	bar := newProgress(stderr)
	opts := media.Options{FPS: *fps, Width: *width, Progress: bar.update}
	start := time.Now()
	d, err := media.Open(ctx, files[0], opts)
	if err != nil {
		return err
	}
	defer d.Close()
	bar.start(d.Info().Duration)
	if d.Info().HasVideo {
		for _, err := range d.Frames(ctx) {
			if err != nil {
				return err
			}
		}
	}
	if d.Info().HasAudio {
		if _, err := d.Audio(ctx); err != nil {
			return err
		}
	}
	bar.finish()
	r := report{Media: &mediaReport{
		File:          files[0],
		Info:          d.Info(),
		Decode:        d.Stats(),
		DecodeSeconds: time.Since(start).Seconds(),
	}}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	printReport(stdout, r, opts)
	return nil
}

func printReport(w io.Writer, r report, opts media.Options) {
	m := r.Media
	fmt.Fprintf(w, "%s  (%s, %.1f s)\n", m.File, m.Info.Format, m.Info.Duration.Seconds())
	if m.Info.HasAudio {
		fmt.Fprintf(w, "  audio  %s, %d Hz, %d channel(s) → %d samples of mono PCM",
			m.Info.AudioCodec, m.Info.SampleRate, m.Info.Channels, m.Decode.Samples)
		if m.Decode.SilencePadded > 0 {
			fmt.Fprintf(w, " (%.2f s of silence filled in)", float64(m.Decode.SilencePadded)/float64(media.DefaultSampleRate))
		}
		fmt.Fprintln(w)
	}
	if m.Info.HasVideo {
		fmt.Fprintf(w, "  video  %s, %d×%d, %.2f fps, rotation %d° → %d frames sampled at %g fps\n",
			m.Info.VideoCodec, m.Info.Width, m.Info.Height, m.Info.FrameRate, m.Info.Rotation, m.Decode.FramesSampled, opts.FPS)
	}
	if m.Decode.CorruptPackets > 0 {
		fmt.Fprintf(w, "  warning: %d damaged packets were skipped\n", m.Decode.CorruptPackets)
	}
	speed := m.Info.Duration.Seconds() / m.DecodeSeconds
	fmt.Fprintf(w, "  decoded in %.2f s (%.0f× real time)\n", m.DecodeSeconds, speed)
}

// progress draws a bar on stderr while a long recording decodes; it stays silent when
// stderr is not a terminal, so logs and pipes get no control characters.
type progress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	if !ok {
		return &progress{}
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return &progress{}
	}
	return &progress{w: w}
}

func (p *progress) start(total time.Duration) {
	if p.w == nil {
		return
	}
	max := int64(-1) // a spinner when the container does not say how long it is
	if total > 0 {
		max = total.Milliseconds()
	}
	p.bar = progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("decoding"),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond))
}

func (p *progress) update(position time.Duration) {
	if p.bar != nil {
		p.bar.Set64(position.Milliseconds())
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
