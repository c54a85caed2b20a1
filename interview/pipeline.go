// Package interview analyses one recorded interview answer from end to end: the recording is
// decoded once, the voice, the picture and the words are analysed concurrently, the
// answer's content is evaluated, and everything is merged into one piece of feedback.
//
// A Pipeline holds the long-lived parts — the vision models, the speech-to-text backend and
// the LLM — and is safe for concurrent use, so a server keeps one and calls it for every
// recording:
//
//	p := &interview.Pipeline{Transcriber: tr} // tr from stt.FromEnv, or nil
//	res, err := p.AnalyzeFile(ctx, "answer.webm", interview.Options{Language: "ko"})
//	if err != nil {
//		return err // the recording could not be decoded at all
//	}
//	fmt.Println(res.Vocal.TotalScore)
//
// Each part runs on its own. When one fails — no audio, an STT outage, a bad frame — the
// Result still carries the others, and Result.Failed says which part failed and why. Only
// a recording that cannot be decoded at all is an error of Analyze itself.
package interview

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
	"time"

	"github.com/nevermind-ai/nevermind/feedback"
	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/questions"
	"github.com/nevermind-ai/nevermind/stt"
	"github.com/nevermind-ai/nevermind/vision"
	"github.com/nevermind-ai/nevermind/vocal"
)

// Part names one analysis of a recording. They are also the keys of Result's JSON.
type Part string

// The analyses a Pipeline runs.
const (
	Vocal      Part = "vocal"
	Vision     Part = "vision"
	Transcript Part = "transcript"
	Content    Part = "content"
	// Feedback is the merged summary; it fails only when every analysis did.
	Feedback Part = "feedback"
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
	Skip []Part
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

func (o Options) skips(p Part) bool {
	for _, s := range o.Skip {
		if s == p {
			return true
		}
	}
	return false
}

// Result is the analysis of one recording; its JSON is what `nevermind analyze --json`
// prints. A part that was not run, or failed, is null; Failed says why a part failed.
type Result struct {
	Media      *MediaReport          `json:"media"`
	Vocal      *vocal.Report         `json:"vocal"`
	Vision     *vision.Report        `json:"vision"`
	Transcript *stt.Transcript       `json:"transcript"`
	Content    *questions.Evaluation `json:"content"`
	Feedback   *feedback.Summary     `json:"feedback"`
	// Failed maps each part that failed to the reason, in words a user can act on.
	Failed map[Part]string `json:"failed,omitempty"`
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
// (vision.ErrBadInterval).
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

// ErrNothingToAnalyse is returned when the recording has neither audio nor a video that
// the pipeline is set up to analyse.
var ErrNothingToAnalyse = errors.New("interview: nothing to analyse in this recording")

func (p *Pipeline) run(ctx context.Context, d *media.Decoder, opts Options, cues *cueWatch) (*Result, error) {
	start := time.Now()
	res := &Result{Failed: map[Part]string{}}
	info := d.Info()
	watch := p.Vision != nil && info.HasVideo && !opts.skips(Vision)
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
		res.Failed[Vocal] = media.ErrNoAudio.Error()
	}

	// The transcript comes first: the voice analysis counts filler words from its word
	// timings and is so much faster than transcription that waiting costs nothing.
	lang := opts.Language
	if pcm != nil && p.Transcriber != nil && !opts.skips(Transcript) {
		tr, err := guard(func() (*stt.Transcript, error) {
			return p.Transcriber.Transcribe(ctx, stt.Audio{Samples: pcm, SampleRate: rate}, stt.Options{Language: opts.Language})
		})
		if err != nil {
			res.Failed[Transcript] = err.Error()
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
	fail := func(part Part, err error) {
		mu.Lock()
		defer mu.Unlock()
		res.Failed[part] = err.Error()
	}
	if pcm != nil && !opts.skips(Vocal) {
		wg.Go(func() {
			vo := vocal.Options{Language: lang, Series: opts.Series}
			if res.Transcript != nil {
				for _, w := range res.Transcript.Words {
					vo.Words = append(vo.Words, vocal.Word{Text: w.Text, Start: w.Start, End: w.End})
				}
			}
			rep, err := guard(func() (*vocal.Report, error) { return vocal.Analyze(ctx, pcm, rate, vo) })
			if err != nil {
				fail(Vocal, err)
				return
			}
			res.Vocal = rep
		})
	}
	if res.Transcript != nil && !opts.skips(Content) {
		wg.Go(func() {
			ev, err := guard(func() (*questions.Evaluation, error) {
				return questions.Evaluate(ctx, p.LLM, questions.Answer{Question: opts.Question, Text: res.Transcript.Text, Language: lang})
			})
			if err != nil {
				fail(Content, err)
				return
			}
			res.Content = ev
		})
	}
	wg.Wait()
	if frames != nil {
		var speech []vocal.Interval
		if res.Vocal != nil {
			speech = res.Vocal.Speech
		}
		rep, err := frames.report(opts, speech)
		if err != nil {
			res.Failed[Vision] = err.Error()
		}
		res.Vision = rep
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Media.Seconds = time.Since(start).Seconds()
	sum, err := guard(func() (*feedback.Summary, error) {
		return feedback.Summarize(res.FeedbackInput(), feedback.Options{Language: lang, History: opts.History})
	})
	if err != nil {
		res.Failed[Feedback] = err.Error()
	}
	res.Feedback = sum
	if len(res.Failed) == 0 {
		res.Failed = nil
	}
	return res, nil
}

// FeedbackInput is what feedback.Summarize (and the HTML report) takes from this result.
func (r *Result) FeedbackInput() feedback.Input {
	in := feedback.Input{Vocal: r.Vocal, Vision: r.Vision, Transcript: r.Transcript, Content: r.Content}
	if r.Media != nil {
		in.Duration = r.Media.Info.Duration.Seconds()
	}
	for part, why := range r.Failed {
		if part != Feedback {
			if in.Failed == nil {
				in.Failed = map[string]string{}
			}
			in.Failed[string(part)] = why
		}
	}
	return in
}

// guard runs one analysis and turns a panic into an error, so one part's bug costs
// that part only.
func guard[T any](f func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v\n%s", r, debug.Stack())
		}
	}()
	return f()
}
