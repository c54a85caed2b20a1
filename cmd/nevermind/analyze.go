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

	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/questions"
	"github.com/nevermind-ai/nevermind/stt"
)

// report is what `analyze --json` prints: one key per analysis, null when not computed.
type report struct {
	*interview.Result
	Vision   any `json:"vision"`
	Feedback any `json:"feedback"`
}

func runAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nevermind analyze [flags] FILE\n\nflags:")
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "print one JSON object with the keys media, vocal, vision, transcript, content, feedback")
	series := fs.Bool("series", false, "with --json: add pitch and intensity series for plotting")
	transcribe := fs.Bool("transcribe", false, "transcribe the answer (NEVERMIND_STT, OPENAI_API_KEY or GOOGLE_STT_KEY_PATH) and evaluate its content")
	lang := fs.String("lang", "", "language of the answer: ko or en (default: from the transcript)")
	question := fs.String("question", "", "the interview question answered, for content evaluation")
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
	if *lang != "" && *lang != "ko" && *lang != "en" {
		return fmt.Errorf("--lang must be ko or en, not %q", *lang)
	}

	var p interview.Pipeline
	if *transcribe {
		if p.Transcriber, err = stt.FromEnv(os.Getenv); err != nil {
			return fmt.Errorf("--transcribe: %w (set OPENAI_API_KEY, or GOOGLE_STT_KEY_PATH, or see `go doc stt.FromEnv`)", err)
		}
		if p.LLM, err = questions.LLMFromEnv(os.Getenv); err != nil {
			return err
		}
	}
	bar := newProgress(stderr)
	defer bar.finish()
	res, err := p.AnalyzeFile(ctx, files[0], interview.Options{
		Language: *lang, Question: *question, Series: *series, FPS: *fps, Width: *width, Progress: bar.update,
	})
	if err != nil {
		return err
	}
	bar.finish()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report{Result: res})
	}
	printReport(stdout, files[0], res)
	return nil
}

func printReport(w io.Writer, file string, r *interview.Result) {
	m := r.Media
	fmt.Fprintf(w, "%s  (%s, %.1f s, analysed in %.2f s)\n", file, m.Info.Format, m.Info.Duration.Seconds(), m.Seconds)
	if v := r.Vocal; v != nil {
		fmt.Fprintf(w, "\nvoice  %d/100  %s\n", v.TotalScore, v.Summary)
		for _, mt := range v.Metrics {
			fmt.Fprintf(w, "  %-8s %3d  %-6s %s\n", mt.ID, mt.Score, mt.Level, mt.Description)
		}
		if !v.Quality.Sufficient {
			fmt.Fprintf(w, "  note: %s\n", v.Quality.Message)
		}
		for i, mo := range v.Timeline {
			if i == 5 {
				fmt.Fprintf(w, "  … %d more moments (--json lists them all)\n", len(v.Timeline)-i)
				break
			}
			fmt.Fprintf(w, "  %6.1f–%5.1f s  %s\n", mo.Start, mo.End, mo.Kind)
		}
	}
	if t := r.Transcript; t != nil {
		fmt.Fprintf(w, "\ntranscript (%s)  %s\n", t.Language, t.Text)
	}
	if c := r.Content; c != nil {
		fmt.Fprintf(w, "\ncontent (%s)  %s\n", c.Source, c.OverallSummary)
	}
	for part, why := range r.Failed {
		fmt.Fprintf(w, "\n%s failed: %s\n", part, why)
	}
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

func (p *progress) update(position, duration time.Duration) {
	if p.w == nil {
		return
	}
	if p.bar == nil {
		max := int64(-1) // a spinner when the container does not say how long it is
		if duration > 0 {
			max = duration.Milliseconds()
		}
		p.bar = progressbar.NewOptions64(max,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription("decoding"),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond))
	}
	p.bar.Set64(position.Milliseconds())
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
