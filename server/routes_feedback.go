package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/nevermind-ai/nevermind/server/store"
)

// The answer evaluation's Korean fallbacks, the original API's: the comment
// stored when the evaluator's result lacks overall_summary, and the whole
// result when the evaluator fails.
const (
	evalMissingSummary = "모델이 overall_summary 필드를 반환하지 않았습니다."
	evalFailed         = "현재 답변 평가 중 오류가 발생했습니다. 잠시 후 다시 시도해 주세요."
)

type sttOut struct {
	SessionID  int64  `json:"session_id"`
	AttemptID  int64  `json:"attempt_id"`
	Transcript string `json:"transcript"`
}

type dynamicOut struct {
	Status int
	Body   any
}

// awaitAnalysis queues (or finds) the attempt's analysis, waits for it up to the
// synchronous wait, and answers a feedback route from it: reply's body once the job is
// done, the modality's unavailable reason when the job ran but produced nothing for it,
// the job's failure, or 202 with a status URL while it is still running. kind is the
// seed's message prefix ("voice_analysis").
func (s *Server) awaitAnalysis(ctx context.Context, sessionID, attemptID int64, opts AnalysisOptions, retry bool,
	kind, modality, fallback string, reply func() (*dynamicOut, error)) (*dynamicOut, error) {
	job, err := s.requestAnalysis(ctx, sessionID, attemptID, opts, retry, s.syncWait())
	if err != nil {
		return nil, failed("request analysis", err)
	}
	switch job.Status {
	case store.JobFailed:
		return nil, jobFailed(kind, job)
	case store.JobDone:
		if out, err := reply(); out != nil || err != nil {
			return out, err
		}
		aa, err := s.analysis(ctx, attemptID)
		if err != nil {
			return nil, failed("load analysis", err)
		}
		return nil, unavailable(aa, modality, kind+"_unavailable", fallback)
	}
	return accepted(pending(kind+"_pending", job)), nil
}

func ok(body any) *dynamicOut { return &dynamicOut{Status: http.StatusOK, Body: body} }

func accepted(body any) *dynamicOut { return &dynamicOut{Status: http.StatusAccepted, Body: body} }

type attemptQuery struct {
	SessionID int64 `path:"session_id"`
	AttemptID int64 `query:"attempt_id" required:"true"`
}

