package server

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"sort"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/nevermind-ai/nevermind/server/store"
)

type jobStatusOut struct {
	SessionID  int64    `json:"session_id"`
	AttemptID  int64    `json:"attempt_id"`
	Status     string   `json:"status" enum:"not_started,queued,running,done,failed"`
	Progress   float64  `json:"progress"`
	Error      *string  `json:"error"`
	Tries      int      `json:"tries"`
	CreatedAt  *isoTime `json:"created_at"`
	StartedAt  *isoTime `json:"started_at"`
	FinishedAt *isoTime `json:"finished_at"`
}

func toJobStatus(sessionID, attemptID int64, j *store.AnalysisJob) jobStatusOut {
	if j == nil {
		return jobStatusOut{SessionID: sessionID, AttemptID: attemptID, Status: "not_started"}
	}
	c := isoTime(j.CreatedAt)
	return jobStatusOut{sessionID, attemptID, j.Status, j.Progress, j.Error, j.Tries, &c, isoPtr(j.StartedAt), isoPtr(j.FinishedAt)}
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func (s *Server) registerExtras() {
	tags := []string{"analysis"}
	register(s, huma.Operation{OperationID: "analysis-status", Method: http.MethodGet, Path: "/api/analysis/sessions/{session_id}/attempts/{attempt_id}",
		Summary: "Analysis job status of an attempt: not_started, queued, running, done or failed, with progress", Tags: tags, Security: bearer},
		s.analysisStatus)
	register(s, huma.Operation{OperationID: "analysis-request", Method: http.MethodPost, Path: "/api/analysis/sessions/{session_id}/attempts/{attempt_id}",
		Summary: "Queue the attempt's analysis (once; a failed one is retried); 202 until done", Tags: tags, Security: bearer,
		Responses: s.responses(map[int]any{200: jobStatusOut{}, 202: jobStatusOut{}})}, s.analysisRequest)
	register(s, huma.Operation{OperationID: "combined-feedback", Method: http.MethodGet, Path: "/api/feedback/{session_id}/attempts/{attempt_id}/combined",
		Summary: "All feedback of one attempt: every modality, overall score and timeline", Tags: []string{"feedback"}, Security: bearer},
		s.combinedFeedback)
	register(s, huma.Operation{OperationID: "attempt-report", Method: http.MethodGet, Path: "/api/feedback/{session_id}/attempts/{attempt_id}/report",
		Summary: "The attempt's HTML report, the page `nevermind analyze --html` writes: self-contained, no scripts", Tags: []string{"feedback"}, Security: bearer,
		Responses: map[string]*huma.Response{"200": {Description: "The report", Content: map[string]*huma.MediaType{"text/html": {}}}}},
		s.attemptReport)
	s.registerHistory()
	s.registerPracticePlan()
}

type attemptPath struct {
	SessionID int64 `path:"session_id"`
	AttemptID int64 `path:"attempt_id"`
}

// job is the attempt's analysis job, nil when none was ever queued.
func (s *Server) job(ctx context.Context, attemptID int64) (*store.AnalysisJob, error) {
	j, err := s.db.Job(ctx, attemptID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, failed("load job", err)
	}
	return j, nil
}

func (s *Server) analysisStatus(ctx context.Context, in *attemptPath) (*jsonBody[jobStatusOut], error) {
	sess, a, err := s.ownedAttempt(ctx, in.SessionID, in.AttemptID, errSessionNotFound, errAttemptNotFound)
	if err != nil {
		return nil, err
	}
	j, err := s.job(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	return &jsonBody[jobStatusOut]{toJobStatus(sess.ID, a.ID, j)}, nil
}

func (s *Server) analysisRequest(ctx context.Context, in *attemptPath) (*dynamicOut, error) {
	sess, a, err := s.ownedAttempt(ctx, in.SessionID, in.AttemptID, errSessionNotFound, errAttemptNotFound)
	if err != nil {
		return nil, err
	}
	if has, err := s.hasMedia(ctx, sess.ID, a.ID, store.MediaVideo, store.MediaAudio); err != nil {
		return nil, failed("find media", err)
	} else if !has {
		return nil, errMediaNotFound
	}
	j, err := s.requestAnalysis(ctx, sess.ID, a.ID, AnalysisOptions{}, true, 0)
	if err != nil {
		return nil, failed("request analysis", err)
	}
	out := &dynamicOut{Status: http.StatusAccepted, Body: toJobStatus(sess.ID, a.ID, j)}
	if j.Status == store.JobDone {
		out.Status = http.StatusOK
	}
	return out, nil
}

type reportInput struct {
	SessionID int64  `path:"session_id"`
	AttemptID int64  `path:"attempt_id"`
	Lang      string `query:"lang" enum:"ko,en" default:"ko" doc:"The report's language"`
}

type reportOut struct {
	ContentType string `header:"Content-Type"`
	// The report has no scripts and loads nothing; a policy that allows neither keeps it
	// so even if a text in it were ever mis-escaped.
	Policy string `header:"Content-Security-Policy"`
	Body   []byte
}

// reportPolicy allows the report's inline CSS and SVG and nothing else.
const reportPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

func (s *Server) attemptReport(ctx context.Context, in *reportInput) (*reportOut, error) {
	_, a, err := s.ownedAttempt(ctx, in.SessionID, in.AttemptID, errSessionNotFound, errAttemptNotFound)
	if err != nil {
		return nil, err
	}
	aa, err := s.analysis(ctx, a.ID)
	if err != nil {
		return nil, failed("load analysis", err)
	}
	if aa == nil || aa.Reports[in.Lang] == "" {
		return nil, errReportNotFound
	}
	return &reportOut{ContentType: "text/html; charset=utf-8", Policy: reportPolicy, Body: []byte(aa.Reports[in.Lang])}, nil
}

type combinedOut struct {
	SessionID    int64           `json:"session_id"`
	AttemptID    int64           `json:"attempt_id"`
	QuestionText *string         `json:"question_text"`
	Analysis     jobStatusOut    `json:"analysis"`
	OverallScore *float64        `json:"overall_score" doc:"Mean of the available modality scores on a 0-100 scale"`
	Voice        *voiceDBPayload `json:"voice"`
	Posture      *postureAllJSON `json:"posture"`
	Expression   json.RawMessage `json:"expression"`
	AnswerEval   answerEvalJSON  `json:"answer_eval"`
	Timeline     json.RawMessage `json:"timeline"`
	Feedback     json.RawMessage `json:"feedback" doc:"The pipeline's combined feedback document, or null"`
}

func (s *Server) combinedFeedback(ctx context.Context, in *attemptPath) (*jsonBody[combinedOut], error) {
	row, err := s.attemptRow(ctx, in.SessionID, in.AttemptID, errSessionNotFound, errAttemptNotFound)
	if err != nil {
		return nil, err
	}
	j, err := s.job(ctx, row.ID)
	if err != nil {
		return nil, err
	}
	aa, err := s.analysis(ctx, row.ID)
	if err != nil {
		return nil, failed("load analysis", err)
	}
	fs := &store.FeedbackSummary{OverallVoice: row.OverallVoice, Tremor: row.Tremor, Blank: row.Blank, Tone: row.Tone, Speed: row.Speed}
	out := combinedOut{SessionID: row.SessionID, AttemptID: row.ID, QuestionText: row.QuestionText,
		Analysis: toJobStatus(row.SessionID, row.ID, j), AnswerEval: answerEvalJSON{row.STTText, row.Comment},
		Expression: json.RawMessage("null"), Timeline: json.RawMessage("[]"), Feedback: json.RawMessage("null")}
	var sum float64
	n := 0
	if row.OverallVoice != nil {
		v := voiceFromDB(fs)
		out.Voice = &v
		sum, n = sum+*row.OverallVoice, n+1
	}
	all, err := attemptAll(row, aa)
	if err != nil {
		return nil, failed("load analysis", err)
	}
	if all.Posture != nil {
		out.Posture = all.Posture
		sum, n = sum+*row.OverallPose, n+1
	}
	if row.OverallFace != nil {
		sum, n = sum+*row.OverallFace, n+1
	}
	if aa != nil && aa.Expression != nil {
		out.Expression = json.RawMessage(*aa.Expression)
	}
	if aa != nil && aa.Combined != nil {
		out.Feedback = json.RawMessage(*aa.Combined)
		var doc struct {
			Timeline json.RawMessage `json:"timeline"`
		}
		if json.Unmarshal(out.Feedback, &doc) == nil && len(doc.Timeline) > 0 && string(doc.Timeline) != "null" {
			out.Timeline = doc.Timeline
		}
	}
	if n > 0 {
		v := round1(sum / float64(n))
		out.OverallScore = &v
	}
	return &jsonBody[combinedOut]{out}, nil
}

// metricDefs are the per-attempt metrics the history and plans track, each
// on a 0-100 scale.
var metricDefs = []struct {
	id, label string
	value     func(r *store.AttemptRow) *float64
	scale     float64
}{
	{"tremor", "떨림", func(r *store.AttemptRow) *float64 { return r.Tremor }, 1},
	{"pause", "공백", func(r *store.AttemptRow) *float64 { return r.Blank }, 1},
	{"tone", "억양", func(r *store.AttemptRow) *float64 { return r.Tone }, 1},
	{"speed", "속도", func(r *store.AttemptRow) *float64 { return r.Speed }, 1},
	{"gaze", "시선", func(r *store.AttemptRow) *float64 { return r.Gaze }, 100},
	{"blink", "깜빡임", func(r *store.AttemptRow) *float64 { return r.EyeBlink }, 100},
	{"shoulder", "어깨", func(r *store.AttemptRow) *float64 { return r.Shoulder }, 1},
	{"head_tilt", "고개", func(r *store.AttemptRow) *float64 { return r.Head }, 1},
	{"hand", "손", func(r *store.AttemptRow) *float64 { return r.Hand }, 1},
}

type metricStat struct {
	Metric  string  `json:"metric"`
	Label   string  `json:"label"`
	Count   int     `json:"count"`
	Average float64 `json:"average"`
	First   float64 `json:"first"`
	Last    float64 `json:"last"`
	Change  float64 `json:"change"`
}

// metricStats summarises each metric over attempts in time order.
func metricStats(rows []store.AttemptRow) []metricStat {
	var out []metricStat
	for _, d := range metricDefs {
		st := metricStat{Metric: d.id, Label: d.label}
		var sum float64
		for i := range rows {
			v := d.value(&rows[i])
			if v == nil {
				continue
			}
			x := *v * d.scale
			if st.Count == 0 {
				st.First = x
			}
			st.Last = x
			sum += x
			st.Count++
		}
		if st.Count == 0 {
			continue
		}
		st.Average, st.First, st.Last = round1(sum/float64(st.Count)), round1(st.First), round1(st.Last)
		st.Change = round1(st.Last - st.First)
		out = append(out, st)
	}
	return out
}

func (s *Server) registerHistory() {
	tags := []string{"history"}
	register(s, huma.Operation{OperationID: "history", Method: http.MethodGet, Path: "/api/history",
		Summary: "Practice records per interview: sessions, attempts and metric averages", Tags: tags, Security: bearer}, s.history)
	register(s, huma.Operation{OperationID: "history-trends", Method: http.MethodGet, Path: "/api/history/trends",
		Summary: "Scores over time, per attempt, with first/last/change per metric", Tags: tags, Security: bearer}, s.historyTrends)
}

// point is one attempt's scores in the trends.
type point struct {
	SessionID    int64    `json:"session_id"`
	AttemptID    int64    `json:"attempt_id"`
	ContentID    int64    `json:"content_id"`
	At           isoTime  `json:"at"`
	QuestionText *string  `json:"question_text"`
	OverallVoice *float64 `json:"overall_voice"`
	OverallFace  *float64 `json:"overall_face"`
	OverallPose  *float64 `json:"overall_pose"`
}

type contentHistory struct {
	ContentID         int64        `json:"content_id"`
	Company           string       `json:"company"`
	Role              string       `json:"role"`
	InterviewDate     *isoDate     `json:"interview_date"`
	DDay              *int         `json:"d_day" doc:"Days until the interview (negative once past), null without a date"`
	CompletedSessions int          `json:"completed_sessions"`
	TotalSessions     int          `json:"total_sessions"`
	Progress          int          `json:"progress" doc:"completed/total sessions in percent"`
	Attempts          int          `json:"attempts"`
	LastPracticedAt   *isoTime     `json:"last_practiced_at"`
	Metrics           []metricStat `json:"metrics"`
}

// historyOutput is an alias of an unnamed type, not a defined type: huma
// names the body's schema after the operation ("HistoryResponse") only when
// the output type has no name, and the OpenAPI document keeps it.
type historyOutput = struct {
	Body struct {
		Contents []contentHistory `json:"contents"`
	}
}

func (s *Server) history(ctx context.Context, _ *struct{}) (*historyOutput, error) {
	u := userFrom(ctx)
	contents, err := s.db.ListContents(ctx, u.ID, store.Page{})
	if err != nil {
		return nil, failed("list contents", err)
	}
	rows, err := s.db.UserAttempts(ctx, u.ID, 0)
	if err != nil {
		return nil, failed("list attempts", err)
	}
	byContent := map[int64][]store.AttemptRow{}
	for _, r := range rows {
		byContent[r.ContentID] = append(byContent[r.ContentID], r)
	}
	out := &historyOutput{}
	out.Body.Contents = []contentHistory{}
	for _, c := range contents {
		h := contentHistory{ContentID: c.ID, Company: c.Company, Role: c.Role, InterviewDate: datePtr(c.InterviewDate),
			DDay: dDay(c.InterviewDate, time.Now()), CompletedSessions: c.CompletedSessions, TotalSessions: c.TotalSessions,
			Metrics: metricStats(byContent[c.ID])}
		if c.TotalSessions > 0 {
			h.Progress = min(100, max(0, c.CompletedSessions*100/c.TotalSessions))
		}
		if rs := byContent[c.ID]; len(rs) > 0 {
			h.Attempts = len(rs)
			h.LastPracticedAt = isoPtr(&rs[len(rs)-1].StartedAt)
		}
		if h.Metrics == nil {
			h.Metrics = []metricStat{}
		}
		out.Body.Contents = append(out.Body.Contents, h)
	}
	return out, nil
}

type trendsInput struct {
	ContentID int64 `query:"content_id" doc:"Limit to one interview; 0 or absent means all"`
}

type trendsOut struct {
	ContentID *int64       `json:"content_id"`
	Points    []point      `json:"points"`
	Metrics   []metricStat `json:"metrics"`
}

func (s *Server) historyTrends(ctx context.Context, in *trendsInput) (*jsonBody[trendsOut], error) {
	u := userFrom(ctx)
	out := trendsOut{Points: []point{}}
	if in.ContentID != 0 {
		if _, err := s.ownedContent(ctx, in.ContentID, errContentNotFound); err != nil {
			return nil, err
		}
		out.ContentID = &in.ContentID
	}
	rows, err := s.db.UserAttempts(ctx, u.ID, in.ContentID)
	if err != nil {
		return nil, failed("list attempts", err)
	}
	for _, r := range rows {
		out.Points = append(out.Points, point{r.SessionID, r.ID, r.ContentID, isoTime(r.StartedAt), r.QuestionText, r.OverallVoice, r.OverallFace, r.OverallPose})
	}
	if out.Metrics = metricStats(rows); out.Metrics == nil {
		out.Metrics = []metricStat{}
	}
	return &jsonBody[trendsOut]{out}, nil
}

// dDay is interview date minus today in whole days (the seed's dead-code
// d_day), nil without a date.
func dDay(date *time.Time, now time.Time) *int {
	if date == nil {
		return nil
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	d := time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC)
	n := int(d.Sub(today).Hours() / 24)
	return &n
}

type planDay struct {
	Date         isoDate  `json:"date"`
	DDay         int      `json:"d_day"`
	PracticeType string   `json:"practice_type"`
	Sessions     int      `json:"sessions"`
	Focus        []string `json:"focus"`
	Questions    []string `json:"questions"`
}

type practicePlan struct {
	ContentID       int64        `json:"content_id"`
	InterviewDate   *isoDate     `json:"interview_date"`
	DDay            *int         `json:"d_day"`
	Phase           string       `json:"phase" enum:"undated,foundation,focus,final,past"`
	WeakMetrics     []metricStat `json:"weak_metrics"`
	UnusedQuestions int          `json:"unused_questions"`
	Days            []planDay    `json:"days"`
}

// Days of routine a plan lays out, and the focus score under which a metric
// counts as weak.
const (
	planHorizonDays = 14
	weakBelow       = 80.0
)

// buildPlan lays out a daily routine up to the interview date: a phase by
// distance, more sessions as the day nears, the weakest metrics rotated as
// each day's focus, and the unused generated questions spread over the days
// before the basic bank is used.
func buildPlan(c *store.Content, rows []store.AttemptRow, unused []store.GeneratedQuestion, basic []store.BasicQuestion, now time.Time) practicePlan {
	p := practicePlan{ContentID: c.ID, InterviewDate: datePtr(c.InterviewDate), DDay: dDay(c.InterviewDate, now),
		UnusedQuestions: len(unused), WeakMetrics: []metricStat{}, Days: []planDay{}}
	stats := metricStats(rows)
	sort.SliceStable(stats, func(i, j int) bool { return stats[i].Average < stats[j].Average })
	for _, st := range stats {
		if st.Average < weakBelow && len(p.WeakMetrics) < 3 {
			p.WeakMetrics = append(p.WeakMetrics, st)
		}
	}
	days := planHorizonDays
	switch {
	case p.DDay == nil:
		p.Phase = "undated"
		days = 7
	case *p.DDay < 0:
		p.Phase = "past"
		return p
	case *p.DDay <= 3:
		p.Phase = "final"
	case *p.DDay <= 13:
		p.Phase = "focus"
	default:
		p.Phase = "foundation"
	}
	if p.DDay != nil {
		days = min(days, *p.DDay+1)
	}
	nextGen, nextBasic := 0, 0
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for i := range days {
		day := planDay{Date: isoDate(today.AddDate(0, 0, i)), PracticeType: "job", Sessions: 1, Focus: []string{}, Questions: []string{}}
		if i%3 == 2 {
			day.PracticeType = "soft"
		}
		left := i
		if p.DDay != nil {
			left = *p.DDay - i
			day.DDay = left
			if left <= 3 {
				day.Sessions = 2
			}
		}
		for k := range min(2, len(p.WeakMetrics)) {
			day.Focus = append(day.Focus, p.WeakMetrics[(i+k)%len(p.WeakMetrics)].Metric)
		}
		for len(day.Questions) < 3 && (nextGen < len(unused) || len(basic) > 0) {
			if nextGen < len(unused) {
				day.Questions = append(day.Questions, unused[nextGen].Text)
				nextGen++
			} else {
				day.Questions = append(day.Questions, basic[nextBasic%len(basic)].Text)
				nextBasic++
			}
		}
		p.Days = append(p.Days, day)
	}
	return p
}

func (s *Server) registerPracticePlan() {
	register(s, huma.Operation{OperationID: "practice-plan", Method: http.MethodGet, Path: "/api/interviews/{content_id}/practice-plan",
		Summary: "A D-day routine toward the interview date from weak metrics and unused questions", Tags: []string{"interviews"}, Security: bearer},
		s.practicePlan)
}

type contentPath struct {
	ContentID int64 `path:"content_id"`
}

func (s *Server) practicePlan(ctx context.Context, in *contentPath) (*jsonBody[practicePlan], error) {
	c, err := s.ownedContent(ctx, in.ContentID, errInterviewNotFound)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.UserAttempts(ctx, userFrom(ctx).ID, c.ID)
	if err != nil {
		return nil, failed("list attempts", err)
	}
	unused, err := s.db.UnusedGenerated(ctx, c.ID)
	if err != nil {
		return nil, failed("unused questions", err)
	}
	basic, err := s.db.PickBasicQuestions(ctx, "job", 50)
	if err != nil {
		return nil, failed("basic questions", err)
	}
	sort.Slice(basic, func(i, j int) bool { return basic[i].ID < basic[j].ID })
	return &jsonBody[practicePlan]{buildPlan(c, rows, unused, basic, time.Now())}, nil
}
