package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/store"
)

func f(v float64) *float64 { return &v }

// TestVoiceFromDB checks the DB-derived voice payload against the original
// API's bands (양호 from 80, 보통 from 60, else 개선필요) and Korean sentences.
func TestVoiceFromDB(t *testing.T) {
	fs := &store.FeedbackSummary{OverallVoice: f(72.5), Tremor: f(82), Blank: f(60), Tone: f(59.99), Speed: nil}
	got := voiceFromDB(fs)
	want := "전체적으로 무난한 음성이었지만, 몇 가지 개선할 부분이 보입니다. " +
		"목소리 떨림 없이 비교적 안정적으로 말했습니다. " +
		"생각을 정리하는 짧은 머뭇거림이 있었지만 전반적으로 무난했습니다. " +
		"억양이 다소 단조로운 편이라, 문장 끝을 더 분명하게 처리해 주면 좋습니다."
	if got.Summary != want {
		t.Fatalf("summary\n got %q\nwant %q", got.Summary, want)
	}
	if got.TotalScore != 72 { // round-half-even of 72.5, as Python's round
		t.Fatalf("total_score %d, want 72", got.TotalScore)
	}
	b, _ := json.Marshal(got.Metrics)
	wantMetrics := `[{"id":"tremor","label":"떨림","score":82,"level":"양호"},{"id":"pause","label":"공백","score":60,"level":"보통"},` +
		`{"id":"tone","label":"억양","score":59.99,"level":"개선필요"},{"id":"speed","label":"속도","score":null,"level":null}]`
	if string(b) != wantMetrics {
		t.Fatalf("metrics\n got %s\nwant %s", b, wantMetrics)
	}
	if v := voiceFromDB(&store.FeedbackSummary{OverallVoice: f(73.5), Tremor: f(1)}); v.TotalScore != 74 {
		t.Fatalf("73.5 rounds to %d, want 74", v.TotalScore)
	}
}

func TestRatings(t *testing.T) {
	cases := []struct {
		v          float64
		pose, rate string
	}{{90, "양호", "양호"}, {89.99, "보통", "양호"}, {70, "보통", "양호"}, {69.9, "미흡", "양호"}, {0.8, "미흡", "양호"}, {0.6, "미흡", "보통"}, {0, "미흡", "개선필요"}}
	for _, c := range cases {
		if got := *scoreRating(&c.v); got != c.pose {
			t.Errorf("scoreRating(%v) = %s, want %s", c.v, got, c.pose)
		}
		if got := *rateRating(&c.v); got != c.rate {
			t.Errorf("rateRating(%v) = %s, want %s", c.v, got, c.rate)
		}
	}
	if scoreRating(nil) != nil || rateRating(nil) != nil {
		t.Error("a missing score must have no rating")
	}
}

func TestBuildPlan(t *testing.T) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	date := func(d int) *time.Time { t := now.AddDate(0, 0, d); return &t }
	rows := []store.AttemptRow{
		{Tremor: f(90), Blank: f(62), Gaze: f(0.5), Shoulder: f(95)},
		{Tremor: f(88), Blank: f(70), Gaze: f(0.7), Shoulder: f(91)},
	}
	unused := []store.GeneratedQuestion{{Text: "g1"}, {Text: "g2"}, {Text: "g3"}, {Text: "g4"}}
	basic := []store.BasicQuestion{{Text: "b1"}, {Text: "b2"}}

	p := buildPlan(&store.Content{ID: 1, InterviewDate: date(2)}, rows, unused, basic, now)
	if p.Phase != "final" || *p.DDay != 2 || len(p.Days) != 3 {
		t.Fatalf("plan 2 days out: phase %s, d-day %d, %d days", p.Phase, *p.DDay, len(p.Days))
	}
	// Weakest first: gaze 60, pause 66; tremor and shoulder are not weak.
	if len(p.WeakMetrics) != 2 || p.WeakMetrics[0].Metric != "gaze" || p.WeakMetrics[0].Average != 60 || p.WeakMetrics[1].Metric != "pause" {
		t.Fatalf("weak metrics = %+v", p.WeakMetrics)
	}
	if p.WeakMetrics[0].Change != 20 {
		t.Fatalf("gaze change = %v, want +20", p.WeakMetrics[0].Change)
	}
	day0, day2 := p.Days[0], p.Days[2]
	if strings.Join(day0.Questions, ",") != "g1,g2,g3" || strings.Join(p.Days[1].Questions, ",") != "g4,b1,b2" {
		t.Fatalf("questions: %v / %v", day0.Questions, p.Days[1].Questions)
	}
	if day0.DDay != 2 || day0.Sessions != 2 || day2.PracticeType != "soft" || day0.Focus[0] != "gaze" || p.Days[1].Focus[0] != "pause" {
		t.Fatalf("days = %+v", p.Days)
	}
	for _, c := range []struct {
		date  *time.Time
		phase string
		days  int
	}{{date(30), "foundation", 14}, {date(10), "focus", 11}, {date(-1), "past", 0}, {nil, "undated", 7}} {
		p := buildPlan(&store.Content{InterviewDate: c.date}, nil, nil, nil, now)
		if p.Phase != c.phase || len(p.Days) != c.days {
			t.Errorf("date %v: phase %s with %d days, want %s with %d", c.date, p.Phase, len(p.Days), c.phase, c.days)
		}
	}
}

func TestISOTime(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2025, 12, 10, 3, 12, 45, 123456789, time.UTC), `"2025-12-10T03:12:45.123456+00:00"`},
		{time.Date(2025, 12, 10, 3, 12, 45, 120000000, time.UTC), `"2025-12-10T03:12:45.120000+00:00"`},
		{time.Date(2025, 12, 10, 12, 12, 45, 0, time.FixedZone("KST", 9*3600)), `"2025-12-10T03:12:45+00:00"`},
	} {
		b, _ := json.Marshal(isoTime(c.t))
		if string(b) != c.want {
			t.Errorf("%v → %s, want %s", c.t, b, c.want)
		}
	}
	for _, s := range []string{"2026-11-25T10:00:00Z", "2026-11-25T19:00:00+09:00", "2026-11-25T10:00:00", "2026-11-25 10:00:00"} {
		got, err := parseISO(s)
		if err != nil || !got.Equal(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("parseISO(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := parseISO("yesterday"); err == nil {
		t.Error("parseISO accepted garbage")
	}
}

func TestNULRejected(t *testing.T) {
	e := newEnv(t, store.Postgres, envOptions{noWorker: true})
	expect(t, e.do("POST", "/api/interviews/contents", userAlice, map[string]any{"company": "A\x00B", "role": "dev"}), 400,
		`{"detail":{"message":"invalid_request_body","detail":"text must not contain NUL (\\u0000) characters"}}`)
	expect(t, e.do("PUT", "/api/me/profile", userAlice, map[string]any{"display_name": "x\x00"}), 400, "")
}

func TestRateLimiterForgetsIdleUsers(t *testing.T) {
	l := newRateLimiter()
	for i := range 3000 {
		if !l.allow(fmt.Sprint("user-", i), 1, time.Nanosecond) {
			t.Fatal("a first call was refused")
		}
	}
	if n := len(l.events); n > 1024 {
		t.Fatalf("%d users remembered after their windows passed", n)
	}
	if !l.allow("a", 2, time.Hour) || !l.allow("a", 2, time.Hour) || l.allow("a", 2, time.Hour) {
		t.Fatal("limit of 2 per hour not enforced")
	}
}
