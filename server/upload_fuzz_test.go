package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/nevermind-ai/nevermind/server/store"
)

// FuzzUploadBody sends arbitrary multipart bodies and Content-Type headers
// to the recording upload route, which parses multipart itself (outside
// huma). Whatever arrives, the reply is one of the documented statuses with
// a JSON body, and the number of attempt rows and stored objects grows by
// exactly one for a 200 and not at all otherwise.
//
// Run it with
//
//	go test -run '^$' -fuzz FuzzUploadBody -fuzztime 10m -parallel 1 ./server
func FuzzUploadBody(f *testing.F) {
	mediaDir := f.TempDir()
	e := newEnv(f, store.SQLite, envOptions{noWorker: true, mutate: func(c *Config) {
		c.SupabaseURL, c.SupabaseKey, c.MediaDir, c.MaxUploadBytes = "", "", mediaDir, 64<<10
	}})
	_, sid := e.seedFlow(userAlice)
	handler := e.srv.Handler()
	bearer := "Bearer " + token(f, userAlice)
	path := fmt.Sprintf("/api/sessions/%d/recordings/1", sid)

	var good bytes.Buffer
	mw := multipart.NewWriter(&good)
	mw.WriteField("note", "x")
	fw, _ := mw.CreateFormFile("file", "answer.webm")
	fw.Write(webmHeader())
	mw.Close()
	f.Add(mw.FormDataContentType(), good.Bytes())
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.webm\"\r\n\r\n\x1aE\xdf\xa3\r\n--x--\r\n"))
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nRIFF\x00\x00\x00\x00WAVEfmt \r\n--x"))
	f.Add("multipart/mixed; boundary=\"\"", []byte("--\r\n"))
	f.Add("application/json", []byte(`{"file":"x"}`))

	allowed := []int{200, 400, 413, 415, 422}
	attempts := func(t *testing.T) int {
		var n int
		if err := e.srv.db.Bun.NewRaw("SELECT count(*) FROM attempts").Scan(t.Context(), &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		before := attempts(t)
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Authorization", bearer)
		req.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if !slices.Contains(allowed, w.Code) || !json.Valid(w.Body.Bytes()) {
			t.Fatalf("Content-Type %q body %q: %d %s", contentType, body, w.Code, w.Body.Bytes())
		}
		want := before
		if w.Code == 200 {
			want++
		}
		if got := attempts(t); got != want {
			t.Fatalf("status %d left %d attempt rows, want %d", w.Code, got, want)
		}
	})
}
