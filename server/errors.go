package server

import (
	"cmp"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/server/store"
)

// apiError is an answer to a failed request in the original API's error
// envelope, {"detail": X}, where X is a code string or {"message", "detail"}
// depending on the route (docs/api-compat.md). Every error a handler returns
// becomes one through Server.errorReply.
type apiError struct {
	status int
	Detail any `json:"detail"`
	// retryAfter, when set, is sent as Retry-After: the request was refused
	// for load, not because it is wrong.
	retryAfter time.Duration
}

func (e *apiError) Error() string             { return http.StatusText(e.status) }
func (e *apiError) GetStatus() int            { return e.status }
func (e *apiError) ContentType(string) string { return "application/json" }

// GetHeaders implements huma.HeadersError.
func (e *apiError) GetHeaders() http.Header {
	if e.retryAfter <= 0 {
		return nil
	}
	return http.Header{"Retry-After": {strconv.Itoa(int(math.Ceil(e.retryAfter.Seconds())))}}
}

// detail answers {"detail": "<code>"}.
func detail(status int, code string) *apiError {
	return &apiError{status: status, Detail: code}
}

// busy answers {"detail": "<code>"} with Retry-After: a 429 for a client
// over its share, a 503 for a server at capacity.
func busy(status int, after time.Duration, code string) *apiError {
	return &apiError{status: status, Detail: code, retryAfter: after}
}

type messageDetail struct {
	Message string `json:"message"`
	Detail  string `json:"detail,omitempty"`
}

// message answers {"detail": {"message": m, "detail": d}} (d omitted if "").
func message(status int, m, d string) *apiError {
	return &apiError{status: status, Detail: messageDetail{Message: m, Detail: d}}
}

// The fixed answers, each named once. Most routes answer with codes; the
// speech-to-text, answer-evaluation, voice and session-status routes keep the
// original API's English sentences, and the interview routes its
// {"message", "detail"} pairs.
var (
	errUnauthorized       = detail(http.StatusUnauthorized, "unauthorized")
	errAccountBlocked     = detail(http.StatusForbidden, "account_blocked")
	errAccountDeleted     = detail(http.StatusForbidden, "account_deleted")
	errNotFound           = detail(http.StatusNotFound, "not_found")
	errMethodNotAllowed   = detail(http.StatusMethodNotAllowed, "method_not_allowed")
	errDatabaseDown       = detail(http.StatusServiceUnavailable, "service_unavailable: database")
	errInternal           = detail(http.StatusInternalServerError, "internal_server_error")
	errSessionNotFound    = detail(http.StatusNotFound, "session_not_found")
	errAttemptNotFound    = detail(http.StatusNotFound, "attempt_not_found")
	errMediaNotFound      = detail(http.StatusNotFound, "media_not_found")
	errVideoNotFound      = detail(http.StatusNotFound, "video_not_found")
	errReportNotFound     = detail(http.StatusNotFound, "report_not_found") // not analysed yet, or by a pipeline that makes none
	errUploadNotFound     = detail(http.StatusNotFound, "upload_not_found")
	errLiveNotRunning     = detail(http.StatusNotFound, "live_analysis_not_running")
	errBadQuestionIndex   = detail(http.StatusBadRequest, "invalid_question_index_for_session")
	errEmptyRecording     = detail(http.StatusUnsupportedMediaType, "unsupported_media_type: the file is empty")
	errUploadFailed       = detail(http.StatusInternalServerError, "Upload failed")
	errUploadIncomplete   = detail(http.StatusBadRequest, "Upload failed: the request body is incomplete")
	errUploadStorage      = detail(http.StatusInternalServerError, "Upload failed: storage error")
	errUploadTakenOver    = detail(http.StatusLocked, "upload_taken_over: another request for this upload took it over; ask for its offset (HEAD) and resume from there")
	errNoEvaluator        = detail(http.StatusServiceUnavailable, "answer_evaluation_unavailable: no evaluator is configured on this server")
	errSessionNotFoundMsg = detail(http.StatusNotFound, "Session not found")
	errAttemptNotFoundMsg = detail(http.StatusNotFound, "Attempt not found")
	errNoAudioFile        = detail(http.StatusNotFound, "Audio file not found for this attempt")
	errNoAudioAsset       = detail(http.StatusBadRequest, "No audio media asset found for this session/attempt")
	errNoSpeech           = detail(http.StatusBadRequest, "No speech detected in audio file")
	errBadSessionStatus   = detail(http.StatusBadRequest, "Invalid status. Must be one of: draft, running, done, canceled")
	errBadStartedAt       = detail(http.StatusBadRequest, "Invalid started_at. Must be ISO 8601")
	errBadEndedAt         = detail(http.StatusBadRequest, "Invalid ended_at. Must be ISO 8601")

	// errSTTNotConfigured names what to set: without a recogniser every
	// answer would otherwise be reported as silent.
	errSTTNotConfigured = detail(http.StatusServiceUnavailable, "stt_not_configured: no speech-to-text backend is configured; "+
		"set OPENAI_API_KEY (with OPENAI_BASE_URL=http://127.0.0.1:8080/v1 for a local Whisper server such as whisper.cpp's or speaches), "+
		"or GOOGLE_STT_KEY_PATH; NEVERMIND_STT=openai|google picks one")

	errContentNotFound          = message(http.StatusNotFound, "content_not_found", "")
	errInterviewNotFound        = message(http.StatusNotFound, "interview_not_found", "")
	errInterviewNotFoundToStart = message(http.StatusNotFound, "interview_not_found", "The interview(content) with the specified ID does not exist")
	errNUL                      = message(http.StatusBadRequest, "invalid_request_body", "text must not contain NUL (\\u0000) characters")
	errBadDate                  = message(http.StatusBadRequest, "invalid_date_format", "")
	errTooManyPreviews          = message(http.StatusTooManyRequests, "rate_limited", "Too many previews.")
	errTooManyGenerations       = message(http.StatusTooManyRequests, "rate_limited", "Too many generations.")
	errLegacyGeneration         = message(http.StatusGone, "deprecated", "use POST /api/sessions/{content_id}/start")
	errStartConflict            = message(http.StatusConflict, "session_start_conflict", "questions were taken by a concurrent start; retry")
	errNoGenerator              = message(http.StatusServiceUnavailable, "question_generation_unavailable", "no question generator is configured on this server")
	errResumeRequired           = message(http.StatusBadRequest, "resume_qas_required", "먼저 이력서 기반 Q&A를 등록해 주세요.")
	errResumeLoad               = message(http.StatusInternalServerError, "resume_qas_load_failed", "Failed to load resume Q&A for this content")
	errGenerationFromResume     = message(http.StatusInternalServerError, "question_generation_failed", "Failed to generate questions from resume Q&A")
	errBadUploadMetadata        = message(http.StatusBadRequest, "invalid_upload_metadata", "Upload-Metadata must give session_id and question_index as integers")
)

