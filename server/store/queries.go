package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Sentinel errors callers branch on.
var (
	// ErrNotFound means the row asked for does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict means a concurrent writer changed the rows first (for
	// example two session starts consumed the same generated question); the
	// caller may retry.
	ErrConflict = errors.New("store: concurrent update conflict")
	// ErrAlreadyDone means an analysis result was already stored for the
	// attempt; the second writer's result is discarded.
	ErrAlreadyDone = errors.New("store: analysis already stored")
)

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

func now() time.Time { return time.Now().UTC().Round(time.Microsecond) }

// EnsureProfile returns the profile with this id, creating an active one the
// first time the user is seen (seed-spec §3).
func (db *DB) EnsureProfile(ctx context.Context, id string) (*Profile, error) {
	// Every authenticated request calls this; the profile almost always
	// exists, so one read is the common path.
	if p, err := db.Profile(ctx, id); !errors.Is(err, ErrNotFound) {
		return p, err
	}
	t := now()
	p := &Profile{ID: id, Status: ProfileActive, ProfileMeta: map[string]any{}, CreatedAt: t, UpdatedAt: t}
	if _, err := db.Bun.NewInsert().Model(p).On("CONFLICT (id) DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: create profile: %w", err)
	}
	return db.Profile(ctx, id)
}

// Profile loads one profile.
func (db *DB) Profile(ctx context.Context, id string) (*Profile, error) {
	p := new(Profile)
	if err := db.Bun.NewSelect().Model(p).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "profile")
	}
	if p.ProfileMeta == nil {
		p.ProfileMeta = map[string]any{}
	}
	return p, nil
}

// SaveProfile persists display_name, status and profile_meta and bumps
// updated_at (the seed never committed these, seed-spec §7 item 7).
func (db *DB) SaveProfile(ctx context.Context, p *Profile) error {
	p.UpdatedAt = now()
	if p.ProfileMeta == nil {
		p.ProfileMeta = map[string]any{}
	}
	res, err := db.Bun.NewUpdate().Model(p).
		Column("display_name", "status", "profile_meta", "updated_at").WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: save profile: %w", err)
	}
	return mustAffect(res, "profile")
}

func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

// Page limits a listing: at most Limit rows after skipping Offset. The zero
// Page lists everything, as the seed did.
type Page struct {
	Limit, Offset int
}

func (p Page) sql() string {
	if p.Limit <= 0 && p.Offset <= 0 {
		return ""
	}
	limit := p.Limit
	if limit <= 0 {
		// An offset alone: both engines need some LIMIT before OFFSET and
		// spell "no limit" differently.
		limit = math.MaxInt32
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", limit, max(p.Offset, 0))
}

// ListContents returns the user's contents, newest first, with the number of
// sessions and of sessions marked done.
func (db *DB) ListContents(ctx context.Context, userID string, page Page) ([]ContentSummary, error) {
	var rows []ContentSummary
	err := db.Bun.NewRaw(`SELECT c.*,
		(SELECT count(*) FROM sessions s WHERE s.content_id = c.id AND s.status = 'done') AS completed_sessions,
		(SELECT count(*) FROM sessions s WHERE s.content_id = c.id) AS total_sessions
		FROM content c WHERE c.user_id = ? ORDER BY c.id DESC`+page.sql(), userID).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("store: list contents: %w", err)
	}
	return rows, nil
}

// CreateContent inserts c and fills its id.
func (db *DB) CreateContent(ctx context.Context, c *Content) error {
	c.CreatedAt = now()
	if _, err := db.Bun.NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("store: create content: %w", err)
	}
	return nil
}

// Content loads one content row.
func (db *DB) Content(ctx context.Context, id int64) (*Content, error) {
	c := new(Content)
	if err := db.Bun.NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "content")
	}
	return c, nil
}

