package sdk_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/internal/testmedia"
	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/server"
	"github.com/nevermind-ai/nevermind/server/auth"
	"github.com/nevermind-ai/nevermind/server/sdk"
	"github.com/nevermind-ai/nevermind/stt"
)

// localWhisper answers POST /v1/audio/transcriptions the way the
// OpenAI-compatible local servers do (whisper.cpp's server started with
// --inference-path /v1/audio/transcriptions, speaches, faster-whisper-server):
// a multipart upload with a WAV file, no key checked, verbose_json back. It
// is a stand-in for that external program, not for anything of ours.
type localWhisper struct {
	requests atomic.Int64
	text     string
}

func (f *localWhisper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, `{"error":"no file"}`, http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(file)
	if len(data) < 44 || !bytes.HasPrefix(data, []byte("RIFF")) {
		http.Error(w, `{"error":"not a WAV file"}`, http.StatusBadRequest)
		return
	}
	f.requests.Add(1)
	// 16-bit mono at 16 kHz after the 44-byte header.
	dur := float64(len(data)-44) / 2 / 16000
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"task": "transcribe", "language": "korean", "duration": dur, "text": " " + f.text,
		"words": []map[string]any{{"word": " 저는", "start": 0.2, "end": 0.6}},
		"segments": []map[string]any{{"id": 0, "seek": 0, "start": 0, "end": dur, "text": " " + f.text, "tokens": []int{1},
			"temperature": 0, "avg_logprob": -0.2, "compression_ratio": 1.1, "no_speech_prob": 0.01}},
	})
}

// TestLocalWhisperTranscripts wires the transcriber exactly as `nevermind
// serve` does from OPENAI_API_KEY and OPENAI_BASE_URL pointing at a local
// Whisper server, and checks the STT route returns what that server heard;
// without those variables the route says STT is not configured.
func TestLocalWhisperTranscripts(t *testing.T) {
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	dir := t.TempDir()
	path, err := testmedia.Make(dir, testmedia.Recording{Format: "webm", Segments: []testmedia.Segment{
		{Text: "저는 결제 시스템의 장애를 줄였습니다.", Voice: "ko", Rate: 150}}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	whisper := &localWhisper{text: "저는 결제 시스템의 장애를 줄였습니다."}
	ws := httptest.NewServer(whisper)
	defer ws.Close()
	env := map[string]string{"OPENAI_API_KEY": "local", "OPENAI_BASE_URL": ws.URL}
	tr, err := stt.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stt.FromEnv(func(string) string { return "" }); err != stt.ErrNotConfigured {
		t.Fatalf("FromEnv without keys: %v", err)
	}

	for _, tc := range []struct {
		name        string
		transcriber stt.Transcriber
		status      int
		want        string
	}{
		{"local whisper", tr, 200, whisper.text},
		{"no recogniser", nil, 503, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := runServer(t, server.Config{
				DatabaseURL: "sqlite:" + filepath.Join(t.TempDir(), "nevermind.db"), MediaDir: t.TempDir(),
				JWTSecret: secret, SyncWait: time.Minute,
				Analyzer: sdk.Analyzer{Pipeline: &interview.Pipeline{Transcriber: tc.transcriber}}, MediaValidator: sdk.MediaValidator{},
				Evaluator: sdk.AnswerEvaluator{}, Generator: sdk.QuestionGenerator{},
			})
			tok, _ := auth.SignHS256([]byte(secret), auth.TokenOptions{Subject: "0a4b5c6d-1111-4222-8333-944455556666"})
			c := client{t: t, base: "http://" + addr, token: tok}
			waitReady(t, c)
			_, content := c.do("POST", "/api/interviews/contents", map[string]any{"company": "당근", "role": "백엔드"})
			cid := int64(content["content"].(map[string]any)["id"].(float64))
			if status, res := c.do("POST", "/api/interviews/question", map[string]any{"content_id": cid, "qas": []any{map[string]any{"q": "지원 동기", "a": "장애를 줄였습니다."}}}); status != 200 {
				t.Fatalf("questions: %d %v", status, res)
			}
			status, start := c.do("POST", fmt.Sprintf("/api/sessions/%d/start", cid), map[string]any{})
			if status != 200 {
				t.Fatalf("start: %d %v", status, start)
			}
			sid := int64(start["session_id"].(float64))
			status, up := c.upload(sid, 1, "answer.webm", rec)
			if status != 200 {
				t.Fatalf("upload: %d %v", status, up)
			}
			before := whisper.requests.Load()
			status, out := c.do("POST", fmt.Sprintf("/api/stt/sessions/%d", sid), map[string]any{"attempt_id": up["attempt_id"]})
			if status != tc.status {
				t.Fatalf("STT: %d %v, want %d", status, out, tc.status)
			}
			if tc.status == 200 && (out["transcript"] != tc.want || whisper.requests.Load() == before) {
				t.Fatalf("STT = %v (the local server saw %d requests)", out, whisper.requests.Load()-before)
			}
		})
	}
}
