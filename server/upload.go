package server

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/nevermind-ai/nevermind/server/storage"
	"github.com/nevermind-ai/nevermind/server/store"
)

// errFileTooLarge stops an upload that passed Config.MaxUploadBytes.
var errFileTooLarge = errors.New("server: recording exceeds the upload limit")

type uploadOut struct {
	Success       bool   `json:"success"`
	SessionID     int64  `json:"session_id"`
	QuestionIndex int    `json:"question_index"`
	AttemptID     int64  `json:"attempt_id"`
	VideoURL      string `json:"video_url" doc:"The storage key, as in the seed (not a URL)."`
	AudioURL      string `json:"audio_url" doc:"The storage key, as in the seed (not a URL)."`
	Message       string `json:"message"`
}

// registerUpload serves the recording upload outside huma, because huma
// parses a whole multipart form (spooling it to temp files) before the
// handler runs; here the file part streams straight to storage.
func (s *Server) registerUpload() {
	const path = "/api/sessions/{session_id}/recordings/{question_index}"
	reg := s.api.OpenAPI().Components.Schemas
	errSchema := &huma.Schema{Type: "object", Properties: map[string]*huma.Schema{"detail": {Description: "Error code or message"}}}
	errResp := func(desc string) *huma.Response {
		return &huma.Response{Description: desc, Content: map[string]*huma.MediaType{"application/json": {Schema: errSchema}}}
	}
	s.api.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "upload-recording", Method: http.MethodPost, Path: path, Tags: []string{"sessions"}, Security: bearer,
		Summary: "Upload the recording of one answer (multipart field 'file', WebM or MP4)",
		Description: fmt.Sprintf("Streams the file to storage. At most %d bytes (413); the content must sniff as audio or video (415).",
			s.cfg.MaxUploadBytes),
		Parameters: []*huma.Param{
			{Name: "session_id", In: "path", Required: true, Schema: &huma.Schema{Type: "integer", Format: "int64"}},
			{Name: "question_index", In: "path", Required: true, Description: "1-based order_no of the session question",
				Schema: &huma.Schema{Type: "integer", Format: "int32"}},
		},
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"multipart/form-data": {
			Schema: &huma.Schema{Type: "object", Required: []string{"file"}, Properties: map[string]*huma.Schema{
				"file": {Type: "string", Format: "binary"},
				"calibration": {Type: "string", Examples: []any{"1-4"}, Description: "Optional, before the file: START-END in seconds, " +
					"a stretch when the candidate was asked to look into the lens; eye contact (head_eye_gaze_rate) is calibrated on it. " +
					"Malformed: 422 invalid_calibration."}}},
		}}},
		Responses: map[string]*huma.Response{
			"200": {Description: "Uploaded", Content: map[string]*huma.MediaType{"application/json": {
				Schema: reg.Schema(reflect.TypeOf(uploadOut{}), true, "UploadRecordingOut")}}},
			"400": errResp("invalid_question_index_for_session"),
			"401": errResp("unauthorized"),
			"404": errResp("session_not_found"),
			"413": errResp("file_too_large"),
			"415": errResp("unsupported_media_type or invalid_media"),
			"422": errResp("missing file field, or invalid_calibration"),
		},
	})
	s.mux.HandleFunc("POST "+path, s.uploadRecording)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	if he, ok := v.(huma.HeadersError); ok {
		for k, vs := range he.GetHeaders() {
			w.Header()[k] = vs
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fastAPIMissingFile is FastAPI's 422 for a missing form field.
func fastAPIMissingFile() map[string]any {
	return map[string]any{"detail": []map[string]any{{"type": "missing", "loc": []string{"body", "file"}, "msg": "Field required", "input": nil}}}
}

func (s *Server) uploadRecording(w http.ResponseWriter, r *http.Request) {
	ctx := withRoute(r.Context(), "upload-recording")
	// Checked before anything else: a client holding many slow uploads open
	// is refused before it costs a token check or a byte of body.
	release, ok := s.uploads.acquire(s.clientAddr(r), s.cfg.MaxUploadsPerClient)
	if !ok {
		writeJSON(w, http.StatusTooManyRequests, busy(http.StatusTooManyRequests, 10*time.Second,
			fmt.Sprintf("too_many_uploads: at most %d at once from one address", s.cfg.MaxUploadsPerClient)))
		return
	}
	defer release()
	u, aerr := s.authenticate(ctx, r.Header.Get("Authorization"))
	if aerr != nil {
		writeJSON(w, aerr.status, aerr)
		return
	}
	ctx = context.WithValue(ctx, userKey{}, u)
	releaseUser, ok := s.userUploads.acquire(u.ID, s.cfg.MaxUploadsPerUser)
	if !ok {
		writeJSON(w, http.StatusTooManyRequests, busy(http.StatusTooManyRequests, 10*time.Second,
			fmt.Sprintf("too_many_uploads: at most %d of yours at once", s.cfg.MaxUploadsPerUser)))
		return
	}
	defer releaseUser()
	sessionID, err1 := strconv.ParseInt(r.PathValue("session_id"), 10, 64)
	index, err2 := strconv.Atoi(r.PathValue("question_index"))
	if err1 != nil || err2 != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": []map[string]any{{
			"type": "int_parsing", "loc": []string{"path", "session_id|question_index"}, "msg": "Input should be a valid integer"}}})
		return
	}
	fail := func(err error) {
		ae := s.uploadErrorReply(ctx, err)
		writeJSON(w, ae.status, ae)
	}
	sess, err := s.ownedSession(ctx, sessionID, errSessionNotFound)
	if err != nil {
		fail(err)
		return
	}
	sq, err := s.db.SessionQuestionByOrder(ctx, sess.ID, index)
	if errors.Is(err, store.ErrNotFound) {
		fail(errBadQuestionIndex)
		return
	} else if err != nil {
		fail(failed("load session question", err))
		return
	}

	// The whole body may carry the file plus a little multipart framing. A
	// body declared larger than that is refused before any of it is read.
	maxBody := s.cfg.MaxUploadBytes + 1<<20
	tooLarge, tooSlow := s.fileTooLarge(), s.bodyTooSlow()
	if r.ContentLength > maxBody {
		fail(tooLarge)
		return
	}
	if !s.cfg.AnalyzeOnRequest {
		// This upload would queue one more analysis: refused before its body.
		if err := s.checkUserJobs(ctx, u.ID); err != nil {
			fail(failed("count analyses", err))
			return
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	mr, err := r.MultipartReader()
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, fastAPIMissingFile())
		return
	}
	var part io.Reader
	var calib *Calibration
	for part == nil {
		p, err := mr.NextPart()
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				fail(tooLarge)
				return
			}
			if slowBody(err) {
				fail(tooSlow)
				return
			}
			writeJSON(w, http.StatusUnprocessableEntity, fastAPIMissingFile())
			return
		}
		switch p.FormName() {
		case "file":
			part = p
		case "calibration":
			// A short text field before the file: "START-END" in seconds.
			raw, err := io.ReadAll(io.LimitReader(p, 65))
			if err == nil && len(raw) > 64 {
				err = errCalibrationTooLong
			}
			if err == nil {
				calib, err = parseCalibration(string(raw))
			}
			if err != nil {
				fail(err)
				return
			}
		}
	}

	br := bufio.NewReaderSize(part, 4096)
	head, err := br.Peek(512)
	if slowBody(err) {
		fail(tooSlow)
		return
	}
	contentType, err := recordingType(head)
	if err != nil {
		fail(err)
		return
	}

	attempt, key, err := s.storeRecording(ctx, sess, sq, br, contentType, true, calib, nil)
	if err != nil {
		fail(err)
		return
	}
	writeJSON(w, http.StatusOK, uploadOut{true, sess.ID, index, attempt.ID, key, key, "Recording uploaded successfully"})
}

