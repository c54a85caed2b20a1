package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/nevermind-ai/nevermind/server/store"
)

// Question counts of a practice session (the seed's 3 + MIN_GENERATED=2).
const (
	basicPerSession     = 3
	generatedPerSession = 2
)

// ownedSession loads a session of the caller; another user's session is
// reported exactly like a missing one (never 403, never data).
func (s *Server) ownedSession(ctx context.Context, id int64, notFound error) (*store.Session, error) {
	sess, err := s.db.Session(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && sess.UserID != userFrom(ctx).ID {
		return nil, notFound
	}
	if err != nil {
		return nil, failed("load session", err)
	}
	return sess, nil
}

type startBody struct {
	_            struct{} `additionalProperties:"true"`
	PracticeType any      `json:"practice_type,omitempty" doc:"job (default) or soft."`
	AutoGenerate any      `json:"auto_generate,omitempty" doc:"Accepted for compatibility; generation happens when questions run short."`
	QAs          any      `json:"qas,omitempty" doc:"Ignored, as in the seed; the stored cover letter is used."`
}

type startQuestion struct {
	QuestionType string `json:"question_type"`
	QuestionID   int64  `json:"question_id"`
	OrderNo      int    `json:"order_no"`
	Text         string `json:"text"`
	Type         string `json:"type"`
}

type startOut struct {
	Message    string          `json:"message"`
	SessionID  int64           `json:"session_id"`
	ContentID  int64           `json:"content_id"`
	Status     string          `json:"status"`
	SessionMax int             `json:"session_max"`
	Questions  []startQuestion `json:"questions"`
}

type sessionJSON struct {
	ID         int64    `json:"id"`
	UserID     string   `json:"user_id"`
	ContentID  int64    `json:"content_id"`
	Status     string   `json:"status"`
	StartedAt  isoTime  `json:"started_at"`
	EndedAt    *isoTime `json:"ended_at"`
	CreatedAt  isoTime  `json:"created_at"`
	UpdatedAt  *isoTime `json:"updated_at"`
	SessionMax int      `json:"session_max"`
}

func toSessionJSON(s *store.Session) sessionJSON {
	return sessionJSON{s.ID, s.UserID, s.ContentID, s.Status, isoTime(s.StartedAt), isoPtr(s.EndedAt), isoTime(s.CreatedAt), isoPtr(s.UpdatedAt), s.SessionMax}
}

// sessionListItem is an item of GET /api/sessions: the seed's fields plus
// question_count, which the frontend's session list shows ("• N개 질문").
type sessionListItem struct {
	sessionJSON
	QuestionCount int `json:"question_count"`
}

type sessionQuestionJSON struct {
	ID           int64   `json:"id"`
	SessionID    int64   `json:"session_id"`
	QuestionType string  `json:"question_type"`
	QuestionID   int64   `json:"question_id"`
	OrderNo      *int    `json:"order_no"`
	Text         *string `json:"text"`
	Type         *string `json:"type"`
}

type sessionDetail struct {
	ID            int64                 `json:"id"`
	UserID        string                `json:"user_id"`
	ContentID     int64                 `json:"content_id"`
	Status        string                `json:"status"`
	StartedAt     isoTime               `json:"started_at"`
	EndedAt       *isoTime              `json:"ended_at"`
	CreatedAt     isoTime               `json:"created_at"`
	UpdatedAt     *isoTime              `json:"updated_at"`
	QuestionCount int                   `json:"question_count"`
	SessionMax    int                   `json:"session_max"`
	Questions     []sessionQuestionJSON `json:"questions"`
}

type statusBody struct {
	Status    *string `json:"status,omitempty" doc:"draft, running, done or canceled."`
	StartedAt *string `json:"started_at,omitempty" doc:"ISO 8601; a trailing Z is accepted."`
	EndedAt   *string `json:"ended_at,omitempty" doc:"ISO 8601; a trailing Z is accepted."`
}

type statusOut struct {
	Success   bool     `json:"success"`
	SessionID int64    `json:"session_id"`
	Status    string   `json:"status"`
	StartedAt isoTime  `json:"started_at"`
	EndedAt   *isoTime `json:"ended_at"`
}

func (s *Server) registerSessions() {
	tags := []string{"sessions"}
	register(s, huma.Operation{OperationID: "sessions-legacy-hint", Method: http.MethodPost, Path: "/api/sessions/{content_id}/sessions/start",
		Hidden: true, Tags: tags}, s.legacySessionHint)
	register(s, huma.Operation{OperationID: "start-session", Method: http.MethodPost, Path: "/api/sessions/{content_id}/start",
		Summary: "Start a practice session: 3 basic + 2 generated questions", Tags: tags, Security: bearer}, s.startSession)
	register(s, huma.Operation{OperationID: "get-session", Method: http.MethodGet, Path: "/api/sessions/{session_id}",
		Summary: "A session with its ordered questions", Tags: tags, Security: bearer}, s.getSession)
	register(s, huma.Operation{OperationID: "list-sessions", Method: http.MethodGet, Path: "/api/sessions",
		Summary: "The caller's sessions of one interview, newest first", Tags: tags, Security: bearer}, s.listSessions)
	register(s, huma.Operation{OperationID: "update-session-status", Method: http.MethodPatch, Path: "/api/sessions/{session_id}/status",
		Summary: "Set a session's status and times", Tags: tags, Security: bearer}, s.updateSessionStatus)
}

type legacySessionHintInput struct {
	ContentID string `path:"content_id"`
}

// legacySessionHint points a client of the seed's doubled path to the start route.
func (s *Server) legacySessionHint(context.Context, *legacySessionHintInput) (*jsonBody[map[string]string], error) {
	return &jsonBody[map[string]string]{map[string]string{"message": "use /api/sessions/{content_id}/start"}}, nil
}

type startSessionInput struct {
	ContentID int64      `path:"content_id"`
	Body      *startBody `doc:"Optional."`
}

func (s *Server) startSession(ctx context.Context, in *startSessionInput) (*jsonBody[startOut], error) {
	content, err := s.ownedContent(ctx, in.ContentID, errInterviewNotFoundToStart)
	if err != nil {
		return nil, err
	}
	pt := "job"
	if body := orZero(in.Body); body.PracticeType != nil {
		v, _ := jsonString(body.PracticeType)
		if v != "job" && v != "soft" {
			return nil, badBody("practice_type must be one of ['job','soft']")
		}
		pt = v
	}
	// Two starts may race for the same unused questions; the loser
	// picks again.
	for range 3 {
		out, err := s.tryStartSession(ctx, content, pt)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		return out, err
	}
	return nil, errStartConflict
}

type sessionPath struct {
	SessionID int64 `path:"session_id"`
}

func (s *Server) getSession(ctx context.Context, in *sessionPath) (*jsonBody[sessionDetail], error) {
	sess, err := s.ownedSession(ctx, in.SessionID, errSessionNotFound)
	if err != nil {
		return nil, err
	}
	qs, err := s.db.SessionQuestions(ctx, sess.ID)
	if err != nil {
		return nil, failed("session questions", err)
	}
	out := sessionDetail{ID: sess.ID, UserID: sess.UserID, ContentID: sess.ContentID, Status: sess.Status,
		StartedAt: isoTime(sess.StartedAt), EndedAt: isoPtr(sess.EndedAt), CreatedAt: isoTime(sess.CreatedAt),
		UpdatedAt: isoPtr(sess.UpdatedAt), QuestionCount: len(qs), SessionMax: sess.SessionMax, Questions: []sessionQuestionJSON{}}
	for _, q := range qs {
		out.Questions = append(out.Questions, sessionQuestionJSON{q.ID, q.SessionID, q.QuestionType, q.QuestionID, q.OrderNo, q.Text, q.Type})
	}
	return &jsonBody[sessionDetail]{out}, nil
}

type listSessionsInput struct {
	ContentID int64 `query:"content_id" required:"true"`
	Limit     int   `query:"limit" minimum:"0" maximum:"500" doc:"At most this many rows; 0 or absent: all"`
	Offset    int   `query:"offset" minimum:"0" doc:"Rows to skip"`
}

func (s *Server) listSessions(ctx context.Context, in *listSessionsInput) (*jsonBody[[]sessionListItem], error) {
	ss, err := s.db.ListSessions(ctx, userFrom(ctx).ID, in.ContentID, store.Page{Limit: in.Limit, Offset: in.Offset})
	if err != nil {
		return nil, failed("list sessions", err)
	}
	ids := make([]int64, len(ss))
	for i := range ss {
		ids[i] = ss[i].ID
	}
	counts, err := s.db.QuestionCounts(ctx, ids)
	if err != nil {
		return nil, failed("count session questions", err)
	}
	out := make([]sessionListItem, 0, len(ss))
	for i := range ss {
		out = append(out, sessionListItem{toSessionJSON(&ss[i]), counts[ss[i].ID]})
	}
	return &jsonBody[[]sessionListItem]{out}, nil
}

type sessionStatusInput struct {
	SessionID int64       `path:"session_id"`
	Body      *statusBody `doc:"Optional."`
}

func (s *Server) updateSessionStatus(ctx context.Context, in *sessionStatusInput) (*jsonBody[statusOut], error) {
	sess, err := s.ownedSession(ctx, in.SessionID, errSessionNotFound)
	if err != nil {
		return nil, err
	}
	body := orZero(in.Body)
	if st := body.Status; st != nil {
		switch *st {
		case store.SessionDraft, store.SessionRunning, store.SessionDone, store.SessionCanceled:
			sess.Status = *st
		default:
			return nil, errBadSessionStatus
		}
	}
	if v := body.StartedAt; v != nil {
		t, err := parseISO(*v)
		if err != nil {
			return nil, errBadStartedAt
		}
		sess.StartedAt = t
	}
	if v := body.EndedAt; v != nil {
		t, err := parseISO(*v)
		if err != nil {
			return nil, errBadEndedAt
		}
		sess.EndedAt = &t
	}
	if err := s.db.SaveSessionStatus(ctx, sess); err != nil {
		return nil, failed("save session", err)
	}
	return &jsonBody[statusOut]{statusOut{true, sess.ID, sess.Status, isoTime(sess.StartedAt), isoPtr(sess.EndedAt)}}, nil
}

// tryStartSession picks the questions of a new session of content and creates
// it; store.ErrConflict means a concurrent start took a question first.
func (s *Server) tryStartSession(ctx context.Context, content *store.Content, pt string) (*jsonBody[startOut], error) {
	basic, err := s.db.PickBasicQuestions(ctx, pt, basicPerSession)
	if err != nil {
		return nil, failed("pick basic questions", err)
	}
	if len(basic) < basicPerSession {
		return nil, tooFewBasicQuestions(pt, len(basic))
	}
	gen, err := s.db.PickUnusedGenerated(ctx, content.ID, pt, generatedPerSession)
	if err != nil {
		return nil, failed("pick generated questions", err)
	}
	if len(gen) < generatedPerSession {
		items, err := s.db.ResumeQAs(ctx, content.ID, userFrom(ctx).ID)
		if err != nil {
			s.log.ErrorContext(ctx, "load resume", "error", err)
			return nil, errResumeLoad
		}
		if len(items) == 0 {
			return nil, errResumeRequired
		}
		qas := make([]QA, 0, len(items))
		for _, it := range items {
			qas = append(qas, QA{Question: it.Question, Answer: it.Answer})
		}
		if _, err := s.generateAndStore(ctx, content.ID, qas, pt); err != nil {
			if errors.Is(err, errNoGenerator) || databaseUnavailable(err) {
				return nil, err
			}
			// The start says what it could not do; the cause goes to the log only.
			s.log.ErrorContext(ctx, "generate questions from resume", "error", err)
			return nil, errGenerationFromResume
		}
		if gen, err = s.db.PickUnusedGenerated(ctx, content.ID, pt, generatedPerSession); err != nil {
			return nil, failed("pick generated questions", err)
		}
		if len(gen) < generatedPerSession {
			return nil, tooFewGeneratedQuestions(pt, content.ID, len(gen))
		}
	}
	sess := &store.Session{UserID: userFrom(ctx).ID, ContentID: content.ID, Status: store.SessionDraft, SessionMax: len(basic) + len(gen)}
	sqs, err := s.db.CreateSession(ctx, sess, basic, gen)
	if err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, err
		}
		return nil, failed("create session", err)
	}
	out := startOut{Message: "session_started", SessionID: sess.ID, ContentID: content.ID, Status: sess.Status, SessionMax: sess.SessionMax}
	for i, sq := range sqs {
		q := startQuestion{QuestionType: sq.QuestionType, QuestionID: sq.QuestionID, OrderNo: *sq.OrderNo}
		if i < len(basic) {
			q.Text, q.Type = basic[i].Text, basic[i].Label
		} else {
			g := gen[i-len(basic)]
			q.Text, q.Type = g.Text, g.Type
		}
		out.Questions = append(out.Questions, q)
	}
	return &jsonBody[startOut]{out}, nil
}
