package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind/server/store"
)

// The report route serves the analysis's HTML report to the attempt's owner, in the
// language asked for, under a policy that lets nothing in it run or load; anyone else,
// and an attempt without a report yet, get a 404.
func TestAttemptReport(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{})
	_, sid := e.seedFlow(userAlice)
	rec := recording(t)
	r := e.upload(sid, 1, userAlice, rec)
	expect(t, r, 200, "")
	aid := num(t, r.json(t)["attempt_id"])
	if job, err := e.srv.awaitJob(t.Context(), aid, e.srv.cfg.SyncWait); err != nil || job.Status != store.JobDone {
		t.Fatalf("job = %+v, %v", job, err)
	}
	path := fmt.Sprintf("/api/feedback/%d/attempts/%d/report", sid, aid)
	for query, want := range map[string]string{"": fmt.Sprintf("%d바이트", len(rec)), "?lang=ko": "보고서",
		"?lang=en": fmt.Sprintf("%d bytes", len(rec))} {
		r := e.do("GET", path+query, userAlice, nil)
		if r.status != 200 || !strings.Contains(string(r.body), want) {
			t.Errorf("GET report%s: %d %s, want %q", query, r.status, r.body, want)
		}
		if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET report%s: Content-Type %q", query, ct)
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script") {
			t.Errorf("GET report%s: Content-Security-Policy %q", query, csp)
		}
	}
	expect(t, e.do("GET", path+"?lang=fr", userAlice, nil), 422, "")
	expect(t, e.do("GET", path, userBob, nil), 404, `{"detail":"session_not_found"}`)
	expect(t, e.do("GET", path, "", nil), 401, "")
	expect(t, e.do("GET", fmt.Sprintf("/api/feedback/%d/attempts/%d/report", sid, aid+1000), userAlice, nil), 404, `{"detail":"attempt_not_found"}`)

	// Not analysed yet: a worker-less server keeps the job queued.
	q := newEnv(t, store.SQLite, envOptions{noWorker: true})
	_, qsid := q.seedFlow(userAlice)
	r = q.upload(qsid, 1, userAlice, rec)
	expect(t, r, 200, "")
	expect(t, q.do("GET", fmt.Sprintf("/api/feedback/%d/attempts/%d/report", qsid, num(t, r.json(t)["attempt_id"])), userAlice, nil),
		404, `{"detail":"report_not_found"}`)
}