// badBody answers 400 invalid_request_body saying what is wrong.
func badBody(why string) *apiError {
	return message(http.StatusBadRequest, "invalid_request_body", why)
}

// badResumeItem answers 400 invalid_resume_item saying what is wrong ("" for
// an item that is not an object).
func badResumeItem(why string) *apiError {
	return message(http.StatusBadRequest, "invalid_resume_item", why)
}

// badQA answers 400 invalid_qa_format saying what is wrong ("" for a pair
// that is not an object).
func badQA(why string) *apiError { return message(http.StatusBadRequest, "invalid_qa_format", why) }

// tooLargeBody answers 413 payload_too_large saying which limit was passed.
func tooLargeBody(why string) *apiError {
	return message(http.StatusRequestEntityTooLarge, "payload_too_large", why)
}

// errBadPreviewMode is the plan preview's 400 for a mode it does not know.
var errBadPreviewMode = message(http.StatusBadRequest, "invalid_request_query", "mode must be one of ['job','soft','both']")

// errCalibrationTooLong refuses a calibration field before parsing it.
var errCalibrationTooLong = detail(http.StatusUnprocessableEntity, "invalid_calibration: longer than 64 bytes")

// badCalibration answers 422 for an upload's calibration that is not an
// interval (nevermind.ErrBadInterval).
func badCalibration(raw string) *apiError {
	return detail(http.StatusUnprocessableEntity, fmt.Sprintf("invalid_calibration: %q is not START-END in seconds with 0 ≤ START < END", raw))
}

// fileTooLarge answers an upload past Config.MaxUploadBytes.
func (s *Server) fileTooLarge() *apiError {
	return detail(http.StatusRequestEntityTooLarge, fmt.Sprintf("file_too_large: the limit is %d bytes", s.cfg.MaxUploadBytes))
}

// bodyTooSlow answers an upload whose body trickled or stalled.
func (s *Server) bodyTooSlow() *apiError {
	return detail(http.StatusRequestTimeout, fmt.Sprintf("request_timeout: the body arrived slower than %d bytes/s or paused for %v",
		s.cfg.MinBodyRate, s.cfg.BodyIdleTimeout))
}

