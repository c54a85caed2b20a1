package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
	"github.com/nevermind-ai/nevermind/server/store"
)

// hugeUpload is a multipart body of size bytes, made on the fly: a WebM
// header as the file's first bytes, then zeros. It counts what the client
// transport took from it, which bounds what reached the server.
type hugeUpload struct {
	prologue, epilogue []byte
	size, sent         int64
	taken              atomic.Int64
}

func newHugeUpload(size int64) (*hugeUpload, string) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	if _, err := mw.CreateFormFile("file", "answer.webm"); err != nil {
		panic(err)
	}
	head.Write(webmHeader())
	epilogue := []byte("\r\n--" + mw.Boundary() + "--\r\n")
	return &hugeUpload{prologue: head.Bytes(), epilogue: epilogue, size: size}, mw.FormDataContentType()
}

func (h *hugeUpload) Read(p []byte) (int, error) {
	if h.sent >= h.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), h.size-h.sent)
	p = p[:n]
	clear(p)
	if h.sent < int64(len(h.prologue)) {
		copy(p, h.prologue[h.sent:])
	}
	if epilogueStart := h.size - int64(len(h.epilogue)); h.sent+n > epilogueStart {
		from := max(epilogueStart, h.sent)
		copy(p[from-h.sent:], h.epilogue[from-epilogueStart:])
	}
	h.sent += n
	h.taken.Add(n)
	return int(n), nil
}

// bodyCounter wraps a handler and counts the request-body bytes the handler
// read.
type bodyCounter struct {
	next http.Handler
	read atomic.Int64
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (b *bodyCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = countingBody{r.Body, &b.read}
	b.next.ServeHTTP(w, r)
}

// TestTwoGigabyteUpload sends a 2 GiB recording, once with its length
// declared and once chunked, to a server whose limit is 1 MiB. Both must be
// refused with 413 after reading at most the limit plus framing, and leave
// nothing behind.
func TestTwoGigabyteUpload(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{noWorker: true})
	_, sid := e.seedFlow(userAlice)
	counter := &bodyCounter{next: e.srv.Handler()}
	srv := httptest.NewServer(counter)
	t.Cleanup(srv.Close)
	const size = 2 << 30
	limit := e.srv.cfg.MaxUploadBytes
	for _, declared := range []bool{true, false} {
		t.Run(fmt.Sprintf("declared=%v", declared), func(t *testing.T) {
			counter.read.Store(0)
			body, contentType := newHugeUpload(size)
			req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/sessions/%d/recordings/1", srv.URL, sid), io.NopCloser(body))
			req.Header.Set("Content-Type", contentType)
			req.Header.Set("Authorization", "Bearer "+token(t, userAlice))
			if declared {
				req.ContentLength = size
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				// The server may close the connection while the client is
				// still writing; then the transport reports the write error.
				t.Logf("client: %v", err)
			} else {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 413 || !bytes.Contains(b, []byte("file_too_large: the limit is 1048576 bytes")) {
					t.Fatalf("%d %s", resp.StatusCode, b)
				}
			}
			read, sent := counter.read.Load(), body.taken.Load()
			t.Logf("2 GiB upload, declared length %v: handler read %d bytes, client sent %d bytes (limit %d)", declared, read, sent, limit)
			if read > limit+2<<20 {
				t.Fatalf("the handler read %d bytes of a body over the %d-byte limit", read, limit)
			}
			if declared && read != 0 {
				t.Fatalf("a body declared at 2 GiB was read (%d bytes) before refusing it", read)
			}
			if sent >= size/4 {
				t.Fatalf("the client sent %d bytes before the server gave up", sent)
			}
		})
	}
	if n := e.fake.Count(bucket); n != 0 {
		t.Fatalf("%d objects left in storage", n)
	}
	var n int
	if err := e.srv.db.Bun.NewRaw("SELECT count(*) FROM attempts").Scan(t.Context(), &n); err != nil || n != 0 {
		t.Fatalf("attempt rows left: %d, %v", n, err)
	}
}

