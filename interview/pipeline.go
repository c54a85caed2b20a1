package interview

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/feedback"
	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/questions"
	"github.com/nevermind-ai/nevermind/stt"
	"github.com/nevermind-ai/nevermind/vision"
	"github.com/nevermind-ai/nevermind/vocal"
)

// Pipeline analyses recordings. Its zero value analyses the voice only; each field it is
// given adds an analysis. It is safe for concurrent use.
type Pipeline struct {
	// Vision analyses the face, gaze, expression and posture in the video. Nil skips
	// it; vision.New loads the models once for any number of analyses.
	Vision *vision.Analyzer
	// Transcriber turns the speech into words with timings. Nil skips the transcript
	// and the content evaluation; the acoustic measures do not need it.
	Transcriber stt.Transcriber
	// LLM evaluates the answer's content. Nil uses the offline rubric.
	LLM questions.LLM
	// Logger is told the stack of an analysis that panicked (the part then fails with
	// ErrInternal). Nil means slog.Default().
	Logger *slog.Logger
}

// Options tune one analysis. The zero value runs every analysis the Pipeline can, on
// 5 frames per second 640 pixels wide, and detects the language from the transcript.
type Options struct {
	// Language is "ko", "en" or "" (taken from the transcript when there is one).
	Language string
	// Question is the interview question answered; it makes content evaluation judge
	// relevance. Optional.
	Question string
	// Skip lists analyses not to run.
	Skip []nevermind.Part
	// Series adds plottable per-frame and per-window series to the reports (the HTML
	// report plots them).
	Series bool
	// History holds the user's earlier summaries, oldest first; with it the feedback
	// reports progress.
	History []feedback.Summary
	// FPS and Width control frame sampling (see media.Options).
	FPS   float64
	Width int
	// MaxDuration and MaxPixelRate bound what is decoded (see media.Options): with them
	// the memory and time of an analysis have a ceiling whatever the recording claims.
	// Zero means no limit.
	MaxDuration  time.Duration
	MaxPixelRate float64
	// Vision tunes the vision summary: the calibration (a stretch when the candidate
	// looked into the lens), calibration time and blink limit (its FPS and Series come
	// from the fields above).
	Vision vision.AnalyzeOptions
	// Progress, when set, is told how far decoding has got (see media.Options).
	Progress func(position, duration time.Duration)
	// Cues, when set, is given sparse live hints while the recording is analysed: looking
	// away, a long pause, a pace far off, no face (see CueKind and CueRules). Given a
	// stream that is still being recorded — a reader that blocks until the next bytes
	// arrive, such as MediaRecorder chunks being uploaded — the analysis keeps pace with it
	// and the hints come within about a second of the moment they are about; the Result is
	// the same as without Cues. It is called from the analysis goroutines, one call at a
	// time, and must return quickly. Pace cues need Language.
	Cues func(Cue)
	// CueRules tune when Cues are given.
	CueRules CueRules
}

func (o Options) skips(p nevermind.Part) bool {
	for _, s := range o.Skip {
		if s == p {
			return true
		}
	}
	return false
}

// Result is the analysis of one recording; its JSON is what `nevermind analyze --json`
// prints, under the parts' names. A part that was not run, or failed, is null; Failed says
// why a part failed.
type Result struct {
	Media      *MediaReport          `json:"media"`
	Voice      *vocal.Report         `json:"voice"`
	Vision     *vision.Report        `json:"vision"`
	Transcript *stt.Transcript       `json:"transcript"`
	Content    *questions.Evaluation `json:"content"`
	Feedback   *feedback.Summary     `json:"feedback"`
	// Failed maps each part that failed to its error: the analysing package's sentinel
	// wrapped with what a user can act on (errors.Is(res.Failed[nevermind.Voice],
	// vocal.ErrTooShort)), or ErrInternal when the analysis panicked. Feedback fails only
	// when every analysis did.
	Failed nevermind.Failures `json:"failed,omitempty"`
}

