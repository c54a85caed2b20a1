package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/feedback/report"
	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/questions"
	"github.com/nevermind-ai/nevermind/stt"
	"github.com/nevermind-ai/nevermind/vision"
)

// analyzeMemoryLimit is the soft heap limit of `nevermind analyze` unless GOMEMLIMIT is set.
const analyzeMemoryLimit = 300 << 20

func runAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("analyze", "usage: nevermind analyze [flags] FILE", stderr)
	asJSON := fs.Bool("json", false, "print one JSON object with the keys media, vocal, vision, transcript, content, feedback")
	series := fs.Bool("series", false, "with --json: add pitch and intensity series for plotting")
	htmlPath := fs.String("html", "", "also write a self-contained HTML report to this file")
	transcribe := fs.Bool("transcribe", false, "transcribe the answer (NEVERMIND_STT, OPENAI_API_KEY or GOOGLE_STT_KEY_PATH) and evaluate its content")
	lang := fs.String("lang", "", "language of the answer: ko or en (default: from the transcript)")
	question := fs.String("question", "", "the interview question answered, for content evaluation")
	noVideo := fs.Bool("no-video", false, "skip the face, gaze and posture analysis")
	fps := fs.Float64("fps", media.DefaultFPS, "video frames sampled per second")
	width := fs.Int("width", media.DefaultWidth, "width of the sampled frames in pixels")
	fov := fs.Float64("fov", vision.DefaultFieldOfViewDeg, "the camera's horizontal field of view in degrees, for the gaze geometry")
	calibrate := fs.String("calibrate", "", "START-END in seconds: when the candidate looked into the lens on request, to calibrate eye contact")
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

	if os.Getenv("GOMEMLIMIT") == "" {
		// One analysis per process: a 10-minute answer peaks at about 190 MB of live heap,
		// and Go's default pacing would let the heap grow to twice that before collecting.
		debug.SetMemoryLimit(analyzeMemoryLimit)
	}
	var vo vision.AnalyzeOptions
	if *calibrate != "" {
		iv, err := nevermind.ParseInterval(*calibrate)
		if err != nil {
			return fmt.Errorf("--calibrate: %w", err)
		}
		vo.Calibration = &iv
	}
	var p interview.Pipeline
	var skip []nevermind.Part
	if *noVideo {
		skip = append(skip, nevermind.Vision)
	} else if p.Vision, err = vision.New(vision.Options{FieldOfViewDeg: *fov}); err != nil {
		return err
	}
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
		Language: *lang, Question: *question, Skip: skip, Series: *series || *htmlPath != "",
		FPS: *fps, Width: *width, Vision: vo, Progress: bar.update,
	})
	if err != nil {
		return err
	}
	bar.finish()
	if *htmlPath != "" {
		if err := writeHTML(*htmlPath, files[0], res); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	if res.Feedback == nil {
		return fmt.Errorf("no analysis succeeded: %v", res.Failed)
	}
	return report.Text(stdout, res.Feedback, report.Options{Title: filepath.Base(files[0])})
}

// writeHTML writes the report next to nothing else: a temporary file renamed into place,
// so a failed render never leaves half a page behind.
func writeHTML(path, title string, res *interview.Result) error {
	if res.Feedback == nil {
		return fmt.Errorf("--html: no analysis succeeded: %v", res.Failed)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".report-*.html")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	err = report.HTML(f, res.Feedback, res.FeedbackInput(), report.Options{Title: filepath.Base(title)})
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644) // CreateTemp makes it private; a report is for reading
	}
	if err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	return os.Rename(f.Name(), path)
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