// notARecording answers an upload whose first bytes sniffed as contentType,
// which is not audio or video.
func notARecording(contentType string) *apiError {
	return detail(http.StatusUnsupportedMediaType, "unsupported_media_type: expected an audio or video recording, got "+contentType)
}

// invalidMedia answers an upload the MediaValidator refused. Its error says
// why the file is not a usable recording, in words for the user (media's
// sentinels, such as "media: recording is longer than the limit"), so it is
// sent.
func invalidMedia(err error) *apiError {
	return detail(http.StatusUnsupportedMediaType, "invalid_media: "+err.Error())
}

// unavailable answers 422 for a modality the analysis could not produce,
// with the pipeline's reason (Analysis.Unavailable, words a user can act on)
// when it gave one.
func unavailable(aa *store.AttemptAnalysis, modality, code, fallback string) *apiError {
	reason := fallback
	if aa != nil && aa.Unavailable[modality] != "" {
		reason = aa.Unavailable[modality]
	}
	return detail(http.StatusUnprocessableEntity, code+": "+reason)
}

// analyzerFailure marks a failed analysis as the Analyzer's own doing (its
// error, or a result the server cannot store), as opposed to a failure of the
// runner's steps around it.
type analyzerFailure struct{ err error }

func (f *analyzerFailure) Error() string { return f.err.Error() }
func (f *analyzerFailure) Unwrap() error { return f.err }

// jobFailureReason is what a failed analysis records for clients to read (the
// job status's "error", the *_failed answers of the feedback routes): the
// Analyzer's failure, which speaks of the recording, and ErrNoAnalyzer as
// they are; for the runner's own steps only that they failed, since their
// errors name storage keys, URLs and queries (the log has them).
func jobFailureReason(err error) string {
	var analyzer *analyzerFailure
	if errors.As(err, &analyzer) || errors.Is(err, ErrNoAnalyzer) {
		return err.Error()
	}
	return "the server could not run the analysis"
}

// jobReason is the failure recorded for a failed analysis job.
func jobReason(job *store.AnalysisJob, none string) string {
	if job.Error == nil {
		return none
	}
	return *job.Error
}

// jobFailed answers a failed analysis: 500 with the recorded reason.
func jobFailed(what string, job *store.AnalysisJob) *apiError {
	return detail(http.StatusInternalServerError, what+"_failed: "+jobReason(job, "unknown error"))
}

// sttFailed is the speech-to-text route's answer to a failed analysis, in
// the original API's words.
func sttFailed(job *store.AnalysisJob) *apiError {
	return detail(http.StatusInternalServerError, "STT processing failed: "+jobReason(job, ""))
}

// transcriptUnavailable answers a finished analysis that has speech but no
// words, with the recogniser's reason.
func transcriptUnavailable(reason string) *apiError {
	return detail(http.StatusUnprocessableEntity, "transcript_unavailable: "+reason)
}

// tooFewBasicQuestions answers a question bank with fewer than needed basic
// questions of the practice type.
func tooFewBasicQuestions(practiceType string, found int) *apiError {
	return message(http.StatusInternalServerError, "insufficient_basic_questions",
		fmt.Sprintf("Need at least %d basic questions of type '%s', found %d", basicPerSession, practiceType, found))
}

// tooFewGeneratedQuestions answers a content whose generation still left
// fewer than needed unused questions of the practice type.
func tooFewGeneratedQuestions(practiceType string, contentID int64, found int) *apiError {
	return message(http.StatusInternalServerError, "insufficient_generated_questions",
		fmt.Sprintf("Need at least %d unused generated questions of type '%s' for content_id=%d, found %d",
			generatedPerSession, practiceType, contentID, found))
}

// failure is an unexpected error in one step of a request ("load session"):
// the client is told the step only, the log gets the error.
type failure struct {
	step string
	err  error
}

