package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
	"github.com/nevermind-ai/nevermind/server/store"
)

const userA = "5f0c8a52-0b6e-4c8e-9b0e-2a7d7f1f0a01"

func eachDialect(t *testing.T, f func(t *testing.T, db *store.DB)) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			f(t, dbtest.Open(t, d))
		})
	}
}

func TestMigrateDownAndUpAgain(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, dbtest.URL(t, d))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			applied, err := db.MigrateUp(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(applied) != 6 {
				t.Fatalf("applied %v, want 6 migrations", applied)
			}
			again, err := db.MigrateUp(ctx)
			if err != nil || len(again) != 0 {
				t.Fatalf("second up applied %v, %v; want nothing", again, err)
			}
			status, err := db.MigrationStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range status {
				if !s.Applied {
					t.Errorf("%s not applied", s.Name)
				}
			}
			basic, err := db.PickBasicQuestions(ctx, "soft", 100)
			if err != nil || len(basic) < 3 {
				t.Fatalf("seeded soft questions = %d, %v; want ≥ 3", len(basic), err)
			}
			rolled, err := db.MigrateDown(ctx)
			if err != nil || len(rolled) != 6 {
				t.Fatalf("down rolled back %v, %v", rolled, err)
			}
			if _, err := db.PickBasicQuestions(ctx, "soft", 1); err == nil {
				t.Fatal("basic_question still exists after migrate down")
			}
			if applied, err := db.MigrateUp(ctx); err != nil || len(applied) != 6 {
				t.Fatalf("re-up: %v, %v", applied, err)
			}
		})
	}
}

func TestProfileCreatedOnceAndPersisted(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for range 10 {
			wg.Go(func() {
				_, err := db.EnsureProfile(ctx, userA)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		p, err := db.Profile(ctx, userA)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != store.ProfileActive || len(p.ProfileMeta) != 0 {
			t.Fatalf("new profile = %+v", p)
		}
		name := "김면접"
		p.DisplayName = &name
		p.ProfileMeta = map[string]any{"target": "backend"}
		if err := db.SaveProfile(ctx, p); err != nil {
			t.Fatal(err)
		}
		got, err := db.Profile(ctx, userA)
		if err != nil {
			t.Fatal(err)
		}
		if got.DisplayName == nil || *got.DisplayName != name || got.ProfileMeta["target"] != "backend" {
			t.Fatalf("saved profile = %+v", got)
		}
		if _, err := db.Profile(ctx, "00000000-0000-0000-0000-000000000000"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing profile error = %v", err)
		}
	})
}

// seedSession makes a user, a content with two generated questions and a
// session over them, returning the session and its questions.
func seedSession(t *testing.T, db *store.DB) (*store.Session, []store.SessionQuestion) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.EnsureProfile(ctx, userA); err != nil {
		t.Fatal(err)
	}
	date := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
	c := &store.Content{UserID: userA, Company: "네이버", Role: "백엔드 개발자", InterviewDate: &date}
	if err := db.CreateContent(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := db.AddGeneratedQuestions(ctx, []store.GeneratedQuestion{
		{ContentID: c.ID, Type: "job", Text: "캐시 적중률을 올린 방법은?"},
		{ContentID: c.ID, Type: "job", Text: "장애를 어떻게 복구했나요?"},
	}); err != nil {
		t.Fatal(err)
	}
	basic, err := db.PickBasicQuestions(ctx, "job", 3)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := db.PickUnusedGenerated(ctx, c.ID, "job", 2)
	if err != nil || len(gen) != 2 {
		t.Fatalf("generated = %d, %v", len(gen), err)
	}
	s := &store.Session{UserID: userA, ContentID: c.ID, Status: store.SessionDraft, SessionMax: 5}
	sqs, err := db.CreateSession(ctx, s, basic, gen)
	if err != nil {
		t.Fatal(err)
	}
	return s, sqs
}

func TestSessionConsumesGeneratedQuestionsOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, sqs := seedSession(t, db)
		if len(sqs) != 5 || *sqs[0].OrderNo != 1 || sqs[4].QuestionType != store.QuestionGenerated {
			t.Fatalf("session questions = %+v", sqs)
		}
		left, err := db.PickUnusedGenerated(ctx, s.ContentID, "job", 2)
		if err != nil || len(left) != 0 {
			t.Fatalf("unused after start = %d, %v", len(left), err)
		}
		// A second session built from a stale pick must not reuse them.
		stale := []store.GeneratedQuestion{{ID: sqs[3].QuestionID}, {ID: sqs[4].QuestionID}}
		_, err = db.CreateSession(ctx, &store.Session{UserID: userA, ContentID: s.ContentID, Status: store.SessionDraft, SessionMax: 5}, nil, stale)
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("stale pick error = %v, want ErrConflict", err)
		}
		texts, err := db.SessionQuestions(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(texts) != 5 || texts[4].Text == nil || texts[4].Type == nil || *texts[4].Type != "job" {
			t.Fatalf("question texts = %+v", texts)
		}
		list, err := db.ListContents(ctx, userA, store.Page{})
		if err != nil || len(list) != 1 || list[0].TotalSessions != 1 || list[0].CompletedSessions != 0 {
			t.Fatalf("contents = %+v, %v", list, err)
		}
	})
}

