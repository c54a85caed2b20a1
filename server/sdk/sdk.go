// Package sdk connects the server's plug-in points to the SDK: interview.Pipeline analyses
// uploaded recordings, package media validates them, and package questions evaluates
// answers and writes questions. It is separate from package server because media needs
// cgo (libav) while the server itself is pure Go and can be tested without FFmpeg.
//
//	cfg.Analyzer = sdk.Analyzer{Pipeline: &interview.Pipeline{Transcriber: tr, LLM: llm}}
//	cfg.MediaValidator = sdk.MediaValidator{}
//	cfg.Evaluator = sdk.AnswerEvaluator{LLM: llm}
//	cfg.Generator = sdk.QuestionGenerator{LLM: llm}
package sdk

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/questions"
	"github.com/nevermind-ai/nevermind/server"
	"github.com/nevermind-ai/nevermind/vocal"
)

// Analyzer runs the interview pipeline for the server's analysis jobs.
type Analyzer struct {
	Pipeline *interview.Pipeline
}

// Analyze implements server.Analyzer.
func (a Analyzer) Analyze(ctx context.Context, in server.AnalysisInput) (*server.Analysis, error) {
	opts := interview.Options{Question: in.Question}
	if in.Progress != nil {
		opts.Progress = func(position, duration time.Duration) {
			if duration > 0 {
				// Decoding is most of the wall time of an analysis without a remote
				// transcriber; the rest is reported as done when the job finishes.
				in.Progress(min(0.9, 0.9*position.Seconds()/duration.Seconds()))
			}
		}
	}
	res, err := a.Pipeline.Analyze(ctx, in.Media, opts)
	if err != nil {
		return nil, err
	}
	out := &server.Analysis{Unavailable: map[string]string{}}
	if v := res.Vocal; v != nil {
		voice, err := voiceResult(v)
		if err != nil {
			return nil, err
		}
		out.Voice = voice
	} else {
		out.Unavailable["voice"] = reason(res, interview.Vocal, "the voice analysis did not run")
	}
	if t := res.Transcript; t != nil {
		out.Transcript = t.Text
	} else {
		out.Unavailable["transcript"] = reason(res, interview.Transcript, "no speech-to-text backend is configured")
	}
	out.Unavailable["pose"] = "posture analysis is not part of this build's pipeline yet"
	out.Unavailable["expression"] = "expression analysis is not part of this build's pipeline yet"
	return out, nil
}

func reason(res *interview.Result, part interview.Part, otherwise string) string {
	if why, ok := res.Failed[part]; ok {
		return why
	}
	return otherwise
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

// MediaValidator accepts an upload only when libav can decode it.
type MediaValidator struct{}

// ValidateMedia implements server.MediaValidator: it decodes the audio (the part every
// analysis needs) to be sure the file is whole, not just that its header parses.
func (MediaValidator) ValidateMedia(ctx context.Context, r io.Reader) (server.MediaInfo, error) {
	d, err := media.OpenReader(ctx, r, media.Options{})
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