// storeRecording makes src, whose first bytes sniffed as contentType, the recording of a
// new attempt at sq: the attempt row, the object under a key of its own, the validation,
// the media assets and, with queue (and unless Config.AnalyzeOnRequest), its analysis job;
// calib, when not nil, is the stretch its eye contact is calibrated on; began, when not nil,
// is told the attempt and its object's key as soon as the row exists, before the object is
// written. On failure nothing of it remains and the error is the reply to send.
func (s *Server) storeRecording(ctx context.Context, sess *store.Session, sq *store.SessionQuestion, src io.Reader, contentType string, queue bool, calib *Calibration, began func(a *store.Attempt, key string) error) (*store.Attempt, string, error) {
	tooLarge, tooSlow := s.fileTooLarge(), s.bodyTooSlow()
	attempt := &store.Attempt{SessionID: sess.ID, SessionQuestionID: sq.ID}
	if calib != nil {
		attempt.CalibrationStart, attempt.CalibrationEnd = &calib.Start, &calib.End
	}
	if err := s.db.BeginAttempt(ctx, attempt); err != nil {
		return nil, "", failed("create attempt", err)
	}
	key := storage.NewRecordingKey(sess.ID, attempt.ID)
	// Whatever happens next, a failed upload leaves neither row nor object.
	cleanup := func(deleteObject bool) {
		bg := context.WithoutCancel(ctx)
		if deleteObject {
			if err := s.storage.Delete(bg, key); err != nil {
				s.log.Error("delete rejected upload", "key", key, "error", err)
			}
		}
		if err := s.db.DeleteAttempt(bg, attempt.ID); err != nil {
			s.log.Error("delete failed attempt", "attempt_id", attempt.ID, "error", err)
		}
	}
	if began != nil {
		if err := began(attempt, key); err != nil {
			cleanup(false)
			return nil, "", failed("record the attempt with its upload", err)
		}
	}
	hash := sha256.New()
	counted := &limitedReader{r: src, left: s.cfg.MaxUploadBytes}
	if err := s.storage.Put(ctx, key, io.TeeReader(counted, hash), contentType); err != nil {
		// A storage that failed after keeping the object (a proxy's 502 after
		// the write, say) must not keep it: the key is this upload's alone,
		// unless it already existed, and then the object is not ours.
		cleanup(!errors.Is(err, storage.ErrExists))
		var tooBig *http.MaxBytesError
		if errors.Is(err, errFileTooLarge) || errors.As(err, &tooBig) || errors.Is(err, storage.ErrTooLarge) {
			return nil, "", tooLarge
		}
		if errors.As(counted.bodyErr, &tooBig) {
			return nil, "", tooLarge
		}
		if slowBody(counted.bodyErr) {
			return nil, "", tooSlow
		}
		if counted.bodyErr != nil {
			// The client's body broke off (truncated multipart, dropped
			// connection): the storage is not at fault.
			return nil, "", errUploadIncomplete
		}
		s.log.ErrorContext(ctx, "upload", "key", key, "error", err)
		return nil, "", errUploadStorage
	}
	info := MediaInfo{HasAudio: true, HasVideo: true} // the seed's assumption when nothing inspects the file
	if s.cfg.MediaValidator != nil {
		release, err := s.acquireValidation(ctx)
		if err != nil {
			cleanup(true)
			return nil, "", err
		}
		rc, err := s.storage.Open(ctx, key)
		if err != nil {
			release()
			cleanup(true)
			return nil, "", failed("reopen upload", err)
		}
		stored := &limitedReader{r: rc, left: math.MaxInt64}
		info, err = s.cfg.MediaValidator.ValidateMedia(ctx, stored)
		rc.Close()
		release()
		if err != nil {
			cleanup(true)
			if stored.bodyErr != nil {
				// The storage failed, not the recording: its error is ours.
				return nil, "", failed("read upload", stored.bodyErr)
			}
			return nil, "", invalidMedia(err)
		}
	}
	sum := hex.EncodeToString(hash.Sum(nil))
	size := counted.read
	var assets []store.MediaAsset
	add := func(kind int) {
		aid, sqid := attempt.ID, sq.ID
		assets = append(assets, store.MediaAsset{SessionID: sess.ID, AttemptID: &aid, SessionQuestionID: &sqid, Kind: kind,
			StorageURL: key, SHA256: &sum, ContentType: &contentType, SizeBytes: &size})
	}
	if info.HasVideo {
		add(store.MediaVideo)
	}
	if info.HasAudio {
		add(store.MediaAudio)
	}
	if d := info.Duration.Seconds(); d > 0 {
		attempt.DurationSec = &d
	}
	if err := s.db.FinishAttempt(ctx, attempt, assets); err != nil {
		cleanup(true)
		return nil, "", failed("record upload", err)
	}
	if queue && !s.cfg.AnalyzeOnRequest {
		// The upload has succeeded whatever happens here; a feedback
		// request will queue the analysis again if this fails.
		if _, err := s.requestAnalysis(ctx, sess.ID, attempt.ID, AnalysisOptions{}, false, 0); err != nil {
			s.log.Warn("queue analysis on upload", "attempt_id", attempt.ID, "error", err)
		}
	}
	return attempt, key, nil
}