// seedAttempt makes a session with a finished attempt at its first question.
func seedAttempt(t *testing.T, db *store.DB) (*store.Session, *store.Attempt) {
	t.Helper()
	ctx := context.Background()
	s, sqs := seedSession(t, db)
	a := &store.Attempt{SessionID: s.ID, SessionQuestionID: sqs[0].ID}
	if err := db.BeginAttempt(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishAttempt(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	return s, a
}

func TestAnalysisJobIsCreatedAndCompletedOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, a := seedAttempt(t, db)
		var created sync.Map
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				_, c, err := db.EnsureJob(ctx, s.ID, a.ID, "")
				if err != nil {
					t.Error(err)
				}
				created.Store(i, c)
			})
		}
		wg.Wait()
		n := 0
		created.Range(func(_, v any) bool {
			if v.(bool) {
				n++
			}
			return true
		})
		if n != 1 {
			t.Fatalf("%d callers created the job, want 1", n)
		}
		if _, err := db.StartJob(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		voice := `{"total_score":80}`
		res := store.AnalysisResult{SessionID: s.ID, AttemptID: a.ID, Voice: &voice, Transcript: "안녕하세요",
			Unavailable: map[string]string{"pose": "영상에서 사람을 찾지 못했습니다"},
			Scores:      map[string]float64{"overall_voice": 80, "tremor": 82.126, "mouth": -0.025, "gaze": 0}}
		if err := db.CompleteJob(ctx, res); err != nil {
			t.Fatal(err)
		}
		if err := db.CompleteJob(ctx, res); !errors.Is(err, store.ErrAlreadyDone) {
			t.Fatalf("second completion = %v, want ErrAlreadyDone", err)
		}
		if _, err := db.StartJob(ctx, a.ID); !errors.Is(err, store.ErrAlreadyDone) {
			t.Fatalf("restart of a done job = %v, want ErrAlreadyDone", err)
		}
		fs, err := db.Summary(ctx, s.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fs.OverallVoice == nil || *fs.OverallVoice != 80 || fs.Tremor == nil || *fs.Tremor != 82.13 ||
			fs.Mouth == nil || *fs.Mouth != -0.03 || fs.Gaze == nil || *fs.Gaze != 0 || fs.OverallPose != nil {
			t.Fatalf("summary = %+v", fs)
		}
		aa, err := db.Analysis(ctx, a.ID) // jsonb re-spaces the document on PostgreSQL
		if err != nil || aa.Unavailable["pose"] != "영상에서 사람을 찾지 못했습니다" || aa.Voice == nil || strings.ReplaceAll(*aa.Voice, " ", "") != voice {
			t.Fatalf("stored analysis = %+v, %v", aa, err)
		}
		got, err := db.Attempt(ctx, s.ID, a.ID)
		if err != nil || got.STTText == nil || *got.STTText != "안녕하세요" {
			t.Fatalf("attempt = %+v, %v", got, err)
		}
		bad := res
		bad.Scores = map[string]float64{"tremor": 1e9}
		if err := db.CompleteJob(ctx, bad); err == nil {
			t.Fatal("out-of-range score accepted")
		}
		if err := db.SetComment(ctx, s.ID, a.ID, "좋습니다."); err != nil {
			t.Fatal(err)
		}
		fs, _ = db.Summary(ctx, s.ID, a.ID)
		if fs.Comment == nil || *fs.Comment != "좋습니다." || *fs.OverallVoice != 80 {
			t.Fatalf("after comment = %+v", fs)
		}
	})
}

