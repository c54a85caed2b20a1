// Package sdk connects the server's plug-in points to the SDK: interview.Pipeline analyses
// uploaded recordings, package media validates them, and package questions evaluates
// answers and writes questions. It is separate from package server because media needs
// cgo (libav) while the server itself is pure Go and can be tested without FFmpeg.
//
//	va, err := vision.New(vision.Options{}) // the models, loaded once for every job
//	cfg.Analyzer = sdk.Analyzer{Pipeline: &interview.Pipeline{Vision: va, Transcriber: tr, LLM: llm}}
//	cfg.MediaValidator = sdk.MediaValidator{}
//	cfg.Evaluator = sdk.AnswerEvaluator{LLM: llm}
//	cfg.Generator = sdk.QuestionGenerator{LLM: llm}
package sdk

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/feedback/report"
	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/questions"
	"github.com/nevermind-ai/nevermind/server"
	"github.com/nevermind-ai/nevermind/vision"
	"github.com/nevermind-ai/nevermind/vocal"
)

// Analyzer runs the interview pipeline for the server's analysis jobs.
type Analyzer struct {
	Pipeline *interview.Pipeline
	// MaxDuration and MaxPixelRate bound what one analysis decodes, as the validator
	// bounds uploads, so a job's memory and time have a ceiling even for a recording
	// that was never validated. Zero means DefaultMaxDuration and DefaultMaxPixelRate.
	MaxDuration  time.Duration
	MaxPixelRate float64
}

// Transcribes implements server.TranscriptReporter: transcripts need a
// Pipeline.Transcriber.
func (a Analyzer) Transcribes() bool { return a.Pipeline.Transcriber != nil }

