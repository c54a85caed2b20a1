package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
	"github.com/nevermind-ai/nevermind/server/store"
)

// slowResult is what a trickling client saw.
type slowResult struct {
	status     int  // 0: no reply before the client gave up
	close      bool // the reply said Connection: close
	serverCut  bool // the server closed the connection while the client still had bytes to send
	bytesAfter int  // body bytes the client sent after its prefix
}

// slowPost sends POST path with a chunked body over a raw connection: the
// prefix at once, then one byte every gap for at most total. It stops early
// once the server has replied and closed the connection.
func slowPost(t *testing.T, base, path, bearer, contentType string, prefix []byte, gap, total time.Duration) slowResult {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nTransfer-Encoding: chunked\r\nContent-Type: %s\r\n", path, u.Host, contentType)
	if bearer != "" {
		head += "Authorization: Bearer " + bearer + "\r\n"
	}
	if _, err := fmt.Fprintf(conn, "%s\r\n%x\r\n%s\r\n", head, len(prefix), prefix); err != nil {
		t.Fatal(err)
	}
	type reply struct {
		status int
		close  bool
	}
	replied := make(chan reply, 1)
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return
		}
		replied <- reply{resp.StatusCode, resp.Close}
		_, _ = io.Copy(io.Discard, resp.Body)
		_, _ = io.Copy(io.Discard, br) // returns when the server closes
	}()
	var res slowResult
	end := time.After(total)
	tick := time.NewTicker(gap)
	defer tick.Stop()
send:
	for {
		select {
		case <-closed:
			res.serverCut = true
			break send
		case <-end:
			break send
		case <-tick.C:
			if _, err := conn.Write([]byte("1\r\nx\r\n")); err != nil {
				res.serverCut = true
				break send
			}
			res.bytesAfter++
		}
	}
	select {
	case r := <-replied:
		res.status, res.close = r.status, r.close
	default:
	}
	return res
}

// webmFile is an EBML header that sniffs as WebM, padded past the sniffer's
// 512 bytes.
var webmFile = "\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm" +
	strings.Repeat("\x00", 600)

// multipartPrefix is the start of an upload body whose file part never ends.
func multipartPrefix() (contentType string, prefix []byte) {
	return "multipart/form-data; boundary=xx", []byte("--xx\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.webm\"\r\n" +
		"Content-Type: video/webm\r\n\r\n" + webmFile)
}

// An upload trickling below the minimum rate is cut off with 408 and its
// connection closed, leaving no attempt row or object; a request answered
// before its body was read (401) does not wait for the rest of it.
func TestSlowBodiesAreCutOff(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d, envOptions{noWorker: true, mutate: func(c *Config) {
				c.MinBodyRate, c.BodyIdleTimeout = 64<<10, 300*time.Millisecond
			}})
			_, sid := e.seedFlow(userAlice)
			path := fmt.Sprintf("/api/sessions/%d/recordings/1", sid)
			ct, prefix := multipartPrefix()

			// One byte every 20 ms would go on for the whole 30 s.
			r := slowPost(t, e.http.URL, path, token(t, userAlice), ct, prefix, 20*time.Millisecond, 30*time.Second)
			if r.status != http.StatusRequestTimeout || !r.serverCut {
				t.Fatalf("slow upload: status %d, cut by the server %v after %d bytes", r.status, r.serverCut, r.bytesAfter)
			}
			var n int
			if err := e.srv.db.Bun.NewRaw("SELECT count(*) FROM attempts").Scan(t.Context(), &n); err != nil || n != 0 {
				t.Fatalf("attempt rows left: %d, %v", n, err)
			}
			if n := e.fake.Count(bucket); n != 0 {
				t.Fatalf("%d objects left in storage", n)
			}

			// Without credentials, on the upload route and on a huma route: the
			// 401 comes at once, not after net/http drained 256 KiB at 50 B/s.
			for _, p := range []string{path, "/api/interviews/contents"} {
				r = slowPost(t, e.http.URL, p, "", ct, prefix, 20*time.Millisecond, 30*time.Second)
				if r.status != http.StatusUnauthorized || !r.serverCut || !r.close {
					t.Fatalf("%s unauthenticated: status %d, Connection: close %v, cut by the server %v after %d bytes",
						p, r.status, r.close, r.serverCut, r.bytesAfter)
				}
			}
			// A body sent at a normal pace still gets through.
			expect(t, e.upload(sid, 1, userAlice, []byte(webmFile)), 200, "")
		})
	}
}

// One address may stream only MaxUploadsPerClient uploads at once; the next
// is refused with 429 and Retry-After before its body is read, and the slot
// comes back when the upload ends.
func TestUploadsPerClientAreCapped(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{noWorker: true, mutate: func(c *Config) {
		c.MaxUploadsPerClient, c.MinBodyRate, c.BodyIdleTimeout = 1, 1, 2*time.Second
	}})
	_, sid := e.seedFlow(userAlice)
	path := fmt.Sprintf("/api/sessions/%d/recordings/1", sid)
	ct, prefix := multipartPrefix()
	held := make(chan slowResult, 1)
	go func() {
		held <- slowPost(t, e.http.URL, path, token(t, userAlice), ct, prefix, 50*time.Millisecond, 3*time.Second)
	}()
	// The slow upload must hold the slot first: were a quick upload in the
	// handler when it arrives, the slow one would be the one refused.
	heldSlots := func() int {
		e.srv.uploads.mu.Lock()
		defer e.srv.uploads.mu.Unlock()
		return e.srv.uploads.held["127.0.0.1"]
	}
	deadline := time.Now().Add(10 * time.Second)
	for heldSlots() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// Not e.upload: the reply's Retry-After is checked.
	req := e.request("POST", e.http.URL+path, nil)
	req.Body = io.NopCloser(strings.NewReader("--xx\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.webm\"\r\n\r\n" + webmFile + "\r\n--xx--\r\n"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=xx")
	req.Header.Set("Authorization", "Bearer "+token(t, userAlice))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	expect(t, reply{resp.StatusCode, body, resp.Header}, http.StatusTooManyRequests, `{"detail":"too_many_uploads: at most 1 at once from one address"}`)
	if resp.Header.Get("Retry-After") != "10" {
		t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	if r := <-held; r.status != 0 {
		t.Fatalf("the slow upload ended with %d before the client stopped", r.status)
	}
	for heldSlots() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // its handler is still returning
	}
	r := e.upload(sid, 1, userAlice, []byte(webmFile))
	expect(t, r, http.StatusOK, "")
}

// The per-client upload cap counts the client a trusted proxy names: the
// nearest X-Forwarded-For hop that is not itself a trusted proxy. Entries
// further left are the client's to forge, and an untrusted peer's header is
// ignored.
func TestClientAddr(t *testing.T) {
	p, err := parseTrustedProxies([]string{"10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{trusted: p}
	for _, c := range []struct{ peer, xff, want string }{
		{"203.0.113.9:5000", "", "203.0.113.9"},
		{"203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},
		{"10.0.0.5:5000", "198.51.100.1", "198.51.100.1"},
		{"10.0.0.5:5000", "6.6.6.6, 198.51.100.1, 10.0.0.7", "198.51.100.1"},
		{"10.0.0.5:5000", "10.0.0.8", "10.0.0.5"},
		{"10.0.0.5:5000", "not-an-address", "10.0.0.5"},
		{"[::ffff:10.0.0.5]:5000", "2001:db8::1", "2001:db8::1"},
	} {
		r := &http.Request{RemoteAddr: c.peer, Header: http.Header{}}
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := s.clientAddr(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
}