// MediaReport describes the recording and its decoding.
type MediaReport struct {
	Info  media.Info  `json:"info"`
	Stats media.Stats `json:"decode"`
	// Seconds is the wall time of the whole analysis.
	Seconds float64 `json:"seconds"`
}

// AnalyzeFile analyses the recording at path.
func (p *Pipeline) AnalyzeFile(ctx context.Context, path string, opts Options) (*Result, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	mo, cues := p.mediaOptions(ctx, opts)
	d, err := media.Open(ctx, path, mo)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return p.run(ctx, d, opts, cues)
}

// Analyze analyses a recording read from r (an upload stream, an object-storage body).
// With Options.Cues set and r a stream still being recorded, it is a live analysis.
// Cancelling ctx ends it at the next read; a Read blocked in r is not interrupted (no
// io.Reader takes a context), so a live stream's reader should fail when its source goes
// away — an io.Pipe closed with CloseWithError, a request body with a read deadline.
func (p *Pipeline) Analyze(ctx context.Context, r io.Reader, opts Options) (*Result, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	mo, cues := p.mediaOptions(ctx, opts)
	d, err := media.OpenReader(ctx, r, mo)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return p.run(ctx, d, opts, cues)
}

// check rejects what no analysis can use: a malformed calibration interval
// (nevermind.ErrBadInterval).
func (o Options) check() error {
	if c := o.Vision.Calibration; c != nil {
		return c.Check()
	}
	return nil
}

// mediaOptions also starts the cue watch when the caller wants cues: it hears the audio as
// it is decoded.
func (p *Pipeline) mediaOptions(ctx context.Context, opts Options) (media.Options, *cueWatch) {
	mo := media.Options{FPS: opts.FPS, Width: opts.Width, Progress: opts.Progress,
		MaxDuration: opts.MaxDuration, MaxPixelRate: opts.MaxPixelRate}
	if opts.Cues == nil {
		return mo, nil
	}
	cues := newCueWatch(opts.Cues, opts.CueRules, opts.Language, media.DefaultSampleRate, opts.Vision.Calibration)
	mo.OnAudio = func(pcm []float32) { cues.audio(ctx, pcm) }
	return mo, cues
}

var (
	// ErrNothingToAnalyse is returned when the recording has neither audio nor a video
	// that the pipeline is set up to analyse.
	ErrNothingToAnalyse = errors.New("interview: nothing to analyse in this recording")
	// ErrInternal is the failure of a part whose analysis panicked: a bug, not the
	// recording's fault. Its stack goes to Pipeline.Logger, never into the Result.
	ErrInternal = errors.New("interview: an internal error stopped this analysis")
)

func (p *Pipeline) run(ctx context.Context, d *media.Decoder, opts Options, cues *cueWatch) (*Result, error) {
	start := time.Now()
	res := &Result{Failed: nevermind.Failures{}}
	info := d.Info()
	watch := p.Vision != nil && info.HasVideo && !opts.skips(nevermind.Vision)
	if !info.HasAudio && !watch {
		return nil, fmt.Errorf("%w: %w", ErrNothingToAnalyse, media.ErrNoAudio)
	}

	// Frames stream into the vision analysis while the same pass collects the audio.
	var frames *frameAnalysis
	if watch {
		frames = p.watch(ctx, d, opts, cues)
		if err := frames.feed(ctx, d); err != nil {
			frames.wait()
			return nil, err
		}
	}
	var pcm []float32
	if info.HasAudio {
		var err error
		if pcm, err = d.Audio(ctx); err != nil {
			frames.wait()
			return nil, err
		}
	}
	// Decoding is over: libav's buffers (tens of megabytes for HD video) go before the
	// voice analysis needs its own.
	res.Media = &MediaReport{Info: d.Info(), Stats: d.Stats()}
	rate := d.SampleRate()
	if err := d.Close(); err != nil {
		frames.wait()
		return nil, err
	}
	return p.finish(ctx, res, frames, pcm, rate, opts, start)
}

