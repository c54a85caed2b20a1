package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"github.com/nevermind-ai/nevermind/server/store"
)

// Limits that replace the seed's database 500s with clear 400s.
const (
	maxNameLen     = 100   // company, role
	maxQuestionLen = 1000  // cover-letter question
	maxTextLen     = 20000 // cover-letter answer, JD, answer text
)

// jsonString reports whether v (decoded into any) is a JSON string.
func jsonString(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// jsonInt reports whether v is a JSON integer (Python's isinstance(v, int)).
func jsonInt(v any) (int64, bool) {
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// orZero returns *p, or T's zero value for an absent optional body.
func orZero[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// hasNUL reports whether any text contains U+0000, which PostgreSQL text
// cannot store; such input is a 400, not a database error.
func hasNUL(texts ...string) bool {
	for _, t := range texts {
		if strings.ContainsRune(t, 0) {
			return true
		}
	}
	return false
}

// ownedContent loads a content of the caller; another user's content is
// reported exactly like a missing one.
func (s *Server) ownedContent(ctx context.Context, id int64, notFound error) (*store.Content, error) {
	c, err := s.db.Content(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && c.UserID != userFrom(ctx).ID {
		return nil, notFound
	}
	if err != nil {
		return nil, failed("load content", err)
	}
	return c, nil
}

// pageQuery is the optional pagination of the list routes; without it they
// list everything, as the seed did.
type pageQuery struct {
	Limit  int `query:"limit" minimum:"0" maximum:"500" doc:"At most this many rows; 0 or absent: all"`
	Offset int `query:"offset" minimum:"0" doc:"Rows to skip"`
}

func (q *pageQuery) page() store.Page { return store.Page{Limit: q.Limit, Offset: q.Offset} }

type contentListItem struct {
	ID                int64    `json:"id"`
	Company           string   `json:"company"`
	Role              string   `json:"role"`
	InterviewDate     *isoDate `json:"interview_date"`
	CompletedSessions int      `json:"completed_sessions"`
	TotalSessions     int      `json:"total_sessions"`
}

type createContentBody struct {
	_             struct{} `additionalProperties:"true"`
	Company       any      `json:"company,omitempty" doc:"Company, required, at most 100 characters."`
	Role          any      `json:"role,omitempty" doc:"Role, required, at most 100 characters."`
	JDText        any      `json:"jd_text,omitempty" doc:"Job description, optional."`
	RoleCategory  any      `json:"role_category,omitempty" doc:"Integer or null (stored as 0)."`
	InterviewDate any      `json:"interview_date,omitempty" doc:"YYYY-MM-DD, optional."`
}

type contentJSON struct {
	ID            int64    `json:"id"`
	Company       string   `json:"company"`
	Role          string   `json:"role"`
	RoleCategory  *int     `json:"role_category"`
	InterviewDate *isoDate `json:"interview_date"`
	JDText        *string  `json:"jd_text"`
	CreatedAt     isoTime  `json:"created_at"`
}

type createContentOut struct {
	Message string      `json:"message"`
	Content contentJSON `json:"content"`
}

type resumeBody struct {
	_         struct{} `additionalProperties:"true"`
	ContentID any      `json:"content_id,omitempty" doc:"Content id (integer)."`
	Version   any      `json:"version,omitempty" doc:"Positive integer; default: the next version."`
	Items     any      `json:"items,omitempty" doc:"Non-empty array of {question, answer}."`
}

type resumeItemJSON struct {
	ID       int64  `json:"id"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

type resumeOut struct {
	Message   string           `json:"message"`
	ContentID int64            `json:"content_id"`
	Version   int              `json:"version"`
	Items     []resumeItemJSON `json:"items"`
	// CreatedCount is not the seed's: the frontend toasts
	// "자기소개서 N개 항목이 등록되었습니다" with it.
	CreatedCount int `json:"created_count"`
}

type planJSON struct {
	Mode   string   `json:"mode"`
	GoalID string   `json:"goal_id"`
	TipIDs []string `json:"tip_ids"`
}

type questionPlanBody struct {
	_     struct{} `additionalProperties:"true"`
	Mode  any      `json:"mode,omitempty" doc:"job or soft."`
	Count any      `json:"count,omitempty" doc:"1..10, default 5."`
}

type questionPlanOut struct {
	Message            string   `json:"message"`
	Plan               planJSON `json:"plan"`
	GeneratedQuestions []string `json:"generated_questions"`
}

type generateBody struct {
	_         struct{} `additionalProperties:"true"`
	ContentID any      `json:"content_id,omitempty" doc:"Content id (integer)."`
	QAs       any      `json:"qas,omitempty" doc:"Array of {q, a} cover-letter pairs."`
}

type generateOut struct {
	Message        string `json:"message"`
	ContentID      int64  `json:"content_id"`
	GeneratedCount int    `json:"generated_count"`
}

func (s *Server) registerInterviews() {
	tags := []string{"interviews"}
	register(s, huma.Operation{OperationID: "list-contents", Method: http.MethodGet, Path: "/api/interviews/contents",
		Summary: "The caller's interviews with session counts, newest first", Tags: tags, Security: bearer}, s.listContents)
	register(s, huma.Operation{OperationID: "create-content", Method: http.MethodPost, Path: "/api/interviews/contents",
		Summary: "Create an interview (company, role, date)", Tags: tags, Security: bearer}, s.createContent)
	register(s, huma.Operation{OperationID: "create-resume", Method: http.MethodPost, Path: "/api/interviews/resume",
		Summary: "Save a version of the cover letter (자소서) Q&A", Tags: tags, Security: bearer}, s.createResume)
	register(s, huma.Operation{OperationID: "question-plan", Method: http.MethodPost, Path: "/api/interviews/{content_id}/question-plan",
		Summary: "Today's goal, tips and questions to practise", Tags: tags, Security: bearer}, s.questionPlan)
	register(s, huma.Operation{OperationID: "question-plan-preview", Method: http.MethodGet, Path: "/api/interviews/{content_id}/question-plan/preview",
		Summary: "Preview of the plan (the seed's unreachable route, now reachable)", Tags: tags, Security: bearer}, s.questionPlanPreview)
	register(s, huma.Operation{OperationID: "generate-questions", Method: http.MethodPost, Path: "/api/interviews/question",
		Summary: "Generate interview questions from cover-letter Q&A", Tags: tags, Security: bearer}, s.generateQuestions)
	register(s, huma.Operation{OperationID: "legacy-generation-session", Method: http.MethodPost, Path: "/api/interviews/{content_id}/sessions/start",
		Summary: "Deprecated generation session; use POST /api/sessions/{content_id}/start", Tags: tags, Security: bearer, Deprecated: true},
		s.legacyGenerationSession)
}

func (s *Server) listContents(ctx context.Context, in *pageQuery) (*jsonBody[[]contentListItem], error) {
	rows, err := s.db.ListContents(ctx, userFrom(ctx).ID, in.page())
	if err != nil {
		return nil, failed("list contents", err)
	}
	out := make([]contentListItem, 0, len(rows))
	for _, r := range rows {
		out = append(out, contentListItem{r.ID, r.Company, r.Role, datePtr(r.InterviewDate), r.CompletedSessions, r.TotalSessions})
	}
	return &jsonBody[[]contentListItem]{out}, nil
}

func (s *Server) createContent(ctx context.Context, in *jsonBody[createContentBody]) (*jsonBody[createContentOut], error) {
	b := in.Body
	company, _ := jsonString(b.Company)
	if company = strings.TrimSpace(company); company == "" {
		return nil, badBody("company is required")
	}
	role, _ := jsonString(b.Role)
	if role = strings.TrimSpace(role); role == "" {
		return nil, badBody("role is required")
	}
	if tooLong(company, maxNameLen) || tooLong(role, maxNameLen) {
		return nil, badBody(fmt.Sprintf("company and role must be at most %d characters", maxNameLen))
	}
	jd := ""
	if b.JDText != nil {
		v, ok := jsonString(b.JDText)
		if !ok {
			return nil, badBody("jd_text must be a string")
		}
		if jd = strings.TrimSpace(v); tooLong(jd, maxTextLen) {
			return nil, badBody(fmt.Sprintf("jd_text must be at most %d characters", maxTextLen))
		}
	}
	if hasNUL(company, role, jd) {
		return nil, errNUL
	}
	category := 0
	if b.RoleCategory != nil {
		v, ok := jsonInt(b.RoleCategory)
		if !ok || v < math.MinInt32 || v > math.MaxInt32 {
			return nil, badBody("role_category must be int or null")
		}
		category = int(v)
	}
	var date *time.Time
	if b.InterviewDate != nil && b.InterviewDate != "" && b.InterviewDate != false {
		v, ok := jsonString(b.InterviewDate)
		d, err := time.Parse(time.DateOnly, v)
		if !ok || err != nil || !inYearRange(d) {
			return nil, errBadDate
		}
		date = &d
	}
	c := &store.Content{UserID: userFrom(ctx).ID, Company: company, Role: role, RoleCategory: &category, InterviewDate: date, JDText: &jd}
	if err := s.db.CreateContent(ctx, c); err != nil {
		return nil, failed("create content", err)
	}
	return &jsonBody[createContentOut]{createContentOut{"content_created_successfully", contentJSON{
		c.ID, c.Company, c.Role, c.RoleCategory, datePtr(c.InterviewDate), c.JDText, isoTime(c.CreatedAt)}}}, nil
}

func (s *Server) createResume(ctx context.Context, in *jsonBody[resumeBody]) (*jsonBody[resumeOut], error) {
	b := in.Body
	contentID, ok := jsonInt(b.ContentID)
	if !ok {
		return nil, badBody("content_id must be int")
	}
	if _, err := s.ownedContent(ctx, contentID, errContentNotFound); err != nil {
		return nil, err
	}
	version := 0
	if b.Version != nil {
		v, ok := jsonInt(b.Version)
		if !ok || v <= 0 || v > math.MaxInt32 {
			return nil, badBody("version must be positive int")
		}
		version = int(v)
	}
	rawItems, ok := b.Items.([]any)
	if !ok || len(rawItems) == 0 {
		return nil, badBody("items must be a non-empty array")
	}
	items := make([]store.ResumeItem, 0, len(rawItems))
	for _, raw := range rawItems {
		obj, ok := raw.(map[string]any)
		if !ok {
			return nil, badResumeItem("")
		}
		q, _ := jsonString(obj["question"])
		if q = strings.TrimSpace(q); q == "" {
			return nil, badResumeItem("question is required")
		}
		a := ""
		if obj["answer"] != nil {
			v, ok := jsonString(obj["answer"])
			if !ok {
				return nil, badResumeItem("answer must be a string")
			}
			a = strings.TrimSpace(v)
		}
		if tooLong(q, maxQuestionLen) || tooLong(a, maxTextLen) {
			return nil, badResumeItem(fmt.Sprintf("question must be at most %d and answer at most %d characters", maxQuestionLen, maxTextLen))
		}
		if hasNUL(q, a) {
			return nil, errNUL
		}
		items = append(items, store.ResumeItem{Question: q, Answer: a})
	}
	version, err := s.db.AddResume(ctx, contentID, userFrom(ctx).ID, version, items)
	if err != nil {
		return nil, failed("save resume", err)
	}
	out := resumeOut{Message: "resume_created_successfully", ContentID: contentID, Version: version, CreatedCount: len(items)}
	for _, it := range items {
		out.Items = append(out.Items, resumeItemJSON{it.ID, it.Question, it.Answer})
	}
	return &jsonBody[resumeOut]{out}, nil
}

type questionPlanInput struct {
	ContentID int64             `path:"content_id"`
	Body      *questionPlanBody `doc:"Optional."`
}

func (s *Server) questionPlan(ctx context.Context, in *questionPlanInput) (*jsonBody[questionPlanOut], error) {
	if _, err := s.ownedContent(ctx, in.ContentID, errInterviewNotFound); err != nil {
		return nil, err
	}
	body := orZero(in.Body)
	mode, _ := jsonString(body.Mode)
	if body.Mode == nil {
		mode = "job"
	}
	if mode != "job" && mode != "soft" {
		return nil, badBody("mode must be one of ['job','soft']")
	}
	count := int64(5)
	if body.Count != nil {
		v, ok := jsonInt(body.Count)
		if !ok || v < 1 || v > 10 {
			return nil, badBody("count must be between 1 and 10")
		}
		count = v
	}
	questions, err := s.planQuestions(ctx, in.ContentID, mode, int(count))
	if err != nil {
		return nil, failed("plan questions", err)
	}
	return &jsonBody[questionPlanOut]{questionPlanOut{"plan_created",
		planJSON{mode, "goal_" + mode + "_beginner", []string{"tip_star", "tip_example", "tip_followup"}}, questions}}, nil
}

type previewInput struct {
	ContentID int64  `path:"content_id"`
	Mode      string `query:"mode" default:"job" doc:"job, soft or both"`
}

// previewOutput is an alias of an unnamed type, not a defined type: huma
// names the body's schema after the operation ("Question-plan-previewResponse")
// only when the output type has no name, and the OpenAPI document keeps it.
type previewOutput = struct {
	Body struct {
		Message string   `json:"message"`
		Plan    planJSON `json:"plan"`
	}
}

func (s *Server) questionPlanPreview(ctx context.Context, in *previewInput) (*previewOutput, error) {
	if !s.limiter.allow("preview:"+userFrom(ctx).ID, 20, time.Minute) {
		return nil, errTooManyPreviews
	}
	if _, err := s.ownedContent(ctx, in.ContentID, errInterviewNotFound); err != nil {
		return nil, err
	}
	if in.Mode != "job" && in.Mode != "soft" && in.Mode != "both" {
		return nil, errBadPreviewMode
	}
	out := &previewOutput{}
	out.Body.Message = "plan_preview"
	out.Body.Plan = planJSON{in.Mode, "goal_" + in.Mode + "_focus", []string{"tip_example", "tip_star", "tip_followup"}}
	return out, nil
}

func (s *Server) generateQuestions(ctx context.Context, in *jsonBody[generateBody]) (*jsonBody[generateOut], error) {
	rawQAs, ok := in.Body.QAs.([]any)
	if !ok {
		return nil, badBody("qas is required and must be a list")
	}
	contentID, ok := jsonInt(in.Body.ContentID)
	if !ok {
		return nil, badBody("content_id is required and must be an integer")
	}
	if _, err := s.ownedContent(ctx, contentID, errContentNotFound); err != nil {
		return nil, err
	}
	if len(rawQAs) == 0 {
		return nil, badBody("qas must contain at least one item")
	}
	qas := make([]QA, 0, len(rawQAs))
	for _, raw := range rawQAs {
		obj, ok := raw.(map[string]any)
		if !ok {
			return nil, badQA("")
		}
		q, qok := jsonString(obj["q"])
		a, aok := jsonString(obj["a"])
		if !qok || !aok {
			return nil, badQA("Each QA must have 'q' and 'a' fields")
		}
		if tooLong(q, maxQuestionLen) || tooLong(a, maxTextLen) {
			return nil, badQA("q or a is too long")
		}
		if hasNUL(q, a) {
			return nil, errNUL
		}
		qas = append(qas, QA{q, a})
	}
	n, err := s.generateAndStore(ctx, contentID, qas, "job")
	if err != nil {
		return nil, err
	}
	return &jsonBody[generateOut]{generateOut{"questions_generated_successfully", contentID, n}}, nil
}

type legacyBody struct {
	_               struct{} `additionalProperties:"true"`
	Mode            any      `json:"mode,omitempty"`
	Count           any      `json:"count,omitempty"`
	OverrideContext any      `json:"override_context,omitempty"`
}

type legacyGenerationInput struct {
	ContentID int64       `path:"content_id"`
	Body      *legacyBody `doc:"Optional."`
}

// legacyGenerationSession validates as the seed's generation session did,
// then answers 410: sessions are started at POST /api/sessions/{content_id}/start.
func (s *Server) legacyGenerationSession(ctx context.Context, in *legacyGenerationInput) (*struct{}, error) {
	if !s.limiter.allow("generation:"+userFrom(ctx).ID, 10, time.Minute) {
		return nil, errTooManyGenerations
	}
	if _, err := s.ownedContent(ctx, in.ContentID, errInterviewNotFound); err != nil {
		return nil, err
	}
	body := orZero(in.Body)
	mode, _ := jsonString(body.Mode)
	if mode != "tech" && mode != "soft" && mode != "both" {
		return nil, badBody("Provide one of ['tech','soft','both'] as mode")
	}
	if body.Count != nil {
		if v, ok := jsonInt(body.Count); !ok || v < 1 || v > 10 {
			return nil, badBody("count must be 1~10")
		}
	}
	if oc, ok := body.OverrideContext.(map[string]any); ok && oc["questions"] != nil {
		qs, ok := oc["questions"].([]any)
		if !ok {
			return nil, badBody("override_context.questions must be a list")
		}
		if len(qs) > 100 {
			return nil, tooLargeBody("Max 100 questions")
		}
		for _, q := range qs {
			obj, _ := q.(map[string]any)
			text, _ := jsonString(obj["text"])
			if strings.TrimSpace(text) == "" {
				return nil, badBody("question.text is required")
			}
			if tooLong(text, 1000) {
				return nil, tooLargeBody("Each question.text ≤ 1000 chars")
			}
		}
	}
	return nil, errLegacyGeneration
}

// planQuestions picks real questions for a plan: unused generated questions
// of the content first, then the basic bank.
func (s *Server) planQuestions(ctx context.Context, contentID int64, mode string, count int) ([]string, error) {
	gen, err := s.db.PickUnusedGenerated(ctx, contentID, mode, count)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, count)
	for _, q := range gen {
		out = append(out, q.Text)
	}
	if len(out) < count {
		basic, err := s.db.PickBasicQuestions(ctx, mode, count-len(out))
		if err != nil {
			return nil, err
		}
		for _, q := range basic {
			out = append(out, q.Text)
		}
	}
	return out, nil
}

// generateAndStore runs the QuestionGenerator and stores its non-blank
// questions; fallbackType is used when the generator's type is not job/soft.
func (s *Server) generateAndStore(ctx context.Context, contentID int64, qas []QA, fallbackType string) (int, error) {
	if s.cfg.Generator == nil {
		return 0, errNoGenerator
	}
	qs, err := s.cfg.Generator.GenerateQuestions(ctx, qas)
	if err != nil {
		return 0, &remoteFailure{code: "question_generation_failed", err: err}
	}
	rows := make([]store.GeneratedQuestion, 0, len(qs))
	for _, q := range qs {
		text := strings.TrimSpace(q.Text)
		if text == "" {
			continue
		}
		typ := q.Type
		if typ != "job" && typ != "soft" {
			typ = fallbackType
		}
		rows = append(rows, store.GeneratedQuestion{ContentID: contentID, Type: typ, Text: text})
	}
	if err := s.db.AddGeneratedQuestions(ctx, rows); err != nil {
		return 0, failed("store generated questions", err)
	}
	return len(rows), nil
}