// Analyze implements server.Analyzer.
func (a Analyzer) Analyze(ctx context.Context, in server.AnalysisInput) (*server.Analysis, error) {
	opts := interview.Options{
		Question: in.Question,
		// The series feed the HTML report's plots; they are not stored otherwise.
		Series:       true,
		MaxDuration:  cmp.Or(a.MaxDuration, DefaultMaxDuration),
		MaxPixelRate: cmp.Or(a.MaxPixelRate, DefaultMaxPixelRate),
		Vision: vision.AnalyzeOptions{
			BlinkLimitPerMin:   float64(in.Options.BlinkLimitPerMin),
			CalibrationSeconds: in.Options.BaselineSeconds,
		},
	}
	if c := in.Calibration; c != nil {
		opts.Vision.Calibration = &nevermind.Interval{Start: c.Start, End: c.End}
	}
	if in.Progress != nil {
		opts.Progress = func(position, duration time.Duration) {
			if duration > 0 {
				// Decoding is most of the wall time of an analysis without a remote
				// transcriber; the rest is reported as done when the job finishes.
				in.Progress(min(0.9, 0.9*position.Seconds()/duration.Seconds()))
			}
		}
	}
	if in.Cue != nil {
		opts.Cues = func(c interview.Cue) {
			if b, err := json.Marshal(c); err == nil {
				in.Cue(b)
			}
		}
	}
	res, err := a.Pipeline.Analyze(ctx, in.Media, opts)
	if err != nil {
		return nil, err
	}
	out := &server.Analysis{Unavailable: map[string]string{}}
	if v := res.Voice; v != nil {
		if out.Voice, err = voiceResult(v); err != nil {
			return nil, err
		}
	} else {
		out.Unavailable["voice"] = reason(res, nevermind.Voice, "the voice analysis did not run")
	}
	if t := res.Transcript; t != nil {
		out.Transcript = t.Text
	} else {
		out.Unavailable["transcript"] = reason(res, nevermind.Transcript, "no speech-to-text backend is configured")
	}
	if vr := res.Vision; vr != nil {
		if out.Face, err = faceResult(&vr.Face); err != nil {
			return nil, err
		}
		if vr.Pose != nil {
			if out.Pose, err = poseResult(vr.Pose); err != nil {
				return nil, err
			}
		} else {
			out.Unavailable["pose"] = "no upper body was visible in the video"
		}
	} else {
		why := reason(res, nevermind.Vision, "the recording has no video to analyse")
		out.Unavailable["pose"], out.Unavailable["expression"] = why, why
	}
	if res.Feedback != nil {
		if out.Combined, err = json.Marshal(res.Feedback); err != nil {
			return nil, fmt.Errorf("sdk: encoding the combined feedback: %w", err)
		}
		if out.Reports, err = reports(res, in.Question); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// reports renders the answer's HTML report, the page `nevermind analyze --html` writes,
// in both languages the practice page switches between, titled with the question.
func reports(res *interview.Result, question string) (map[string]string, error) {
	out := map[string]string{}
	for _, lang := range []string{"ko", "en"} {
		var b strings.Builder
		if err := report.HTML(&b, res.Feedback, res.FeedbackInput(), report.Options{Language: lang, Title: question}); err != nil {
			return nil, fmt.Errorf("sdk: rendering the %s report: %w", lang, err)
		}
		out[lang] = b.String()
	}
	return out, nil
}

// faceResult keeps the seed's expression payloads: the success body, or, when no face
// could be measured, the unavailable body with its aux block and error code.
func faceResult(f *vision.FaceReport) (*server.FaceResult, error) {
	if f.OverallScore == nil || f.HeadEyeGazeRate == nil || f.BlinkStability == nil || f.MouthDelta == nil {
		payload, err := json.Marshal(map[string]any{
			"expression_analysis": nil, "aux": f.Aux, "overall_score": nil,
			"feedback_summary": f.Summary, "status": f.Status, "error_code": f.ErrorCode,
		})
		return &server.FaceResult{Unavailable: true, Payload: payload}, err
	}
	payload, err := json.Marshal(map[string]any{
		"overall_score": *f.OverallScore,
		"expression_analysis": map[string]any{
			"head_eye_gaze_rate": f.HeadEyeGazeRate, "blink_stability": f.BlinkStability,
			"mouth_delta": f.MouthDelta, "fixation_metrics": f.Fixation,
		},
		"feedback_summary": f.Summary,
	})
	return &server.FaceResult{
		Overall: *f.OverallScore, Gaze: f.HeadEyeGazeRate.Value, BlinkStability: f.BlinkStability.Value,
		MouthDelta: f.MouthDelta.Value, Payload: payload,
	}, err
}

func poseResult(p *vision.PoseReport) (*server.PoseResult, error) {
	sections, err := json.Marshal(p.ProblemSections)
	return &server.PoseResult{
		Overall: p.Overall.Value, Shoulder: p.Shoulder.Value, HeadTilt: p.HeadTilt.Value, Hand: p.Hand.Value,
		ProblemSections: sections,
	}, err
}

// reason says why part is missing from res: a remote service's failure by its kind only
// (server.RemoteReason), any other by its error, which speaks of the recording.
func reason(res *interview.Result, part nevermind.Part, otherwise string) string {
	err, ok := res.Failed[part]
	if !ok {
		return otherwise
	}
	if why, remote := server.RemoteReason(err); remote {
		return fmt.Sprintf("%s: %s", part, why)
	}
	return err.Error()
}

// voiceResult keeps the seed's POST voice-feedback payload: the first four fields of
// the voice report.
func voiceResult(v *vocal.Report) (*server.VoiceResult, error) {
	payload, err := json.Marshal(struct {
		TotalScore int            `json:"total_score"`
		Summary    string         `json:"summary"`
		Metrics    []vocal.Metric `json:"metrics"`
		Grouped    vocal.Grouped  `json:"grouped"`
	}{v.TotalScore, v.Summary, v.Metrics, v.Grouped})
	if err != nil {
		return nil, fmt.Errorf("sdk: encoding the voice payload: %w", err)
	}
	r := &server.VoiceResult{Total: float64(v.TotalScore), Payload: payload}
	for _, m := range v.Metrics {
		switch m.ID {
		case "tremor":
			r.Tremor = float64(m.Score)
		case "pause":
			r.Pause = float64(m.Score)
		case "tone":
			r.Tone = float64(m.Score)
		case "speed":
			r.Speed = float64(m.Score)
		}
	}
	return r, nil
}

// DefaultMaxDuration is the longest recording MediaValidator accepts when its
// MaxDuration is zero: far beyond any interview answer.
const DefaultMaxDuration = 30 * time.Minute

// DefaultMaxPixelRate is the most video pixels a second MediaValidator accepts when its
// MaxPixelRate is zero: 1080p at 60 frames a second. Decoding time grows with it, and an
// analysis decodes every frame.
const DefaultMaxPixelRate = 1920 * 1080 * 60

// ErrTooLong means a recording, or the duration its header claims, is longer
// than MediaValidator.MaxDuration. It is media.ErrTooLong.
var ErrTooLong = media.ErrTooLong

// validationSampleRate is the rate the validator decodes at: enough to prove
// the audio decodes, at half the work of the analysis rate.
const validationSampleRate = 8000

// MediaValidator accepts an upload only when libav can decode it.
type MediaValidator struct {
	// MaxDuration is the longest recording accepted. Zero means
	// DefaultMaxDuration.
	MaxDuration time.Duration
	// MaxPixelRate is the most coded width × height × frames per second accepted,
	// by the header's frame rate. Zero means DefaultMaxPixelRate.
	MaxPixelRate float64
}

// ValidateMedia implements server.MediaValidator: it decodes the audio (the part every
// analysis needs) to be sure the file is whole, not just that its header parses, keeping
// none of it, so a validation holds libav's buffers and no PCM whatever the length. A
// header that claims more than MaxDuration, or video of more than MaxPixelRate, is
// refused before decoding, and decoding stops as soon as the audio passes MaxDuration.
// The duration reported is the decoded audio's, so a header that lies about it is not
// believed.
func (v MediaValidator) ValidateMedia(ctx context.Context, r io.Reader) (server.MediaInfo, error) {
	opts := media.Options{SampleRate: validationSampleRate, DiscardAudio: true,
		MaxDuration: cmp.Or(v.MaxDuration, DefaultMaxDuration), MaxPixelRate: cmp.Or(v.MaxPixelRate, DefaultMaxPixelRate)}
	d, err := media.OpenReader(ctx, r, opts)
	if err != nil {
		return server.MediaInfo{}, err
	}
	defer d.Close()
	info := d.Info()
	if info.HasAudio {
		if _, err := d.Audio(ctx); err != nil {
			return server.MediaInfo{}, err
		}
		info = d.Info()
		info.Duration = time.Duration(float64(d.Stats().Samples) / validationSampleRate * float64(time.Second))
	}
	return server.MediaInfo{Duration: info.Duration, HasAudio: info.HasAudio, HasVideo: info.HasVideo}, nil
}

// AnswerEvaluator grades answers with questions.Evaluate: the LLM when one is set, the
// offline rubric otherwise.
type AnswerEvaluator struct {
	LLM questions.LLM
}

// EvaluateAnswer implements server.AnswerEvaluator.
func (e AnswerEvaluator) EvaluateAnswer(ctx context.Context, answer string) (map[string]any, error) {
	ev, err := questions.Evaluate(ctx, e.LLM, questions.Answer{Text: answer})
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(data, &out)
}

// QuestionGenerator writes questions with questions.Generate: the LLM when one is set,
// offline rules otherwise.
type QuestionGenerator struct {
	LLM questions.LLM
}

// GenerateQuestions implements server.QuestionGenerator.
func (g QuestionGenerator) GenerateQuestions(ctx context.Context, qas []server.QA) ([]server.Question, error) {
	req := questions.Request{}
	for _, qa := range qas {
		req.CoverLetter = append(req.CoverLetter, questions.QA{Q: qa.Question, A: qa.Answer})
	}
	set, err := questions.Generate(ctx, g.LLM, req)
	if err != nil {
		return nil, err
	}
	out := make([]server.Question, len(set.Questions))
	for i, q := range set.Questions {
		out[i] = server.Question{Text: q.Text, Type: q.Type}
	}
	return out, nil
}