func (s *Server) hasMedia(ctx context.Context, sessionID, attemptID int64, kinds ...int) (bool, error) {
	_, err := s.db.LatestMedia(ctx, sessionID, attemptID, kinds...)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (s *Server) registerFeedback() {
	fb := []string{"feedback"}
	register(s, huma.Operation{OperationID: "stt", Method: http.MethodPost, Path: "/api/stt/sessions/{session_id}",
		Summary: "Transcript of an attempt (cached once made)", Tags: []string{"stt"}, Security: bearer,
		Responses:   s.responses(map[int]any{200: sttOut{}, 202: pendingBody{}}),
		Description: "Returns the stored transcript, or runs the attempt's analysis (waiting up to the sync wait) and returns its transcript; 202 with a status URL while it is still running."},
		s.transcript)
	register(s, huma.Operation{OperationID: "answer-eval", Method: http.MethodPost, Path: "/api/answer-eval/sessions/{session_id}",
		Summary: "Evaluate an answer's text and store the comment", Tags: []string{"answer-eval"}, Security: bearer}, s.evaluateAnswer)
	register(s, huma.Operation{OperationID: "answer-eval-get", Method: http.MethodGet, Path: "/api/answer-eval/sessions/{session_id}/attempts/{attempt_id}",
		Summary: "An attempt's transcript, comment and modality scores", Tags: []string{"answer-eval"}, Security: bearer}, s.evaluation)
	register(s, huma.Operation{OperationID: "voice-feedback-post", Method: http.MethodPost, Path: "/api/feedback/{session_id}/voice-feedback",
		Summary: "Full voice analysis payload (analysed once per attempt)", Tags: fb, Security: bearer,
		Responses:   s.responses(map[int]any{200: nil, 202: pendingBody{}}),
		Description: "Returns the stored full payload (total_score, summary, metrics, grouped); runs the analysis if there is none yet, waiting up to the sync wait, else 202 with a status URL. A failed analysis is retried."},
		s.fullVoiceFeedback)
	register(s, huma.Operation{OperationID: "voice-feedback-get", Method: http.MethodGet, Path: "/api/feedback/{session_id}/voice-feedback",
		Summary: "Voice scores with the Korean summary rebuilt from them", Tags: fb, Security: bearer,
		Responses: s.responses(map[int]any{200: voiceDBPayload{}, 202: pendingBody{}})}, s.voiceFeedback)
	register(s, huma.Operation{OperationID: "pose-start", Method: http.MethodPost, Path: "/api/analysis/pose/start",
		Summary: "Start the attempt's analysis (pose included)", Tags: fb, Security: bearer, DefaultStatus: http.StatusAccepted,
		Responses: s.responses(map[int]any{202: poseStarted{}})}, s.startPose)
	register(s, huma.Operation{OperationID: "pose-feedback", Method: http.MethodGet, Path: "/api/feedback/{session_id}/pose-feedback",
		Summary: "Pose scores (200) or 202 while the analysis runs", Tags: fb, Security: bearer,
		Responses: s.responses(map[int]any{200: poseOut{}, 202: poseStarted{}})}, s.poseFeedback)
	register(s, huma.Operation{OperationID: "expression-feedback", Method: http.MethodGet, Path: "/api/feedback/{session_id}/expression-feedback",
		Summary: "Gaze, blink and mouth feedback (now authenticated and cached)", Tags: fb, Security: bearer,
		Responses: s.responses(map[int]any{200: nil, 202: pendingBody{}})}, s.expressionFeedback)
	register(s, huma.Operation{OperationID: "attempts-all", Method: http.MethodGet, Path: "/api/feedback/{session_id}/attempts/all",
		Summary: "Stored feedback of every attempt of a session", Tags: fb, Security: bearer}, s.attemptsAll)
	register(s, huma.Operation{OperationID: "attempt-video", Method: http.MethodGet, Path: "/api/feedback/sessions/{session_id}/attempts/{attempt_id}/video",
		Summary: "A signed URL of the attempt's recording, valid for an hour", Tags: fb, Security: bearer}, s.attemptVideo)
}

// noTranscript explains a finished analysis without words: "no speech" only
// when the voice analysis found none, else the recogniser's reason.
func (s *Server) noTranscript(ctx context.Context, attemptID int64) error {
	aa, err := s.analysis(ctx, attemptID)
	if err != nil {
		return failed("load analysis", err)
	}
	if aa == nil || aa.Voice == nil {
		return errNoSpeech
	}
	reason := "the speech-to-text backend returned no words although the recording has speech"
	if r := aa.Unavailable["transcript"]; r != "" {
		reason = r
	}
	return transcriptUnavailable(reason)
}

// sttInput is an alias of an unnamed type, not a defined type: huma names the
// body's schema after the operation ("SttRequest") only when the input type
// has no name, and the OpenAPI document keeps it.
type sttInput = struct {
	SessionID int64 `path:"session_id"`
	Body      struct {
		AttemptID int64 `json:"attempt_id"`
	}
}

func (s *Server) transcript(ctx context.Context, in *sttInput) (*dynamicOut, error) {
	sess, a, err := s.ownedAttempt(ctx, in.SessionID, in.Body.AttemptID, errSessionNotFoundMsg, errAttemptNotFoundMsg)
	if err != nil {
		return nil, err
	}
	if a.STTText != nil && *a.STTText != "" {
		return ok(sttOut{sess.ID, a.ID, *a.STTText}), nil
	}
	if has, err := s.hasMedia(ctx, sess.ID, a.ID, store.MediaAudio); err != nil {
		return nil, failed("find audio", err)
	} else if !has {
		return nil, errNoAudioFile
	}
	if tr, ok := s.cfg.Analyzer.(TranscriptReporter); ok && !tr.Transcribes() {
		return nil, errSTTNotConfigured
	}
	job, err := s.requestAnalysis(ctx, sess.ID, a.ID, AnalysisOptions{}, true, s.syncWait())
	if err != nil {
		return nil, failed("request analysis", err)
	}
	switch job.Status {
	case store.JobFailed:
		return nil, sttFailed(job)
	case store.JobDone:
		if a, err = s.db.Attempt(ctx, sess.ID, a.ID); err != nil {
			return nil, failed("reload attempt", err)
		}
		if a.STTText == nil || strings.TrimSpace(*a.STTText) == "" {
			return nil, s.noTranscript(ctx, a.ID)
		}
		return ok(sttOut{sess.ID, a.ID, *a.STTText}), nil
	}
	return accepted(pending("stt_pending", job)), nil
}

// answerEvalInput is an alias of an unnamed type for the same reason as
// sttInput: its body's schema is "Answer-evalRequest".
type answerEvalInput = struct {
	SessionID int64 `path:"session_id"`
	AttemptID int64 `query:"attempt_id" required:"true"`
	Body      struct {
		AnswerText string `json:"answer_text" maxLength:"20000"`
	}
}

type evalOut struct {
	SessionID int64          `json:"session_id"`
	AttemptID int64          `json:"attempt_id"`
	Result    map[string]any `json:"result"`
}

func (s *Server) evaluateAnswer(ctx context.Context, in *answerEvalInput) (*jsonBody[evalOut], error) {
	sess, a, err := s.ownedAttempt(ctx, in.SessionID, in.AttemptID, errSessionNotFoundMsg, errAttemptNotFoundMsg)
	if err != nil {
		return nil, err
	}
	if hasNUL(in.Body.AnswerText) {
		return nil, errNUL
	}
	if s.cfg.Evaluator == nil {
		return nil, errNoEvaluator
	}
	result, err := s.cfg.Evaluator.EvaluateAnswer(ctx, in.Body.AnswerText)
	if err != nil {
		s.log.WarnContext(ctx, "answer evaluation", "error", err)
		result = map[string]any{"overall_summary": evalFailed}
	}
	if result == nil {
		result = map[string]any{}
	}
	summary, isString := result["overall_summary"].(string)
	if !isString {
		summary = evalMissingSummary
		result["overall_summary"] = summary
	}
	if _, err := json.Marshal(result); err != nil {
		return nil, failed("evaluation result is not JSON", err)
	}
	if err := s.db.SetComment(ctx, sess.ID, a.ID, summary); err != nil {
		return nil, failed("save comment", err)
	}
	return &jsonBody[evalOut]{evalOut{sess.ID, a.ID, result}}, nil
}

type evalScores struct {
	OverallVoice *float64 `json:"overall_voice"`
	OverallFace  *float64 `json:"overall_face"`
	OverallPose  *float64 `json:"overall_pose"`
}

type evalGetOut struct {
	AttemptID         int64      `json:"attempt_id"`
	QuestionText      *string    `json:"question_text"`
	STTText           *string    `json:"stt_text"`
	EvaluationComment *string    `json:"evaluation_comment"`
	Scores            evalScores `json:"scores"`
}

func (s *Server) evaluation(ctx context.Context, in *attemptPath) (*jsonBody[evalGetOut], error) {
	row, err := s.attemptRow(ctx, in.SessionID, in.AttemptID, errSessionNotFoundMsg, errAttemptNotFoundMsg)
	if err != nil {
		return nil, err
	}
	return &jsonBody[evalGetOut]{evalGetOut{row.ID, row.QuestionText, row.STTText, row.Comment,
		evalScores{row.OverallVoice, row.OverallFace, row.OverallPose}}}, nil
}

// attemptRow finds one attempt of the caller's session with its scores.
func (s *Server) attemptRow(ctx context.Context, sessionID, attemptID int64, notFound, attemptNotFound error) (*store.AttemptRow, error) {
	sess, err := s.ownedSession(ctx, sessionID, notFound)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.SessionAttempts(ctx, sess.ID)
	if err != nil {
		return nil, failed("session attempts", err)
	}
	for i := range rows {
		if rows[i].ID == attemptID {
			return &rows[i], nil
		}
	}
	return nil, attemptNotFound
}

func (s *Server) syncWait() time.Duration { return max(s.cfg.SyncWait, 0) }

func (s *Server) fullVoiceFeedback(ctx context.Context, in *attemptQuery) (*dynamicOut, error) {
	return s.voice(ctx, in, true)
}

func (s *Server) voiceFeedback(ctx context.Context, in *attemptQuery) (*dynamicOut, error) {
	return s.voice(ctx, in, false)
}

// voice answers both voice routes: the stored full payload (full) or the
// DB-derived one, else the analysis's answer once it has run.
func (s *Server) voice(ctx context.Context, in *attemptQuery, full bool) (*dynamicOut, error) {
	sess, a, err := s.ownedAttempt(ctx, in.SessionID, in.AttemptID, errSessionNotFoundMsg, errAttemptNotFoundMsg)
	if err != nil {
		return nil, err
	}
	if has, err := s.hasMedia(ctx, sess.ID, a.ID, store.MediaAudio); err != nil {
		return nil, failed("find audio", err)
	} else if !has {
		return nil, errNoAudioAsset
	}
	reply := func() (*dynamicOut, error) {
		fs, err := s.summary(ctx, sess.ID, a.ID)
		if err != nil {
			return nil, failed("load summary", err)
		}
		if fs.OverallVoice == nil || fs.Tremor == nil {
			return nil, nil
		}
		if full {
			aa, err := s.analysis(ctx, a.ID)
			if err != nil {
				return nil, failed("load analysis", err)
			}
			if aa != nil && aa.Voice != nil {
				return ok(prependFields(fmt.Sprintf(`"attempt_id":%d`, a.ID), *aa.Voice)), nil
			}
		}
		return ok(voiceFromDB(fs)), nil
	}
	if out, err := reply(); out != nil || err != nil {
		return out, err
	}
	return s.awaitAnalysis(ctx, sess.ID, a.ID, AnalysisOptions{}, full,
		"voice_analysis", "voice", "the recording has no usable speech", reply)
}

type poseOut struct {
	Message         string           `json:"message"`
	SessionID       int64            `json:"session_id"`
	AttemptID       int64            `json:"attempt_id"`
	OverallScore    *float64         `json:"overall_score"`
	PoseAnalysis    poseAnalysisJSON `json:"pose_analysis"`
	ProblemSections []problemSection `json:"problem_sections"`
}

type poseStarted struct {
	Message   string `json:"message"`
	Status    string `json:"status"`
	SessionID int64  `json:"session_id"`
	AttemptID int64  `json:"attempt_id"`
	StatusURL string `json:"status_url"`
}

type poseStartInput struct {
	SessionID int64 `query:"session_id" required:"true"`
	AttemptID int64 `query:"attempt_id" required:"true"`
}

func (s *Server) startPose(ctx context.Context, in *poseStartInput) (*dynamicOut, error) {
	return s.pose(ctx, in.SessionID, in.AttemptID, true)
}

func (s *Server) poseFeedback(ctx context.Context, in *attemptQuery) (*dynamicOut, error) {
	return s.pose(ctx, in.SessionID, in.AttemptID, false)
}

// pose answers both pose routes: the stored scores unless retry, else the
// analysis queued (retry requeues a failed one) and 202 until it is done.
func (s *Server) pose(ctx context.Context, sessionID, attemptID int64, retry bool) (*dynamicOut, error) {
	sess, a, err := s.ownedAttempt(ctx, sessionID, attemptID, errSessionNotFound, errAttemptNotFound)
	if err != nil {
		return nil, err
	}
	fs, err := s.summary(ctx, sess.ID, a.ID)
	if err != nil {
		return nil, failed("load summary", err)
	}
	if !retry && fs.OverallPose != nil && fs.Shoulder != nil {
		aa, err := s.analysis(ctx, a.ID)
		if err != nil {
			return nil, failed("load analysis", err)
		}
		sections, err := problemSections(aa)
		if err != nil {
			return nil, failed("load analysis", err)
		}
		return ok(poseOut{"pose_analysis_success", sess.ID, a.ID, fs.OverallPose, poseFromDB(fs), sections}), nil
	}
	if has, err := s.hasMedia(ctx, sess.ID, a.ID, store.MediaVideo); err != nil {
		return nil, failed("find video", err)
	} else if !has {
		return nil, errMediaNotFound
	}
	job, err := s.requestAnalysis(ctx, sess.ID, a.ID, AnalysisOptions{}, retry, 0)
	if err != nil {
		return nil, failed("request analysis", err)
	}
	switch {
	case job.Status == store.JobFailed:
		return nil, jobFailed("pose_analysis", job)
	case job.Status == store.JobDone && !retry:
		aa, err := s.analysis(ctx, a.ID)
		if err != nil {
			return nil, failed("load analysis", err)
		}
		return nil, unavailable(aa, "pose", "pose_analysis_unavailable", "no person was detected in the video")
	}
	return accepted(poseStarted{"pose_analysis_started", "pending", sess.ID, a.ID, statusURL(sess.ID, a.ID)}), nil
}

type expressionInput struct {
	SessionID        int64   `path:"session_id"`
	AttemptID        int64   `query:"attempt_id" required:"true"`
	BlinkLimitPerMin int     `query:"blink_limit_per_min" minimum:"1" maximum:"120" default:"30"`
	BaselineSeconds  float64 `query:"baseline_seconds" minimum:"0.5" maximum:"10" default:"2"`
	FrameStride      int     `query:"frame_stride" minimum:"1" maximum:"10" default:"5"`
}

func (s *Server) expressionFeedback(ctx context.Context, in *expressionInput) (*dynamicOut, error) {
	sess, a, err := s.ownedAttempt(ctx, in.SessionID, in.AttemptID, errSessionNotFound, errAttemptNotFound)
	if err != nil {
		return nil, err
	}
	reply := func() (*dynamicOut, error) {
		aa, err := s.analysis(ctx, a.ID)
		if err != nil {
			return nil, failed("load analysis", err)
		}
		if aa == nil || aa.Expression == nil {
			return nil, nil
		}
		fs, err := s.summary(ctx, sess.ID, a.ID)
		if err != nil {
			return nil, failed("load summary", err)
		}
		msg := "expression_analysis_success"
		if fs.OverallFace == nil {
			msg = "expression_analysis_unavailable"
		}
		return ok(withHeader(msg, sess.ID, a.ID, *aa.Expression)), nil
	}
	if out, err := reply(); out != nil || err != nil {
		return out, err
	}
	if has, err := s.hasMedia(ctx, sess.ID, a.ID, store.MediaVideo); err != nil {
		return nil, failed("find video", err)
	} else if !has {
		return nil, errVideoNotFound
	}
	opts := AnalysisOptions{BlinkLimitPerMin: in.BlinkLimitPerMin, BaselineSeconds: in.BaselineSeconds, FrameStride: in.FrameStride}
	return s.awaitAnalysis(ctx, sess.ID, a.ID, opts, false,
		"expression_analysis", "expression", "the analysis produced no expression result", reply)
}

type exprAllJSON struct {
	OverallScore       *float64 `json:"overall_score"`
	ExpressionAnalysis struct {
		HeadEyeGazeRate valueRating `json:"head_eye_gaze_rate"`
		BlinkStability  valueRating `json:"blink_stability"`
		MouthDelta      valueRating `json:"mouth_delta"`
	} `json:"expression_analysis"`
	FeedbackSummary string `json:"feedback_summary"`
}

type postureAllJSON struct {
	OverallScore    *float64         `json:"overall_score"`
	PoseAnalysis    poseAnalysisJSON `json:"pose_analysis"`
	ProblemSections []problemSection `json:"problem_sections"`
}

type voiceAllMetric struct {
	ID    string   `json:"id"`
	Label string   `json:"label"`
	Score *float64 `json:"score"`
}

type voiceAllJSON struct {
	TotalScore int              `json:"total_score"`
	Summary    string           `json:"summary"`
	Metrics    []voiceAllMetric `json:"metrics"`
}

type answerEvalJSON struct {
	STTText           *string `json:"stt_text"`
	EvaluationComment *string `json:"evaluation_comment"`
}

type attemptAllJSON struct {
	AttemptID    int64           `json:"attempt_id"`
	QuestionText *string         `json:"question_text"`
	Expression   *exprAllJSON    `json:"expression"`
	Posture      *postureAllJSON `json:"posture"`
	Voice        *voiceAllJSON   `json:"voice"`
	AnswerEval   answerEvalJSON  `json:"answer_eval"`
}

// attemptAll builds one attempt of GET …/attempts/all from stored values;
// zeros stay zeros (the seed turned them into null).
func attemptAll(r *store.AttemptRow, aa *store.AttemptAnalysis) (attemptAllJSON, error) {
	out := attemptAllJSON{AttemptID: r.ID, QuestionText: r.QuestionText, AnswerEval: answerEvalJSON{r.STTText, r.Comment}}
	if r.OverallFace != nil {
		e := &exprAllJSON{OverallScore: r.OverallFace}
		e.ExpressionAnalysis.HeadEyeGazeRate = valueRating{r.Gaze, rateRating(r.Gaze)}
		e.ExpressionAnalysis.BlinkStability = valueRating{r.EyeBlink, rateRating(r.EyeBlink)}
		e.ExpressionAnalysis.MouthDelta = valueRating{r.Mouth, nil}
		out.Expression = e
	}
	if r.OverallPose != nil {
		fs := &store.FeedbackSummary{OverallPose: r.OverallPose, Shoulder: r.Shoulder, Head: r.Head, Hand: r.Hand}
		sections, err := problemSections(aa)
		if err != nil {
			return out, err
		}
		out.Posture = &postureAllJSON{r.OverallPose, poseFromDB(fs), sections}
	}
	if r.OverallVoice != nil {
		v := &voiceAllJSON{TotalScore: int(math.RoundToEven(*r.OverallVoice))}
		for i, sc := range [4]*float64{r.Tremor, r.Blank, r.Tone, r.Speed} {
			v.Metrics = append(v.Metrics, voiceAllMetric{voiceMetrics[i].id, voiceMetrics[i].label, sc})
		}
		out.Voice = v
	}
	return out, nil
}

type allOut struct {
	SessionID int64            `json:"session_id"`
	Attempts  []attemptAllJSON `json:"attempts"`
}

func (s *Server) attemptsAll(ctx context.Context, in *sessionPath) (*jsonBody[allOut], error) {
	sess, err := s.ownedSession(ctx, in.SessionID, errSessionNotFound)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.SessionAttempts(ctx, sess.ID)
	if err != nil {
		return nil, failed("session attempts", err)
	}
	out := allOut{SessionID: sess.ID, Attempts: []attemptAllJSON{}}
	for i := range rows {
		aa, err := s.analysis(ctx, rows[i].ID)
		if err != nil {
			return nil, failed("load analysis", err)
		}
		all, err := attemptAll(&rows[i], aa)
		if err != nil {
			return nil, failed("load analysis", err)
		}
		out.Attempts = append(out.Attempts, all)
	}
	return &jsonBody[allOut]{out}, nil
}

type videoOut struct {
	SessionID int64  `json:"session_id"`
	AttemptID int64  `json:"attempt_id"`
	VideoURL  string `json:"video_url"`
	ExpiresIn int    `json:"expires_in"`
}

func (s *Server) attemptVideo(ctx context.Context, in *attemptPath) (*jsonBody[videoOut], error) {
	sess, a, err := s.ownedAttempt(ctx, in.SessionID, in.AttemptID, errSessionNotFound, errVideoNotFound)
	if err != nil {
		return nil, err
	}
	m, err := s.db.LatestMedia(ctx, sess.ID, a.ID, store.MediaVideo, store.MediaAudio)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errVideoNotFound
	} else if err != nil {
		return nil, failed("find video", err)
	}
	url, err := s.storage.SignedURL(ctx, m.StorageURL, time.Hour)
	if err != nil {
		return nil, failed("sign video URL", err)
	}
	return &jsonBody[videoOut]{videoOut{sess.ID, a.ID, s.absoluteURL(ctx, url), 3600}}, nil
}
