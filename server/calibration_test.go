package server

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/nevermind-ai/nevermind/server/store"
)

// uploadCalibrated uploads data with the calibration field before the file.
func (e *testEnv) uploadCalibrated(sessionID int64, user, calibration string, data []byte) reply {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("calibration", calibration)
	fw, _ := mw.CreateFormFile("file", "answer.webm")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/sessions/%d/recordings/1", e.http.URL, sessionID), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token(e.t, user))
	return e.send(req)
}

// The upload's calibration field reaches the analysis, on both databases; a malformed
// one is refused before anything is stored.
func TestUploadCalibration(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d, envOptions{})
			rec := recording(t)
			_, sid := e.seedFlow(userAlice)
			for _, bad := range []string{"4-1", "later", "1-2-3", "-1-2"} {
				r := e.uploadCalibrated(sid, userAlice, bad, rec)
				if r.status != http.StatusUnprocessableEntity || !bytes.Contains(r.body, []byte("invalid_calibration")) {
					t.Errorf("calibration %q: %d %s, want 422 invalid_calibration", bad, r.status, r.body)
				}
			}
			if n := e.pipeline.calls.Load(); n != 0 {
				t.Errorf("%d analyses after refused uploads", n)
			}
			r := e.uploadCalibrated(sid, userAlice, "1.5-4", rec)
			expect(t, r, 200, "")
			aid := num(t, r.json(t)["attempt_id"])
			expect(t, e.do("GET", fmt.Sprintf("/api/feedback/%d/expression-feedback?attempt_id=%d", sid, aid), userAlice, nil), 200, "")
			if c := e.pipeline.calibration.Load(); c == nil || *c != (Calibration{1.5, 4}) {
				t.Errorf("the analysis saw calibration %v, want 1.5–4", c)
			}
		})
	}
}