func (f *failure) Error() string { return f.step + ": " + f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// failed marks err as the unexpected failure of step.
func failed(step string, err error) error { return &failure{step, err} }

// remoteFailure is a failed call of a remote service (the question
// generator's LLM) that the client is told about under code, by the kind of
// failure only: the service's own message can carry URLs, keys and internals.
type remoteFailure struct {
	code string
	err  error
}

func (f *remoteFailure) Error() string { return f.code + ": " + f.err.Error() }
func (f *remoteFailure) Unwrap() error { return f.err }

// remoteReasons is what a client reads for each of the remote-service
// failures that package stt and package questions wrap.
var remoteReasons = []struct {
	err    error
	reason string
}{
	{nevermind.ErrUnauthorized, "the service rejected this server's credentials"},
	{nevermind.ErrRateLimited, "the service is rate limiting this server; try again later"},
	{nevermind.ErrUnavailable, "the service is unavailable; try again later"},
	{nevermind.ErrBadRequest, "the service refused the request"},
	{nevermind.ErrConfig, "the service is not configured correctly on this server"},
}

// RemoteReason is what a client may read of err when it is a remote service's
// failure (one of nevermind's remote-service errors, as stt and questions
// return them): its kind only, since the service's own message can carry
// URLs, keys and internals. ok is false for any other error. An Analyzer
// uses it for the reasons in Analysis.Unavailable.
func RemoteReason(err error) (reason string, ok bool) {
	for _, r := range remoteReasons {
		if errors.Is(err, r.err) {
			return r.reason, true
		}
	}
	return "", false
}

func remoteReason(err error) string {
	if reason, ok := RemoteReason(err); ok {
		return reason
	}
	return "the service failed"
}

// errorReply is the one table from errors to answers, as every route gives
// them: an *apiError is sent as it is; a database that cannot be reached is a
// 503, so clients and load balancers retry instead of reporting a bug; a
// remote service's failure is a 500 under its code with the kind of failure;
// anything else is a 500 naming the failed step, or none. No unexpected
// error's text reaches the client: each is logged here, with the route.
func (s *Server) errorReply(ctx context.Context, err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae // an answer already (a limit reached, say), not a failure
	}
	var step string
	var f *failure
	if errors.As(err, &f) {
		step = f.step
	}
	var remote *remoteFailure
	switch {
	case databaseUnavailable(err):
		s.log.ErrorContext(ctx, cmp.Or(step, "database"), "error", err, "route", routeOf(ctx))
		return errDatabaseDown
	case errors.As(err, &remote):
		s.log.WarnContext(ctx, remote.code, "error", err, "route", routeOf(ctx))
		return message(http.StatusInternalServerError, remote.code, remoteReason(err))
	}
	s.log.ErrorContext(ctx, cmp.Or(step, "unexpected error"), "error", err, "route", routeOf(ctx))
	if step == "" {
		return errInternal
	}
	return detail(http.StatusInternalServerError, "internal_server_error: "+step)
}

// uploadErrorReply is errorReply for the upload routes, whose unexpected
// failures without a step keep the original API's "Upload failed".
func (s *Server) uploadErrorReply(ctx context.Context, err error) *apiError {
	if ae := s.errorReply(ctx, err); ae != errInternal {
		return ae
	}
	return errUploadFailed
}

type routeKey struct{}

// withRoute names the route serving ctx's request, for errorReply's log.
func withRoute(ctx context.Context, route string) context.Context {
	return context.WithValue(ctx, routeKey{}, route)
}

func routeOf(ctx context.Context) string {
	route, _ := ctx.Value(routeKey{}).(string)
	return route
}

// databaseUnavailable reports whether err means the database is down,
// restarting or unreachable rather than that a query is wrong: connection
// failures, a connection lost mid-query, and PostgreSQL's
// connection-exception (08) and operator-intervention (57P) classes.
func databaseUnavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	var connectErr *pgconn.ConnectError
	var netErr *net.OpError
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) ||
		strings.Contains(err.Error(), "conn closed")
}

// maxProblemsInDetail bounds how many validation errors humanProblemDetail
// spells out; the full list stays in "errors".
const maxProblemsInDetail = 3

// humanProblemDetail puts what was wrong into the "detail" of huma's problem
// JSON, whose own detail is only "validation failed": clients such as the
// original frontend show detail (or error.message) to the user and never read
// the "errors" list.
func humanProblemDetail(_ huma.Context, _ string, v any) (any, error) {
	problem, ok := v.(*huma.ErrorModel)
	if !ok || len(problem.Errors) == 0 {
		return v, nil
	}
	parts := make([]string, 0, maxProblemsInDetail)
	for _, e := range problem.Errors[:min(len(problem.Errors), maxProblemsInDetail)] {
		if e.Location == "" {
			parts = append(parts, e.Message)
		} else {
			parts = append(parts, e.Location+": "+e.Message)
		}
	}
	d := problem.Detail + ": " + strings.Join(parts, "; ")
	if more := len(problem.Errors) - maxProblemsInDetail; more > 0 {
		d += " (and " + strconv.Itoa(more) + " more)"
	}
	problem.Detail = d
	return problem, nil
}