// finish runs what needs the whole soundtrack, then summarises.
func (p *Pipeline) finish(ctx context.Context, res *Result, frames *frameAnalysis, pcm []float32, rate int, opts Options, start time.Time) (*Result, error) {
	if pcm == nil {
		res.Failed[nevermind.Voice] = media.ErrNoAudio
	}

	// The transcript comes first: the voice analysis counts filler words from its word
	// timings and is so much faster than transcription that waiting costs nothing.
	lang := opts.Language
	if pcm != nil && p.Transcriber != nil && !opts.skips(nevermind.Transcript) {
		tr, err := guard(p.logger(), nevermind.Transcript, func() (*stt.Transcript, error) {
			return p.Transcriber.Transcribe(ctx, stt.Audio{Samples: pcm, SampleRate: rate}, stt.Options{Language: opts.Language})
		})
		if err != nil {
			res.Failed[nevermind.Transcript] = err
		} else {
			res.Transcript = tr
			if lang == "" {
				lang = tr.Language
			}
		}
	}

	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	fail := func(part nevermind.Part, err error) {
		mu.Lock()
		defer mu.Unlock()
		res.Failed[part] = err
	}
	if pcm != nil && !opts.skips(nevermind.Voice) {
		wg.Go(func() {
			vo := vocal.Options{Language: lang, Series: opts.Series}
			if res.Transcript != nil {
				vo.Words = res.Transcript.Words
			}
			rep, err := guard(p.logger(), nevermind.Voice, func() (*vocal.Report, error) { return vocal.Analyze(ctx, pcm, rate, vo) })
			if err != nil {
				fail(nevermind.Voice, err)
				return
			}
			res.Voice = rep
		})
	}
	if res.Transcript != nil && !opts.skips(nevermind.Content) {
		wg.Go(func() {
			ev, err := guard(p.logger(), nevermind.Content, func() (*questions.Evaluation, error) {
				return questions.Evaluate(ctx, p.LLM, questions.Answer{Question: opts.Question, Text: res.Transcript.Text, Language: lang})
			})
			if err != nil {
				fail(nevermind.Content, err)
				return
			}
			res.Content = ev
		})
	}
	wg.Wait()
	if frames != nil {
		var speech []nevermind.Interval
		if res.Voice != nil {
			speech = res.Voice.Speech
		}
		rep, err := frames.report(opts, speech)
		if err != nil {
			res.Failed[nevermind.Vision] = err
		}
		res.Vision = rep
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Media.Seconds = time.Since(start).Seconds()
	sum, err := guard(p.logger(), nevermind.Feedback, func() (*feedback.Summary, error) {
		return feedback.Summarize(res.FeedbackInput(), feedback.Options{Language: lang, History: opts.History})
	})
	if err != nil {
		res.Failed[nevermind.Feedback] = err
	}
	res.Feedback = sum
	if len(res.Failed) == 0 {
		res.Failed = nil
	}
	return res, nil
}

// FeedbackInput is what feedback.Summarize (and the HTML report) takes from this result.
func (r *Result) FeedbackInput() feedback.Input {
	in := feedback.Input{Voice: r.Voice, Vision: r.Vision, Transcript: r.Transcript, Content: r.Content}
	if r.Media != nil {
		in.Duration = r.Media.Info.Duration.Seconds()
	}
	for part, err := range r.Failed {
		if part != nevermind.Feedback {
			if in.Failed == nil {
				in.Failed = nevermind.Failures{}
			}
			in.Failed[part] = err
		}
	}
	return in
}

func (p *Pipeline) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.Default()
}

// guard runs one part's analysis and turns a panic into ErrInternal, so one part's bug
// costs that part only. The panic and its stack go to the log: they help whoever fixes
// the bug and mean nothing to the candidate, who sees the result.
func guard[T any](log *slog.Logger, part nevermind.Part, f func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Error("interview: an analysis panicked", "part", part, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = ErrInternal
		}
	}()
	return f()
}