// acquireValidation takes one of Config.MaxValidations validation slots,
// waiting up to validationWait, and returns its release; a server whose
// slots stay busy answers 503 with Retry-After.
func (s *Server) acquireValidation(ctx context.Context) (func(), error) {
	release := func() { <-s.validations }
	select {
	case s.validations <- struct{}{}:
		return release, nil
	default:
	}
	t := time.NewTimer(s.validationWait)
	defer t.Stop()
	select {
	case s.validations <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, busy(http.StatusServiceUnavailable, 30*time.Second,
			fmt.Sprintf("validation_busy: all %d recording checks are busy; upload again later", s.cfg.MaxValidations))
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// limitedReader fails with errFileTooLarge once more than left bytes are
// read, and keeps the first error of the request body other than io.EOF.
type limitedReader struct {
	r       io.Reader
	left    int64
	read    int64
	bodyErr error
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if err != nil && err != io.EOF && l.bodyErr == nil {
		l.bodyErr = err
	}
	l.read += int64(n)
	if l.read > l.left {
		return n, errFileTooLarge
	}
	return n, err
}

// recordingType classifies the first bytes of an upload (up to 512): its content type,
// or the 415 to answer for an empty file or one that is not audio or video.
func recordingType(head []byte) (string, error) {
	if len(head) == 0 {
		return "", errEmptyRecording
	}
	ct, ok := sniffMedia(head)
	if !ok {
		return "", notARecording(ct)
	}
	return ct, nil
}

// sniffMedia classifies the first bytes of an upload. It accepts what
// browsers record (WebM/Matroska, MP4/QuickTime) and common audio files.
func sniffMedia(head []byte) (string, bool) {
	if len(head) >= 12 && string(head[4:8]) == "ftyp" {
		return "video/mp4", true
	}
	ct := http.DetectContentType(head)
	base, _, _ := strings.Cut(ct, ";")
	switch base {
	case "video/webm", "video/mp4", "video/avi", "audio/wave", "audio/mpeg", "audio/aiff", "audio/basic":
		return base, true
	case "application/ogg":
		return "audio/ogg", true
	}
	return base, false
}
