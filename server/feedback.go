package server

import (
	"cmp"
	"context"
	"database/sql"
	"reflect"
	"slices"
	"strconv"

	"encoding/json"
	"errors"
	"fmt"
	"github.com/danielgtaylor/huma/v2"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/nevermind-ai/nevermind/server/store"
	"github.com/nevermind-ai/nevermind/vocal"
)

// voiceMetrics are the voice metrics in summary order, with their ids and
// labels in the voice payloads.
var voiceMetrics = [4]struct{ id, label string }{
	{"tremor", "떨림"}, {"pause", "공백"}, {"tone", "억양"}, {"speed", "속도"},
}

func voiceScores(fs *store.FeedbackSummary) [4]*float64 {
	return [4]*float64{fs.Tremor, fs.Blank, fs.Tone, fs.Speed}
}

type voiceMetricJSON struct {
	ID    string   `json:"id"`
	Label string   `json:"label"`
	Score *float64 `json:"score"`
	Level *string  `json:"level"`
}

type voiceDBPayload struct {
	TotalScore int               `json:"total_score"`
	Summary    string            `json:"summary"`
	Metrics    []voiceMetricJSON `json:"metrics"`
	// AttemptID is not the seed's: the feedback page matches replays to
	// answers by it.
	AttemptID int64 `json:"attempt_id"`
}

// voiceFromDB rebuilds the original API's DB-derived voice payload (GET
// voice-feedback): the stored scores, their levels and vocal.StoredSummary's
// Korean sentences.
func voiceFromDB(fs *store.FeedbackSummary) voiceDBPayload {
	out := voiceDBPayload{TotalScore: int(math.RoundToEven(*fs.OverallVoice)), AttemptID: fs.AttemptID,
		Summary: vocal.StoredSummary(vocal.StoredScores{Overall: *fs.OverallVoice, Tremor: fs.Tremor, Pause: fs.Blank, Tone: fs.Tone, Speed: fs.Speed})}
	for i, v := range voiceScores(fs) {
		m := voiceMetricJSON{ID: voiceMetrics[i].id, Label: voiceMetrics[i].label, Score: v}
		if v != nil {
			level := vocal.LevelFromScore(*v)
			m.Level = &level
		}
		out.Metrics = append(out.Metrics, m)
	}
	return out
}

// scoreRating is the pose scale: ≥90 양호, ≥70 보통, else 미흡.
func scoreRating(v *float64) *string {
	if v == nil {
		return nil
	}
	r := "미흡"
	switch {
	case *v >= 90:
		r = "양호"
	case *v >= 70:
		r = "보통"
	}
	return &r
}

// rateRating is the expression scale: ≥0.8 양호, ≥0.6 보통, else 개선필요.
func rateRating(v *float64) *string {
	if v == nil {
		return nil
	}
	r := "개선필요"
	switch {
	case *v >= 0.8:
		r = "양호"
	case *v >= 0.6:
		r = "보통"
	}
	return &r
}

type valueRating struct {
	Value  *float64 `json:"value"`
	Rating *string  `json:"rating"`
}

type poseAnalysisJSON struct {
	Overall  valueRating `json:"overall"`
	Shoulder valueRating `json:"shoulder"`
	HeadTilt valueRating `json:"head_tilt"`
	Hand     valueRating `json:"hand"`
}

func poseFromDB(fs *store.FeedbackSummary) poseAnalysisJSON {
	return poseAnalysisJSON{
		Overall:  valueRating{fs.OverallPose, scoreRating(fs.OverallPose)},
		Shoulder: valueRating{fs.Shoulder, scoreRating(fs.Shoulder)},
		HeadTilt: valueRating{fs.Head, scoreRating(fs.Head)},
		Hand:     valueRating{fs.Hand, scoreRating(fs.Hand)},
	}
}

// problemSection is one entry of problem_sections as the frontend reads it:
// {start_sec, end_sec, issue}. Part ("shoulder", "head_tilt", "hand") is ours,
// for clients that group by body part.
type problemSection struct {
	StartSec float64 `json:"start_sec"`
	EndSec   float64 `json:"end_sec"`
	Issue    string  `json:"issue"`
	Part     string  `json:"part"`
}

