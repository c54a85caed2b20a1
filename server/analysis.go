package server

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/nevermind-ai/nevermind"
)

// Analyzer turns one recorded answer into feedback. interview.Pipeline is the
// production implementation; the server only stores and serves what it
// returns. Analyze runs inside a River job, possibly on another machine, and
// may take minutes; it must honour ctx.
type Analyzer interface {
	Analyze(ctx context.Context, in AnalysisInput) (*Analysis, error)
}

// TranscriptReporter is implemented by an Analyzer that knows whether it
// makes transcripts (sdk.Analyzer does). When Transcribes is false the STT
// route answers 503 stt_not_configured at once instead of analysing and then
// claiming the answer had no speech.
type TranscriptReporter interface {
	Transcribes() bool
}

// AnalysisInput is one attempt's recording and the caller's options.
type AnalysisInput struct {
	SessionID, AttemptID int64
	// Media streams the recording exactly as uploaded (WebM or MP4, audio
	// and/or video). It is read once, from object storage.
	Media io.Reader
	// ContentType is the type sniffed at upload, e.g. "video/webm".
	ContentType string
	// Question is the text of the interview question answered ("" if it
	// cannot be resolved); content evaluation judges relevance with it.
	Question string
	// Options are the expression settings of the request that started the
	// analysis.
	Options AnalysisOptions
	// Calibration, when the upload named one, is the stretch in seconds during
	// which the candidate was asked to look into the lens: eye contact is
	// calibrated on it.
	Calibration *Calibration
	// Progress may be called with the finished fraction in [0, 1]; it is
	// shown by the job status endpoint.
	Progress func(fraction float64)
	// Cue, when set, asks for live hints while Media is still arriving (a live
	// upload): each one a JSON object, relayed as it is to the candidate's page
	// (sdk.Analyzer sends interview.Cue).
	Cue func(cue json.RawMessage)
}

// Calibration is a stretch of an answer, in seconds from its start.
type Calibration struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// parseCalibration reads the upload's calibration field, "START-END" in seconds
// with 0 ≤ START < END (nevermind.ParseInterval, the form of `nevermind analyze
// --calibrate`); a malformed one is a 422.
func parseCalibration(s string) (*Calibration, error) {
	iv, err := nevermind.ParseInterval(s)
	if err != nil {
		return nil, badCalibration(s)
	}
	return &Calibration{iv.Start, iv.End}, nil
}

// AnalysisOptions are the seed's expression-feedback query parameters. Zero
// values mean the seed's defaults: 30 blinks per minute, 2 s baseline,
// stride 5.
type AnalysisOptions struct {
	BlinkLimitPerMin int     `json:"blink_limit_per_min,omitempty"`
	BaselineSeconds  float64 `json:"baseline_seconds,omitempty"`
	FrameStride      int     `json:"frame_stride,omitempty"`
}

// Analysis is everything one analysis produced. A nil modality means it
// could not run (for example no audio track); its routes then report it as
// unavailable. Every score must be finite: the server rejects NaN and ±Inf
// instead of storing or serving them.
type Analysis struct {
	Voice *VoiceResult
	Pose  *PoseResult
	Face  *FaceResult
	// Transcript is the speech-to-text of the answer ("" if none).
	Transcript string
	// Combined is the all-modality feedback document (overall score,
	// timeline of problem moments, summary) served by the combined endpoint.
	// Nil if the pipeline made none.
	Combined json.RawMessage
	// Unavailable says, in words a user can act on, why a modality has no
	// result; keys are "voice", "pose", "expression" and "transcript".
	Unavailable map[string]string
	// Reports holds the answer's HTML report (the page `nevermind analyze --html` writes)
	// by language, "ko" and "en": self-contained, no scripts, served by the report route
	// and shown by the practice page. Nil if the pipeline made none.
	Reports map[string]string
}

// VoiceResult holds the voice scores stored in feedback_summary and the full
// payload POST voice-feedback returns, as the original API did: total_score,
// summary, metrics and grouped.
type VoiceResult struct {
	Total, Tremor, Pause, Tone, Speed float64
	Payload                           json.RawMessage
}

// PoseResult holds the pose scores (percent) and the problem sections
// ({"shoulder": [[start_s, end_s], …], "head_tilt": …, "hand": …}) that the
// seed computed and then lost.
type PoseResult struct {
	Overall, Shoulder, HeadTilt, Hand float64
	ProblemSections                   json.RawMessage
}

// FaceResult holds the expression scores and the seed-shaped expression
// payload: for a success, {"overall_score", "expression_analysis",
// "feedback_summary"}; when the analysis could not run, Unavailable is true
// and Payload is the seed's unavailable body (expression_analysis null, aux,
// error_code…).
type FaceResult struct {
	Unavailable                               bool
	Overall, Gaze, BlinkStability, MouthDelta float64
	Payload                                   json.RawMessage
}

// MediaValidator inspects a stored upload before it is accepted (the lead
// wires media.Open here). It reads the stream and returns what it found, or
// an error saying why the file is not a usable recording.
type MediaValidator interface {
	ValidateMedia(ctx context.Context, r io.Reader) (MediaInfo, error)
}

// MediaInfo describes a validated recording.
type MediaInfo struct {
	Duration time.Duration
	HasAudio bool
	HasVideo bool
}

// AnswerEvaluator grades an answer's text, as the original API's LLM
// evaluation did. The result is any JSON object; its "overall_summary" is
// stored as the attempt's comment, and filled in if missing.
type AnswerEvaluator interface {
	EvaluateAnswer(ctx context.Context, answer string) (map[string]any, error)
}

// QuestionGenerator writes interview questions from cover-letter Q&A, each
// "job" or "soft" (sdk.QuestionGenerator uses questions.Generate). An error
// is answered 500 question_generation_failed, telling the client only which
// of the remote-service failures it was.
type QuestionGenerator interface {
	GenerateQuestions(ctx context.Context, qas []QA) ([]Question, error)
}

// QA is one cover-letter question and answer.
type QA struct {
	Question string `json:"q"`
	Answer   string `json:"a"`
}

// Question is a generated interview question; Type is "job" or "soft".
type Question struct {
	Text string `json:"text"`
	Type string `json:"type"`
}