// QueueJob writes the job row and the queued work in one transaction: a
// failing enqueue leaves no row behind.
func TestQueueJobCommitsTheRowWithItsWork(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, a := seedAttempt(t, db)
		calls := 0
		enqueueAs := func(id int64, err error) func(context.Context, *sql.Tx) (int64, error) {
			return func(ctx context.Context, tx *sql.Tx) (int64, error) {
				calls++
				var n int // the row is visible inside the transaction
				if qerr := tx.QueryRowContext(ctx, "SELECT count(*) FROM analysis_jobs WHERE attempt_id = "+fmt.Sprint(a.ID)).Scan(&n); qerr != nil || n != 1 {
					t.Errorf("analysis rows in the transaction = %d, %v; want 1", n, qerr)
				}
				return id, err
			}
		}
		queue := func(requeueFailed bool, enqueue func(context.Context, *sql.Tx) (int64, error)) (bool, error) {
			return db.QueueJob(ctx, s.ID, a.ID, "", requeueFailed, enqueue)
		}
		refused := errors.New("queue refused")
		if _, err := queue(false, enqueueAs(0, refused)); !errors.Is(err, refused) {
			t.Fatalf("failing enqueue: err = %v, want it returned", err)
		}
		if job, err := db.Job(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("row after a failing enqueue: %+v, %v; want none", job, err)
		}
		if queued, err := queue(false, enqueueAs(41, nil)); err != nil || !queued {
			t.Fatalf("queue = %v, %v; want queued", queued, err)
		}
		if queued, err := queue(true, enqueueAs(0, refused)); err != nil || queued {
			t.Fatalf("queue of a queued job = %v, %v; want nothing done", queued, err)
		}
		if err := db.FailJob(ctx, a.ID, "broken", true); err != nil {
			t.Fatal(err)
		}
		if queued, err := queue(false, enqueueAs(0, refused)); err != nil || queued {
			t.Fatalf("queue of a failed job without retry = %v, %v; want nothing done", queued, err)
		}
		if queued, err := queue(true, enqueueAs(42, nil)); err != nil || !queued {
			t.Fatalf("requeue of a failed job = %v, %v; want queued", queued, err)
		}
		job, err := db.Job(ctx, a.ID)
		if err != nil || job.Status != store.JobQueued || job.RiverJobID == nil || *job.RiverJobID != 42 || job.Error != nil {
			t.Fatalf("job = %+v, %v; want queued with River job 42", job, err)
		}
		if calls != 3 {
			t.Fatalf("enqueue called %d times, want 3 (create refused, create, requeue)", calls)
		}
	})
}

func TestPagination(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.EnsureProfile(ctx, userA); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i := range 3 {
			c := &store.Content{UserID: userA, Company: fmt.Sprint("회사", i), Role: "dev"}
			if err := db.CreateContent(ctx, c); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		for _, c := range []struct {
			page store.Page
			want []int64
		}{
			{store.Page{}, []int64{ids[2], ids[1], ids[0]}},
			{store.Page{Limit: 2}, []int64{ids[2], ids[1]}},
			{store.Page{Offset: 2}, []int64{ids[0]}},
			{store.Page{Limit: 1, Offset: 1}, []int64{ids[1]}},
		} {
			rows, err := db.ListContents(ctx, userA, c.page)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range rows {
				got = append(got, r.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("%+v: %v, want %v", c.page, got, c.want)
			}
		}
	})
}
