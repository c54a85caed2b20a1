package sdk_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/internal/testmedia"
	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/server/servertest"
	"github.com/nevermind-ai/nevermind/stt"
	"github.com/nevermind-ai/nevermind/stt/stttest"
)

// newLocalWhisper starts a stand-in for a local OpenAI-compatible Whisper
// server (whisper.cpp's server with --inference-path /v1/audio/transcriptions,
// speaches, faster-whisper-server): no key checked, verbose_json back, hearing
// text in every upload. It is a stand-in for that external program, not for
// anything of ours.
func newLocalWhisper(t testing.TB, text string) *stttest.Server {
	ws := stttest.NewServer("", func(stttest.Request) (stttest.Reply, error) {
		return stttest.Reply{Text: text, Language: "korean", Words: []nevermind.Word{{Text: "저는", Start: 0.2, End: 0.6}}}, nil
	})
	t.Cleanup(ws.Close)
	return ws
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
	const heard = "저는 결제 시스템의 장애를 줄였습니다."
	whisper := newLocalWhisper(t, heard)
	env := map[string]string{"OPENAI_API_KEY": "local", "OPENAI_BASE_URL": whisper.URL}
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
		{"local whisper", tr, 200, heard},
		{"no recogniser", nil, 503, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := servertest.New(t, wired(&interview.Pipeline{Transcriber: tc.transcriber}))
			c := client{t: t, base: ts.URL, token: ts.Token("0a4b5c6d-1111-4222-8333-944455556666")}
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
			before := len(whisper.Requests())
			status, out := c.do("POST", fmt.Sprintf("/api/stt/sessions/%d", sid), map[string]any{"attempt_id": up["attempt_id"]})
			if status != tc.status {
				t.Fatalf("STT: %d %v, want %d", status, out, tc.status)
			}
			if tc.status == 200 && (out["transcript"] != tc.want || len(whisper.Requests()) == before) {
				t.Fatalf("STT = %v (the local server saw %d requests)", out, len(whisper.Requests())-before)
			}
		})
	}
}
