package servertest

import (
	"context"
	"encoding/json"
	"io"
	"sync"

	"github.com/nevermind-ai/nevermind/server"
)

// Analyzer is a fake [server.Analyzer]: it reads the whole recording the
// server streams to it, records the call, and returns Err, or else
// Analysis (a fixed [Analysis] when nil). Set the fields before the server
// runs a job; it is safe for concurrent use.
type Analyzer struct {
	Analysis *server.Analysis
	Err      error

	mu    sync.Mutex
	calls []Call
}

// Call is one analysis an [Analyzer] ran: the input without its Media
// stream, and the bytes that stream held.
type Call struct {
	SessionID, AttemptID int64
	ContentType          string
	Question             string
	Options              server.AnalysisOptions
	Calibration          *server.Calibration
	Recording            []byte
}

// Analyze implements [server.Analyzer].
func (a *Analyzer) Analyze(ctx context.Context, in server.AnalysisInput) (*server.Analysis, error) {
	data, err := io.ReadAll(in.Media)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.calls = append(a.calls, Call{SessionID: in.SessionID, AttemptID: in.AttemptID, ContentType: in.ContentType,
		Question: in.Question, Options: in.Options, Calibration: in.Calibration, Recording: data})
	a.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if a.Err != nil {
		return nil, a.Err
	}
	if a.Analysis != nil {
		return a.Analysis, nil
	}
	return Analysis(), nil
}

// Calls returns the analyses run so far, oldest first.
func (a *Analyzer) Calls() []Call {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Call(nil), a.calls...)
}

// Analysis returns a complete analysis with fixed scores: voice total 80,
// pose overall 90, expression overall 88 with 80 % gaze, the transcript
// "저는 결제 시스템을 맡았습니다.", a combined document with overall 85 and a
// one-line HTML report in Korean and English.
// The payloads hold the main keys the feedback routes pass on to clients
// (total_score, overall_score, feedback_summary…), not every field
// server/sdk fills in. Each call returns a new value, so a test may change
// it.
func Analysis() *server.Analysis {
	raw := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err) // only literal maps of strings and numbers are marshalled
		}
		return b
	}
	return &server.Analysis{
		Voice: &server.VoiceResult{Total: 80, Tremor: 85, Pause: 75, Tone: 80, Speed: 80, Payload: raw(map[string]any{
			"total_score": 80, "summary": "목소리가 전반적으로 안정적입니다.", "metrics": []any{}, "grouped": map[string]any{}})},
		Pose: &server.PoseResult{Overall: 90, Shoulder: 90, HeadTilt: 95, Hand: 85,
			ProblemSections: raw(map[string]any{"shoulder": []any{}, "head_tilt": []any{}, "hand": []any{}})},
		Face: &server.FaceResult{Overall: 88, Gaze: 0.8, Payload: raw(map[string]any{
			"overall_score": 88, "feedback_summary": "정면 주시율은 양호합니다.",
			"expression_analysis": map[string]any{"head_eye_gaze_rate": map[string]any{"value": 0.8, "rating": "양호"}}})},
		Transcript: "저는 결제 시스템을 맡았습니다.",
		Combined:   raw(map[string]any{"overall": 85, "timeline": []any{}}),
		Reports: map[string]string{"ko": `<!DOCTYPE html><html lang="ko"><title>면접 답변 피드백</title><p>종합 85점`,
			"en": `<!DOCTYPE html><html lang="en"><title>Interview answer feedback</title><p>Overall 85`},
	}
}
