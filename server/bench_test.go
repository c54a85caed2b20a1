package server

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
	"github.com/nevermind-ai/nevermind/server/store"
)

// BenchmarkCachedVoiceFeedback measures the seed's most frequent feedback
// call once the analysis is stored: auth, ownership checks, two reads and the
// rebuilt Korean summary, over HTTP.
func BenchmarkCachedVoiceFeedback(b *testing.B) {
	for _, d := range dbtest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			e := newEnv(b, d, envOptions{})
			_, sid := e.seedFlow(userAlice)
			r := e.upload(sid, 1, userAlice, recording(b))
			aid := num(b, r.json(b)["attempt_id"])
			path := fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid)
			expect(b, e.do("GET", path, userAlice, nil), 200, "")
			b.ReportAllocs()
			for b.Loop() {
				if r := e.do("GET", path, userAlice, nil); r.status != 200 {
					b.Fatalf("%d %s", r.status, r.body)
				}
			}
		})
	}
}

// BenchmarkUpload streams a 16 MiB recording through the upload route into
// local storage; allocations per upload stay far below the file size because
// nothing holds the file in memory.
func BenchmarkUpload(b *testing.B) {
	e := newEnv(b, store.SQLite, envOptions{noWorker: true, mutate: func(c *Config) {
		c.SupabaseURL, c.SupabaseKey, c.MediaDir, c.MaxUploadBytes = "", "", b.TempDir(), 64<<20
	}})
	_, sid := e.seedFlow(userAlice)
	file := append(append([]byte{}, recording(b)...), bytes.Repeat([]byte{0x42}, 16<<20)...)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "answer.webm")
	fw.Write(file)
	mw.Close()
	url := fmt.Sprintf("%s/api/sessions/%d/recordings/1", e.http.URL, sid)
	tok := "Bearer " + token(b, userAlice)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest("POST", url, bytes.NewReader(body.Bytes()))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", tok)
		if r := e.send(req); r.status != 200 {
			b.Fatalf("%d %s", r.status, r.body)
		}
	}
}