// AddResume stores one cover-letter version. When version is 0 the next
// version for (content, user) is used. Items get their ids filled in.
func (db *DB) AddResume(ctx context.Context, contentID int64, userID string, version int, items []ResumeItem) (int, error) {
	err := db.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if version == 0 {
			// Two requests reading MAX(version) at once would both take the
			// next one. SQLite's single connection serialises transactions;
			// PostgreSQL needs a lock per (content, user) until commit.
			if db.Dialect == Postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`,
					fmt.Sprintf("resume:%d:%s", contentID, userID)); err != nil {
					return err
				}
			}
			var maxVersion int
			if err := tx.NewRaw(`SELECT COALESCE(MAX(version), 0) FROM resume WHERE content_id = ? AND user_id = ?`,
				contentID, userID).Scan(ctx, &maxVersion); err != nil {
				return err
			}
			version = maxVersion + 1
		}
		t := now()
		for i := range items {
			items[i].ContentID, items[i].UserID, items[i].Version, items[i].CreatedAt = contentID, userID, version, t
		}
		_, err := tx.NewInsert().Model(&items).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: add resume: %w", err)
	}
	return version, nil
}

// ResumeQAs returns every non-empty cover-letter item of the content written
// by the user, oldest first (seed-spec §5.8).
func (db *DB) ResumeQAs(ctx context.Context, contentID int64, userID string) ([]ResumeItem, error) {
	var items []ResumeItem
	err := db.Bun.NewSelect().Model(&items).
		Where("content_id = ? AND user_id = ?", contentID, userID).
		Where("question <> '' AND answer <> ''").OrderExpr("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: resume Q&A: %w", err)
	}
	return items, nil
}

// AddGeneratedQuestions stores questions generated for a content.
func (db *DB) AddGeneratedQuestions(ctx context.Context, qs []GeneratedQuestion) error {
	if len(qs) == 0 {
		return nil
	}
	t := now()
	for i := range qs {
		qs[i].CreatedAt = t
	}
	if _, err := db.Bun.NewInsert().Model(&qs).Exec(ctx); err != nil {
		return fmt.Errorf("store: add generated questions: %w", err)
	}
	return nil
}

// PickBasicQuestions returns up to n random bank questions with the label.
func (db *DB) PickBasicQuestions(ctx context.Context, label string, n int) ([]BasicQuestion, error) {
	var qs []BasicQuestion
	err := db.Bun.NewSelect().Model(&qs).Where("label = ?", label).OrderExpr("random()").Limit(int64(n)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: pick basic questions: %w", err)
	}
	return qs, nil
}

// PickUnusedGenerated returns up to n random unused generated questions of
// the content with the type.
func (db *DB) PickUnusedGenerated(ctx context.Context, contentID int64, typ string, n int) ([]GeneratedQuestion, error) {
	var qs []GeneratedQuestion
	q := db.Bun.NewSelect().Model(&qs).Where("content_id = ? AND is_used = ?", contentID, false)
	if typ != "" {
		q = q.Where("type = ?", typ)
	}
	if err := q.OrderExpr("random()").Limit(int64(n)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: pick generated questions: %w", err)
	}
	return qs, nil
}

// CreateSession inserts the session and its ordered questions (basic ones
// first, numbered from 1) and marks the generated questions used, all in one
// transaction. If another session consumed one of the generated questions
// meanwhile it returns ErrConflict and writes nothing.
func (db *DB) CreateSession(ctx context.Context, s *Session, basic []BasicQuestion, generated []GeneratedQuestion) ([]SessionQuestion, error) {
	var sqs []SessionQuestion
	err := db.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		t := now()
		s.CreatedAt = t
		if s.StartedAt.IsZero() {
			s.StartedAt = t
		}
		if _, err := tx.NewInsert().Model(s).Exec(ctx); err != nil {
			return err
		}
		order := 0
		add := func(typ string, id int64) {
			order++
			o := order
			sqs = append(sqs, SessionQuestion{SessionID: s.ID, QuestionType: typ, QuestionID: id, OrderNo: &o, CreatedAt: t})
		}
		for _, q := range basic {
			add(QuestionBasic, q.ID)
		}
		ids := make([]int64, 0, len(generated))
		for _, q := range generated {
			add(QuestionGenerated, q.ID)
			ids = append(ids, q.ID)
		}
		if len(ids) > 0 {
			res, err := tx.NewUpdate().Model((*GeneratedQuestion)(nil)).Set("is_used = ?", true).
				Where("id IN (?) AND is_used = ?", bun.List(ids), false).Exec(ctx)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != int64(len(ids)) {
				return ErrConflict
			}
		}
		if len(sqs) > 0 {
			if _, err := tx.NewInsert().Model(&sqs).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, ErrConflict) {
		return nil, fmt.Errorf("store: create session: %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("store: create session: %w", err)
	}
	return sqs, nil
}

// Session loads one session.
func (db *DB) Session(ctx context.Context, id int64) (*Session, error) {
	s := new(Session)
	if err := db.Bun.NewSelect().Model(s).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "session")
	}
	return s, nil
}

// ListSessions returns the user's sessions of a content, newest first.
func (db *DB) ListSessions(ctx context.Context, userID string, contentID int64, page Page) ([]Session, error) {
	var ss []Session
	q := db.Bun.NewSelect().Model(&ss).Where("user_id = ? AND content_id = ?", userID, contentID).
		OrderExpr("created_at DESC, id DESC")
	if page.Limit > 0 {
		q = q.Limit(int64(page.Limit))
	}
	if page.Offset > 0 {
		q = q.Offset(int64(page.Offset))
	}
	err := q.Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	return ss, nil
}

// QuestionCounts returns how many questions each of the sessions has; a
// session without any is absent from the map.
func (db *DB) QuestionCounts(ctx context.Context, sessionIDs []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(sessionIDs))
	if len(sessionIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		SessionID int64 `bun:"session_id"`
		N         int   `bun:"n"`
	}
	err := db.Bun.NewRaw(`SELECT session_id, COUNT(*) AS n FROM session_question WHERE session_id IN (?) GROUP BY session_id`,
		bun.In(sessionIDs)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("store: question counts: %w", err)
	}
	for _, r := range rows {
		out[r.SessionID] = r.N
	}
	return out, nil
}

// SaveSessionStatus persists status, started_at and ended_at.
func (db *DB) SaveSessionStatus(ctx context.Context, s *Session) error {
	t := now()
	s.UpdatedAt = &t
	res, err := db.Bun.NewUpdate().Model(s).Column("status", "started_at", "ended_at", "updated_at").WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: save session: %w", err)
	}
	return mustAffect(res, "session")
}

const questionTextJoin = `
	LEFT JOIN basic_question bq ON sq.question_type = 'BASIC' AND bq.id = sq.question_id
	LEFT JOIN generated_question gq ON sq.question_type = 'GENERATED' AND gq.id = sq.question_id`

// SessionQuestions returns the session's questions by order_no with their
// text and type resolved from the bank or the generated questions.
func (db *DB) SessionQuestions(ctx context.Context, sessionID int64) ([]SessionQuestionText, error) {
	var rows []SessionQuestionText
	err := db.Bun.NewRaw(`SELECT sq.*, COALESCE(bq.text, gq.text) AS text, COALESCE(bq.label, gq.type) AS type
		FROM session_question sq`+questionTextJoin+`
		WHERE sq.session_id = ? ORDER BY sq.order_no, sq.id`, sessionID).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("store: session questions: %w", err)
	}
	return rows, nil
}

// SessionQuestionByOrder finds the session's question with this 1-based
// order number.
func (db *DB) SessionQuestionByOrder(ctx context.Context, sessionID int64, orderNo int) (*SessionQuestion, error) {
	sq := new(SessionQuestion)
	if err := db.Bun.NewSelect().Model(sq).Where("session_id = ? AND order_no = ?", sessionID, orderNo).Scan(ctx); err != nil {
		return nil, notFound(err, "session question")
	}
	return sq, nil
}

// BeginAttempt inserts an attempt in the "uploading" state so the recording
// can be stored under its id.
func (db *DB) BeginAttempt(ctx context.Context, a *Attempt) error {
	t := now()
	status := AttemptUploading
	zero := 0.0
	a.StartedAt, a.EndedAt, a.CreatedAt, a.Status, a.DurationSec = t, &t, t, &status, &zero
	if _, err := db.Bun.NewInsert().Model(a).Exec(ctx); err != nil {
		return fmt.Errorf("store: begin attempt: %w", err)
	}
	return nil
}

// FinishAttempt records the uploaded media and marks the attempt ok in one
// transaction.
func (db *DB) FinishAttempt(ctx context.Context, a *Attempt, assets []MediaAsset) error {
	err := db.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		t := now()
		for i := range assets {
			assets[i].CreatedAt = t
		}
		if len(assets) > 0 {
			if _, err := tx.NewInsert().Model(&assets).Exec(ctx); err != nil {
				return err
			}
		}
		status := AttemptOK
		a.Status = &status
		_, err := tx.NewUpdate().Model(a).Column("status", "duration_sec", "ended_at").WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish attempt: %w", err)
	}
	return nil
}

// DeleteAttempt removes an attempt whose upload failed.
func (db *DB) DeleteAttempt(ctx context.Context, id int64) error {
	if _, err := db.Bun.NewDelete().Model((*Attempt)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("store: delete attempt: %w", err)
	}
	return nil
}

// Attempt loads a finished attempt that belongs to the session.
func (db *DB) Attempt(ctx context.Context, sessionID, attemptID int64) (*Attempt, error) {
	a := new(Attempt)
	err := db.Bun.NewSelect().Model(a).Where("id = ? AND session_id = ?", attemptID, sessionID).
		Where("status IS NULL OR status <> ?", AttemptUploading).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "attempt")
	}
	return a, nil
}

// AttemptRow is an attempt with its question text and stored scores, for
// listings.
type AttemptRow struct {
	Attempt
	ContentID    int64    `bun:"content_id"`
	QuestionText *string  `bun:"question_text"`
	OrderNo      *int     `bun:"order_no"`
	OverallVoice *float64 `bun:"overall_voice"`
	OverallFace  *float64 `bun:"overall_face"`
	OverallPose  *float64 `bun:"overall_pose"`
	Tremor       *float64 `bun:"tremor"`
	Blank        *float64 `bun:"blank"`
	Tone         *float64 `bun:"tone"`
	Speed        *float64 `bun:"speed"`
	Gaze         *float64 `bun:"gaze"`
	EyeBlink     *float64 `bun:"eye_blink"`
	Mouth        *float64 `bun:"mouth"`
	Shoulder     *float64 `bun:"shoulder"`
	Head         *float64 `bun:"head"`
	Hand         *float64 `bun:"hand"`
	Comment      *string  `bun:"comment"`
}

const attemptRowSelect = `SELECT a.*, s.content_id, sq.order_no, COALESCE(bq.text, gq.text) AS question_text,
	fs.overall_voice, fs.overall_face, fs.overall_pose, fs.tremor, fs.blank, fs.tone, fs.speed,
	fs.gaze, fs.eye_blink, fs.mouth, fs.shoulder, fs.head, fs.hand, fs.comment
	FROM attempts a
	JOIN sessions s ON s.id = a.session_id
	JOIN session_question sq ON sq.id = a.session_question_id` + questionTextJoin + `
	LEFT JOIN feedback_summary fs ON fs.session_id = a.session_id AND fs.attempt_id = a.id
	WHERE (a.status IS NULL OR a.status <> 'uploading')`

// SessionAttempts lists the session's finished attempts by start time.
func (db *DB) SessionAttempts(ctx context.Context, sessionID int64) ([]AttemptRow, error) {
	var rows []AttemptRow
	err := db.Bun.NewRaw(attemptRowSelect+` AND a.session_id = ? ORDER BY a.started_at, a.id`, sessionID).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("store: session attempts: %w", err)
	}
	return rows, nil
}

// UserAttempts lists all of the user's finished attempts, oldest first,
// optionally limited to one content (contentID 0 means all).
func (db *DB) UserAttempts(ctx context.Context, userID string, contentID int64) ([]AttemptRow, error) {
	var rows []AttemptRow
	q := attemptRowSelect + ` AND s.user_id = ?`
	args := []any{userID}
	if contentID != 0 {
		q += ` AND s.content_id = ?`
		args = append(args, contentID)
	}
	if err := db.Bun.NewRaw(q+` ORDER BY a.started_at, a.id`, args...).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("store: user attempts: %w", err)
	}
	return rows, nil
}

// LatestMedia returns the newest media asset of the attempt whose kind is one
// of kinds.
func (db *DB) LatestMedia(ctx context.Context, sessionID, attemptID int64, kinds ...int) (*MediaAsset, error) {
	m := new(MediaAsset)
	err := db.Bun.NewSelect().Model(m).Where("session_id = ? AND attempt_id = ?", sessionID, attemptID).
		Where("kind IN (?)", bun.List(kinds)).OrderExpr("created_at DESC, id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "media asset")
	}
	return m, nil
}

// Summary loads the feedback_summary row of an attempt.
func (db *DB) Summary(ctx context.Context, sessionID, attemptID int64) (*FeedbackSummary, error) {
	fs := new(FeedbackSummary)
	if err := db.Bun.NewSelect().Model(fs).Where("session_id = ? AND attempt_id = ?", sessionID, attemptID).Scan(ctx); err != nil {
		return nil, notFound(err, "feedback summary")
	}
	return fs, nil
}

// SetComment upserts the answer-evaluation comment of an attempt. The insert
// and the update are one statement, so concurrent writers cannot collide on
// the primary key (seed-spec §6.1).
func (db *DB) SetComment(ctx context.Context, sessionID, attemptID int64, comment string) error {
	fs := &FeedbackSummary{SessionID: sessionID, AttemptID: attemptID, Comment: &comment}
	_, err := db.Bun.NewInsert().Model(fs).Column("session_id", "attempt_id", "comment").
		On("CONFLICT (session_id, attempt_id) DO UPDATE").Set("comment = EXCLUDED.comment").Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set comment: %w", err)
	}
	return nil
}

// SetTranscript stores the attempt's transcript.
func (db *DB) SetTranscript(ctx context.Context, attemptID int64, text string) error {
	_, err := db.Bun.NewUpdate().Model((*Attempt)(nil)).Set("stt_text = ?", text).Where("id = ?", attemptID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set transcript: %w", err)
	}
	return nil
}

// EnsureJob creates the attempt's analysis job in the queued state unless one
// exists. created reports whether this call made it; exactly one caller ever
// does, because attempt_id is the primary key.
func (db *DB) EnsureJob(ctx context.Context, sessionID, attemptID int64, options string) (job *AnalysisJob, created bool, err error) {
	t := now()
	if options == "" {
		options = "{}"
	}
	j := &AnalysisJob{AttemptID: attemptID, SessionID: sessionID, Status: JobQueued, Options: options, CreatedAt: t, UpdatedAt: t}
	res, err := db.Bun.NewInsert().Model(j).On("CONFLICT (attempt_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("store: create analysis job: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, false, fmt.Errorf("store: create analysis job: %w", err)
	}
	job, err = db.Job(ctx, attemptID)
	return job, n == 1, err
}

// RequeueFailedJob moves a failed job back to queued so a new request can
// retry it; it reports whether this call did so.
func (db *DB) RequeueFailedJob(ctx context.Context, attemptID int64) (bool, error) {
	res, err := db.Bun.NewUpdate().Model((*AnalysisJob)(nil)).
		Set("status = ?", JobQueued).Set("progress = 0").Set("error = NULL").Set("updated_at = ?", now()).
		Where("attempt_id = ? AND status = ?", attemptID, JobFailed).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: requeue job: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetRiverJobID records which River job carries the analysis.
func (db *DB) SetRiverJobID(ctx context.Context, attemptID, riverJobID int64) error {
	_, err := db.Bun.NewUpdate().Model((*AnalysisJob)(nil)).Set("river_job_id = ?", riverJobID).
		Set("updated_at = ?", now()).Where("attempt_id = ?", attemptID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set river job id: %w", err)
	}
	return nil
}

// Job loads the attempt's analysis job.
func (db *DB) Job(ctx context.Context, attemptID int64) (*AnalysisJob, error) {
	j := new(AnalysisJob)
	if err := db.Bun.NewSelect().Model(j).Where("attempt_id = ?", attemptID).Scan(ctx); err != nil {
		return nil, notFound(err, "analysis job")
	}
	return j, nil
}

// StartJob marks the job running and counts the try. It returns
// ErrAlreadyDone if the result is already stored, so a redelivered job does
// nothing.
func (db *DB) StartJob(ctx context.Context, attemptID int64) (*AnalysisJob, error) {
	t := now()
	res, err := db.Bun.NewUpdate().Model((*AnalysisJob)(nil)).
		Set("status = ?", JobRunning).Set("tries = tries + 1").Set("started_at = ?", t).Set("updated_at = ?", t).
		Where("attempt_id = ? AND status <> ?", attemptID, JobDone).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: start job: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := db.Job(ctx, attemptID); err != nil {
			return nil, err
		}
		return nil, ErrAlreadyDone
	}
	return db.Job(ctx, attemptID)
}

// SetJobProgress records progress in [0, 1] of a running job.
func (db *DB) SetJobProgress(ctx context.Context, attemptID int64, progress float64) error {
	if !(progress >= 0) {
		progress = 0
	}
	progress = min(progress, 1)
	_, err := db.Bun.NewUpdate().Model((*AnalysisJob)(nil)).Set("progress = ?", progress).Set("updated_at = ?", now()).
		Where("attempt_id = ? AND status = ?", attemptID, JobRunning).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: job progress: %w", err)
	}
	return nil
}

// FailJob records an error. With final=false the job goes back to queued
// (River will retry it); with final=true it is failed until a new request
// requeues it.
func (db *DB) FailJob(ctx context.Context, attemptID int64, msg string, final bool) error {
	status := JobQueued
	q := db.Bun.NewUpdate().Model((*AnalysisJob)(nil))
	if final {
		status = JobFailed
		q = q.Set("finished_at = ?", now())
	}
	_, err := q.Set("status = ?", status).Set("error = ?", msg).Set("updated_at = ?", now()).
		Where("attempt_id = ? AND status <> ?", attemptID, JobDone).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: fail job: %w", err)
	}
	return nil
}

// AnalysisResult is what one analysis writes: the score columns that are not
// nil, the payload JSON documents, and the transcript when not empty.
type AnalysisResult struct {
	SessionID, AttemptID int64
	// Scores holds feedback_summary column names → values (e.g.
	// "overall_voice", "tremor"); only these columns are written.
	Scores     map[string]float64
	Transcript string
	Voice      *string
	Pose       *string
	Expression *string
	Combined   *string
	// Unavailable says why a modality has no result.
	Unavailable map[string]string
}

var scoreColumns = map[string]bool{
	"overall": true, "overall_face": true, "overall_voice": true, "overall_pose": true,
	"gaze": true, "eye_blink": true, "mouth": true, "tremor": true, "blank": true,
	"tone": true, "speed": true, "shoulder": true, "head": true, "hand": true,
}

// CompleteJob writes an analysis result and marks the job done, all in one
// transaction. If the job was already done it writes nothing and returns
// ErrAlreadyDone, so exactly one result per attempt is ever stored.
func (db *DB) CompleteJob(ctx context.Context, r AnalysisResult) error {
	cols := make([]string, 0, len(r.Scores))
	for c, v := range r.Scores {
		if !scoreColumns[c] {
			return fmt.Errorf("store: complete job: unknown score column %q", c)
		}
		// numeric(5,2) holds |v| < 1000; anything else is a bug upstream and
		// must not become a database error half-way through the transaction.
		if v != v || v >= 1000 || v <= -1000 {
			return fmt.Errorf("store: complete job: score %s=%v out of range", c, v)
		}
		cols = append(cols, c)
	}
	err := db.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		t := now()
		res, err := tx.NewUpdate().Model((*AnalysisJob)(nil)).
			Set("status = ?", JobDone).Set("progress = 1").Set("error = NULL").
			Set("finished_at = ?", t).Set("updated_at = ?", t).
			Where("attempt_id = ? AND status <> ?", r.AttemptID, JobDone).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrAlreadyDone
		}
		if len(cols) > 0 {
			names := []string{"session_id", "attempt_id"}
			values := []any{r.SessionID, r.AttemptID}
			sets := make([]string, 0, len(cols))
			for _, c := range cols {
				names = append(names, c)
				values = append(values, roundTo(r.Scores[c], 2))
				sets = append(sets, c+" = EXCLUDED."+c)
			}
			q := "INSERT INTO feedback_summary (" + strings.Join(names, ", ") + ") VALUES (?" +
				strings.Repeat(", ?", len(values)-1) + ") ON CONFLICT (session_id, attempt_id) DO UPDATE SET " +
				strings.Join(sets, ", ")
			if _, err := tx.NewRaw(q, values...).Exec(ctx); err != nil {
				return err
			}
		}
		aa := &AttemptAnalysis{AttemptID: r.AttemptID, SessionID: r.SessionID, Voice: r.Voice, Pose: r.Pose,
			Expression: r.Expression, Combined: r.Combined, Unavailable: r.Unavailable, CreatedAt: t}
		if _, err := tx.NewInsert().Model(aa).On("CONFLICT (attempt_id) DO UPDATE").
			Set("voice = EXCLUDED.voice, pose = EXCLUDED.pose, expression = EXCLUDED.expression, combined = EXCLUDED.combined, unavailable = EXCLUDED.unavailable").
			Exec(ctx); err != nil {
			return err
		}
		if r.Transcript != "" {
			if _, err := tx.NewUpdate().Model((*Attempt)(nil)).Set("stt_text = ?", r.Transcript).
				Where("id = ?", r.AttemptID).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, ErrAlreadyDone) {
		return ErrAlreadyDone
	}
	if err != nil {
		return fmt.Errorf("store: complete job: %w", err)
	}
	return nil
}

// Analysis loads the stored payloads of an attempt.
func (db *DB) Analysis(ctx context.Context, attemptID int64) (*AttemptAnalysis, error) {
	aa := new(AttemptAnalysis)
	if err := db.Bun.NewSelect().Model(aa).Where("attempt_id = ?", attemptID).Scan(ctx); err != nil {
		return nil, notFound(err, "attempt analysis")
	}
	return aa, nil
}

func roundTo(v float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	r := v * p
	if r < 0 {
		return -float64(int64(-r+0.5)) / p
	}
	return float64(int64(r+0.5)) / p
}

// JobCounts returns the number of analysis jobs per status.
func (db *DB) JobCounts(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Status string `bun:"status"`
		N      int    `bun:"n"`
	}
	if err := db.Bun.NewRaw(`SELECT status, count(*) AS n FROM analysis_jobs GROUP BY status`).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("store: job counts: %w", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// UnusedGenerated lists a content's unused generated questions, oldest first.
func (db *DB) UnusedGenerated(ctx context.Context, contentID int64) ([]GeneratedQuestion, error) {
	var qs []GeneratedQuestion
	err := db.Bun.NewSelect().Model(&qs).Where("content_id = ? AND is_used = ?", contentID, false).OrderExpr("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: unused generated questions: %w", err)
	}
	return qs, nil
}

// QuestionText returns the text of a session question, "" when it cannot be
// resolved.
func (db *DB) QuestionText(ctx context.Context, sessionQuestionID int64) (string, error) {
	return db.questionText(ctx, "sq.id = ?", sessionQuestionID)
}

// AttemptQuestion returns the text of the question an attempt answers, ""
// when it cannot be resolved.
func (db *DB) AttemptQuestion(ctx context.Context, attemptID int64) (string, error) {
	return db.questionText(ctx, "sq.id = (SELECT session_question_id FROM attempts WHERE id = ?)", attemptID)
}

// questionText resolves the text of the session question that where selects.
func (db *DB) questionText(ctx context.Context, where string, arg any) (string, error) {
	var text []string
	err := db.Bun.NewRaw(`SELECT COALESCE(bq.text, gq.text, '') FROM session_question sq`+questionTextJoin+`
		WHERE `+where, arg).Scan(ctx, &text)
	if err != nil {
		return "", fmt.Errorf("store: question text: %w", err)
	}
	if len(text) == 0 {
		return "", nil
	}
	return text[0], nil
}