// TestUploadNamesAndContent: the client's file name never reaches storage
// (path tricks included), and files that are not media are refused whatever
// their extension.
func TestUploadNamesAndContent(t *testing.T) {
	mediaDir := t.TempDir()
	e := newEnv(t, store.SQLite, envOptions{noWorker: true, mutate: func(c *Config) {
		c.SupabaseURL, c.SupabaseKey, c.MediaDir = "", "", mediaDir
	}})
	_, sid := e.seedFlow(userAlice)
	auth := "Bearer " + token(t, userAlice)
	names := []string{"../../../../tmp/evil.webm", `..\..\evil.webm`, "/etc/cron.d/evil.webm", "sessions/1/attempt_1.webm",
		"a\x00b.webm", strings.Repeat("가", 3000) + ".webm", "😀.webm", ".webm", ""}
	var keys []string
	for _, name := range names {
		r := e.uploadAuth(sid, 1, auth, name, webmHeader())
		if strings.ContainsRune(name, 0) {
			// A NUL makes mime/multipart drop the part's
			// Content-Disposition: the file field is missing.
			if r.status != 422 {
				t.Fatalf("no file name: %d %s", r.status, r.body)
			}
			continue
		}
		if r.status != 200 {
			t.Fatalf("name %q: %d %s", name, r.status, r.body)
		}
		m := r.json(t)
		want := regexp.MustCompile(fmt.Sprintf(`^sessions/%d/attempt_%d-[0-9a-f]{16}\.webm$`, sid, num(t, m["attempt_id"])))
		key, _ := m["video_url"].(string)
		if !want.MatchString(key) {
			t.Fatalf("name %q stored as %v, want %s", name, m["video_url"], want)
		}
		keys = append(keys, key)
	}
	// Only the server's keys exist under the media directory, and nothing
	// was written outside it.
	var files []string
	filepath.WalkDir(mediaDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(mediaDir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if fmt.Sprint(files) != fmt.Sprint(keys) {
		t.Fatalf("media directory holds %v, want %v", files, keys)
	}
	if _, err := os.Stat("/tmp/evil.webm"); err == nil {
		t.Fatal("/tmp/evil.webm was written")
	}

	// Not media, with a media extension.
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	notMedia := map[string][]byte{
		"text.webm":   []byte("hello, this is not a recording"),
		"page.mp4":    []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"),
		"image.webm":  png,
		"archive.mp4": []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"),
		"elf.wav":     []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
		"pdf.m4a":     []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
		"json.webm":   []byte(`{"video":"yes"}`),
		"zeros.webm":  make([]byte, 4096),
	}
	for name, data := range notMedia {
		r := e.uploadAuth(sid, 1, auth, name, data)
		if r.status != 415 || !strings.Contains(string(r.body), "unsupported_media_type") {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	var n int
	if err := e.srv.db.Bun.NewRaw("SELECT count(*) FROM attempts").Scan(t.Context(), &n); err != nil || n != len(keys) {
		t.Fatalf("attempt rows = %d, want %d (%v)", n, len(keys), err)
	}
}

// TestOversizedAndHostileJSON: bodies over huma's 1 MiB limit are 413, and
// deeply nested or malformed JSON is a 4xx, never a 5xx or a crash.
func TestOversizedAndHostileJSON(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{noWorker: true})
	cid, _ := e.seedFlow(userAlice)
	auth := "Bearer " + token(t, userAlice)
	post := func(path string, body []byte) reply {
		req, _ := http.NewRequest("POST", e.http.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth)
		return e.send(req)
	}
	big := []byte(fmt.Sprintf(`{"content_id":%d,"items":[{"question":"q","answer":"%s"}]}`, cid, strings.Repeat("가", 1<<19)))
	if r := post("/api/interviews/resume", big); r.status != 413 {
		t.Fatalf("%d-byte body: %d %.200s", len(big), r.status, r.body)
	}
	hostile := map[string][]byte{
		"nested arrays":  bytes.Repeat([]byte("["), 200000),
		"nested objects": []byte(strings.Repeat(`{"a":`, 50000) + "1" + strings.Repeat("}", 50000)),
		"truncated":      []byte(`{"company":"카카오","role":`),
		"huge number":    []byte(`{"company":"a","role":"b","role_category":1e999999}`),
		"duplicate keys": []byte(`{"company":"a","company":{"x":1},"role":"b"}`),
		"NUL":            []byte(`{"company":"a\u0000b","role":"b"}`),
		"not an object":  []byte(`"company"`),
	}
	// Invalid UTF-8 is decoded as U+FFFD by encoding/json: stored as valid
	// text, never as the raw bytes (PostgreSQL would refuse them).
	r := post("/api/interviews/contents", []byte("{\"company\":\"\xff\xfe\",\"role\":\"dev\"}"))
	expect(t, r, 200, "")
	if c := r.json(t)["content"].(map[string]any)["company"]; c != "\ufffd\ufffd" {
		t.Fatalf("invalid UTF-8 stored as %q", c)
	}
	for name, body := range hostile {
		r := post("/api/interviews/contents", body)
		if r.status < 400 || r.status >= 500 || !json.Valid(r.body) {
			t.Errorf("%s: %d %.300s", name, r.status, r.body)
		}
	}
}

// TestKoreanAndEmojiAtTheLimits stores text of exactly the documented
// maximum length in characters — Hangul (3 bytes in UTF-8) and emoji (4
// bytes, 2 UTF-16 units) — reads it back unchanged on both databases, and
// refuses one character more.
func TestKoreanAndEmojiAtTheLimits(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d, envOptions{noWorker: true})
			u := userAlice
			for _, unit := range []string{"가", "😀", "👩🏽"} {
				name := strings.Repeat(unit, 100/len([]rune(unit)))
				r := e.do("POST", "/api/interviews/contents", u, map[string]any{"company": name, "role": name})
				expect(t, r, 200, "")
				c := r.json(t)["content"].(map[string]any)
				if c["company"] != name || c["role"] != name {
					t.Fatalf("%s: stored %v", unit, c["company"])
				}
				cid := num(t, c["id"])
				expect(t, e.do("POST", "/api/interviews/contents", u, map[string]any{"company": name + "가", "role": "dev"}), 400,
					`{"detail":{"message":"invalid_request_body","detail":"company and role must be at most 100 characters"}}`)

				q := strings.Repeat(unit, 1000/len([]rune(unit)))
				a := strings.Repeat(unit, 20000/len([]rune(unit)))
				expect(t, e.do("POST", "/api/interviews/resume", u, map[string]any{"content_id": cid, "items": []any{map[string]any{"question": q, "answer": a}}}), 200, "")
				var stored struct{ Question, Answer string }
				if err := e.srv.db.Bun.NewRaw("SELECT question, answer FROM resume ORDER BY id DESC LIMIT 1").Scan(t.Context(), &stored.Question, &stored.Answer); err != nil {
					t.Fatal(err)
				}
				if stored.Question != q || stored.Answer != a {
					t.Fatalf("%s: cover letter changed in storage (%d/%d runes)", unit, len([]rune(stored.Question)), len([]rune(stored.Answer)))
				}
				r = e.do("POST", "/api/interviews/resume", u, map[string]any{"content_id": cid, "items": []any{map[string]any{"question": q + "가", "answer": a}}})
				if r.status != 400 || !strings.Contains(string(r.body), "invalid_resume_item") {
					t.Fatalf("question of 1001 characters: %d %s", r.status, r.body)
				}
				r = e.do("POST", "/api/interviews/resume", u, map[string]any{"content_id": cid, "items": []any{map[string]any{"question": q, "answer": a + "가"}}})
				if r.status != 400 || !strings.Contains(string(r.body), "invalid_resume_item") {
					t.Fatalf("answer of 20001 characters: %d %s", r.status, r.body)
				}

				display := strings.Repeat(unit, 100/len([]rune(unit)))
				r = e.do("PATCH", "/api/auth/profile", u, map[string]any{"display_name": display})
				expect(t, r, 200, "")
				if r.json(t)["display_name"] != display {
					t.Fatalf("display name %s", r.body)
				}
				if r := e.do("PATCH", "/api/auth/profile", u, map[string]any{"display_name": display + "가"}); r.status != 422 {
					t.Fatalf("display name of 101 characters: %d %s", r.status, r.body)
				}
			}
		})
	}
}

