package servertest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/nevermind-ai/nevermind/server"
	"github.com/nevermind-ai/nevermind/server/servertest"
)

// call sends one request as the user holding token and decodes the JSON
// reply.
func call(t *testing.T, method, url, token, contentType string, body io.Reader) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: %d, body is not a JSON object: %v", method, url, resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

func jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}

// A client's whole answer flow against the real API: create an interview,
// give its cover letter, start a session, upload a recording, read the voice feedback the fake
// analyser produced, and check what the server handed to the analyser.
func TestAnswerFlow(t *testing.T) {
	ts := servertest.New(t)
	token := ts.Token(server.DevUserID)

	status, content := call(t, "POST", ts.URL+"/api/interviews/contents", token, "application/json",
		jsonBody(map[string]any{"company": "당근", "role": "백엔드"}))
	if status != 200 {
		t.Fatalf("create interview: %d %v", status, content)
	}
	contentID := int64(content["content"].(map[string]any)["id"].(float64))
	status, resume := call(t, "POST", ts.URL+"/api/interviews/resume", token, "application/json", jsonBody(map[string]any{
		"content_id": contentID, "items": []any{map[string]any{"question": "지원 동기", "answer": "결제 시스템의 장애를 줄였습니다."}}}))
	if status != 200 {
		t.Fatalf("cover letter: %d %v", status, resume)
	}
	status, session := call(t, "POST", fmt.Sprintf("%s/api/sessions/%d/start", ts.URL, contentID), token, "application/json", jsonBody(map[string]any{}))
	if status != 200 {
		t.Fatalf("start: %d %v", status, session)
	}
	sessionID := int64(session["session_id"].(float64))

	// Without a MediaValidator the server only sniffs the container: the
	// EBML magic of WebM is enough.
	recording := append([]byte("\x1a\x45\xdf\xa3"), bytes.Repeat([]byte("webm"), 1000)...)
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("file", "answer.webm")
	fw.Write(recording)
	mw.Close()
	status, up := call(t, "POST", fmt.Sprintf("%s/api/sessions/%d/recordings/1", ts.URL, sessionID), token, mw.FormDataContentType(), &form)
	if status != 200 {
		t.Fatalf("upload: %d %v", status, up)
	}
	attemptID := int64(up["attempt_id"].(float64))

	status, voice := call(t, "GET", fmt.Sprintf("%s/api/feedback/%d/voice-feedback?attempt_id=%d", ts.URL, sessionID, attemptID), token, "", nil)
	if status != 200 || voice["total_score"] != float64(80) {
		t.Fatalf("voice feedback: %d %v, want the fake analysis' total 80", status, voice)
	}
	calls := ts.Analyzer.Calls()
	if len(calls) != 1 || calls[0].AttemptID != attemptID || !bytes.Equal(calls[0].Recording, recording) {
		t.Fatalf("analyser calls %+v, want one of attempt %d with the uploaded bytes", calls, attemptID)
	}
}