// problemParts fixes the order of parts at equal start times and names each
// in the seed's register (its alerts say "고개가 …로 기울어 있습니다.").
var problemParts = []struct{ part, issue string }{
	{"shoulder", "어깨가 수평을 벗어났습니다."},
	{"head_tilt", "고개가 기울어 있습니다."},
	{"hand", "손이 어깨 위로 올라왔습니다."},
}

// problemSections turns the stored per-part sections ({"shoulder":
// [[start, end], …], …}) into one list ordered by start time, [] when there
// are none, as the seed always answered.
func problemSections(aa *store.AttemptAnalysis) ([]problemSection, error) {
	out := []problemSection{}
	if aa == nil || aa.Pose == nil || *aa.Pose == "" || *aa.Pose == "null" {
		return out, nil
	}
	var byPart map[string][][2]float64
	if err := json.Unmarshal([]byte(*aa.Pose), &byPart); err != nil {
		return nil, fmt.Errorf("stored problem sections: %w", err)
	}
	for _, p := range problemParts {
		for _, sec := range byPart[p.part] {
			out = append(out, problemSection{sec[0], sec[1], p.issue, p.part})
		}
	}
	slices.SortStableFunc(out, func(a, b problemSection) int { return cmp.Compare(a.StartSec, b.StartSec) })
	return out, nil
}

// withHeader prepends message, session_id and attempt_id to a stored JSON
// object, keeping its own key order.
func withHeader(msg string, sessionID, attemptID int64, payload string) json.RawMessage {
	return prependFields(fmt.Sprintf(`"message":%q,"session_id":%d,"attempt_id":%d`, msg, sessionID, attemptID), payload)
}

// prependFields puts the JSON members fields (`"k":v,…`) first in a stored
// JSON object, keeping its own key order; anything but an object is
// replaced by {fields}.
func prependFields(fields, payload string) json.RawMessage {
	head := "{" + fields
	body := strings.TrimSpace(payload)
	if !strings.HasPrefix(body, "{") || !strings.HasSuffix(body, "}") {
		return json.RawMessage(head + "}")
	}
	inner := strings.TrimSpace(body[1 : len(body)-1])
	if inner == "" {
		return json.RawMessage(head + "}")
	}
	return json.RawMessage(head + "," + inner + "}")
}

// responses documents a route whose body depends on its status (a result
// with 200, a pending notice with 202); nil means "a JSON object".
func (s *Server) responses(byStatus map[int]any) map[string]*huma.Response {
	out := map[string]*huma.Response{}
	for status, example := range byStatus {
		schema := &huma.Schema{Type: "object"}
		if example != nil {
			schema = s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeOf(example), true, "")
		}
		out[strconv.Itoa(status)] = &huma.Response{Description: http.StatusText(status),
			Content: map[string]*huma.MediaType{"application/json": {Schema: schema}}}
	}
	return out
}

// seedErrorResponse documents the seed's error envelope on every operation.
func seedErrorResponse() *huma.Response {
	return &huma.Response{
		Description: `The seed's error envelope: {"detail": "<code>"} or {"detail": {"message", "detail"}}`,
		Content: map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{
			Type: "object", Required: []string{"detail"},
			Properties: map[string]*huma.Schema{"detail": {OneOf: []*huma.Schema{
				{Type: "string"},
				{Type: "object", Properties: map[string]*huma.Schema{"message": {Type: "string"}, "detail": {Type: "string"}}},
			}}},
		}}},
	}
}

// pendingBody is the 202 reply while an analysis is queued or running.
type pendingBody struct {
	Message   string  `json:"message"`
	Status    string  `json:"status"`
	SessionID int64   `json:"session_id"`
	AttemptID int64   `json:"attempt_id"`
	Progress  float64 `json:"progress"`
	StatusURL string  `json:"status_url"`
}

func statusURL(sessionID, attemptID int64) string {
	return fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sessionID, attemptID)
}