// TestTruncatedUploadBody: a multipart body that breaks off inside the file
// (FuzzUploadBody's first finding, testdata/fuzz/FuzzUploadBody) is the
// client's fault: 400, not "storage error", on both storage backends, and
// nothing is left behind.
func TestTruncatedUploadBody(t *testing.T) {
	for _, local := range []bool{false, true} {
		t.Run(fmt.Sprintf("local=%v", local), func(t *testing.T) {
			e := newEnv(t, store.SQLite, envOptions{noWorker: true, mutate: func(c *Config) {
				if local {
					c.SupabaseURL, c.SupabaseKey, c.MediaDir = "", "", t.TempDir()
				}
			}})
			_, sid := e.seedFlow(userAlice)
			body := "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.webm\"\r\n\r\n" + string(webmHeader()) + string(make([]byte, 1000))
			req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/sessions/%d/recordings/1", e.http.URL, sid), strings.NewReader(body))
			req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
			req.Header.Set("Authorization", "Bearer "+token(t, userAlice))
			expect(t, e.send(req), 400, `{"detail":"Upload failed: the request body is incomplete"}`)
			var n int
			if err := e.srv.db.Bun.NewRaw("SELECT count(*) FROM attempts").Scan(t.Context(), &n); err != nil || n != 0 {
				t.Fatalf("attempt rows left: %d, %v", n, err)
			}
			if !local && e.fake.Count(bucket) != 0 {
				t.Fatalf("%d objects left", e.fake.Count(bucket))
			}
		})
	}
}