func pending(msg string, job *store.AnalysisJob) pendingBody {
	st := "pending"
	if job.Status == store.JobRunning {
		st = "running"
	}
	return pendingBody{msg, st, job.SessionID, job.AttemptID, job.Progress, statusURL(job.SessionID, job.AttemptID)}
}

// requestAnalysis makes sure the attempt has an analysis job, queued exactly
// once (the analysis_jobs primary key decides who enqueues; River's unique
// job is the second guard) in the transaction that writes its row. retry
// requeues a failed job. It then waits up to wait for the job to finish and
// returns its latest state.
func (s *Server) requestAnalysis(ctx context.Context, sessionID, attemptID int64, opts AnalysisOptions, retry bool, wait time.Duration) (*store.AnalysisJob, error) {
	optJSON, err := json.Marshal(opts)
	if err != nil {
		return nil, err
	}
	if err := s.checkJobQuota(ctx, attemptID, retry); err != nil {
		return nil, err
	}
	_, err = s.db.QueueJob(ctx, sessionID, attemptID, string(optJSON), retry, func(ctx context.Context, tx *sql.Tx) (int64, error) {
		return s.queue.enqueueTx(ctx, tx, analyzeArgs{AttemptID: attemptID, SessionID: sessionID})
	})
	if err != nil {
		return nil, err
	}
	return s.awaitJob(ctx, attemptID, wait)
}

// checkJobQuota answers 429 when a request would queue a new analysis (none
// exists, or retry would requeue a failed one) for a user who already has
// Config.MaxQueuedJobsPerUser queued or running. Joining an existing job is
// always allowed.
func (s *Server) checkJobQuota(ctx context.Context, attemptID int64, retry bool) error {
	u := userFrom(ctx)
	if u == nil {
		return nil
	}
	job, err := s.db.Job(ctx, attemptID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	case !(retry && job.Status == store.JobFailed):
		return nil
	}
	return s.checkUserJobs(ctx, u.ID)
}

// checkUserJobs answers 429 when the user has Config.MaxQueuedJobsPerUser
// analyses queued or running.
func (s *Server) checkUserJobs(ctx context.Context, userID string) error {
	n, err := s.db.ActiveJobs(ctx, userID)
	if err != nil {
		return err
	}
	if n >= s.cfg.MaxQueuedJobsPerUser {
		return busy(http.StatusTooManyRequests, 30*time.Second,
			fmt.Sprintf("too_many_analyses: %d of yours are queued or running; at most %d at once", n, s.cfg.MaxQueuedJobsPerUser))
	}
	return nil
}

func (s *Server) awaitJob(ctx context.Context, attemptID int64, wait time.Duration) (*store.AnalysisJob, error) {
	deadline := time.Now().Add(wait)
	delay := 25 * time.Millisecond
	for {
		job, err := s.db.Job(ctx, attemptID)
		if err != nil {
			return nil, err
		}
		if job.Status == store.JobDone || job.Status == store.JobFailed || !time.Now().Before(deadline) {
			return job, nil
		}
		t := time.NewTimer(min(delay, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		delay = min(delay*2, 500*time.Millisecond)
	}
}

// ownedAttempt checks the session (caller's, else notFound) and that the
// attempt belongs to it (else attemptNotFound).
func (s *Server) ownedAttempt(ctx context.Context, sessionID, attemptID int64, notFound, attemptNotFound error) (*store.Session, *store.Attempt, error) {
	sess, err := s.ownedSession(ctx, sessionID, notFound)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.db.Attempt(ctx, sess.ID, attemptID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, attemptNotFound
	}
	if err != nil {
		return nil, nil, failed("load attempt", err)
	}
	return sess, a, nil
}

func (s *Server) summary(ctx context.Context, sessionID, attemptID int64) (*store.FeedbackSummary, error) {
	fs, err := s.db.Summary(ctx, sessionID, attemptID)
	if errors.Is(err, store.ErrNotFound) {
		return &store.FeedbackSummary{SessionID: sessionID, AttemptID: attemptID}, nil
	}
	return fs, err
}

func (s *Server) analysis(ctx context.Context, attemptID int64) (*store.AttemptAnalysis, error) {
	aa, err := s.db.Analysis(ctx, attemptID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return aa, err
}
