package server

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind/server/store"
)

// localVideoURL uploads rec for a fresh session of Alice on a local-storage
// server configured by mutate and returns the video route's video_url as
// fetched with hdr.
func localVideoURL(t *testing.T, mutate func(*Config), rec []byte, hdr http.Header) (*testEnv, string) {
	t.Helper()
	mediaDir := t.TempDir()
	e := newEnv(t, store.SQLite, envOptions{mutate: func(c *Config) {
		c.SupabaseURL, c.SupabaseKey, c.MediaDir = "", "", mediaDir
		if mutate != nil {
			mutate(c)
		}
	}})
	_, sid := e.seedFlow(userAlice)
	r := e.upload(sid, 1, userAlice, rec)
	expect(t, r, 200, "")
	aid := num(t, r.json(t)["attempt_id"])
	req := e.request("GET", fmt.Sprintf("%s/api/feedback/sessions/%d/attempts/%d/video", e.http.URL, sid, aid), nil)
	req.Header.Set("Authorization", "Bearer "+token(t, userAlice))
	for k, v := range hdr {
		req.Header[k] = v
	}
	r = e.send(req)
	expect(t, r, 200, "")
	return e, r.json(t)["video_url"].(string)
}

func TestReplayURLIsAbsolute(t *testing.T) {
	rec := webmHeader()
	forwarded := http.Header{"X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"evil.example"}}

	// Without a public URL the link gets the origin the request reached, and
	// forwarding headers from an untrusted peer are ignored.
	e, u := localVideoURL(t, nil, rec, forwarded)
	if !strings.HasPrefix(u, e.http.URL+"/media/sessions/") {
		t.Fatalf("video_url %q, want it on %s", u, e.http.URL)
	}

	// A trusted proxy's headers name the external origin.
	_, u = localVideoURL(t, func(c *Config) { c.TrustedProxies = []string{"127.0.0.0/8", "::1"} }, rec,
		http.Header{"X-Forwarded-Proto": {"https, http"}, "X-Forwarded-Host": {"api.example.com"}})
	if !strings.HasPrefix(u, "https://api.example.com/media/sessions/") {
		t.Fatalf("behind a trusted proxy video_url = %q", u)
	}
	// …but not one that would smuggle a path or userinfo into the link.
	e, u = localVideoURL(t, func(c *Config) { c.TrustedProxies = []string{"127.0.0.1"} }, rec,
		http.Header{"X-Forwarded-Host": {"evil.example/x?"}})
	if !strings.HasPrefix(u, e.http.URL+"/media/sessions/") {
		t.Fatalf("a malformed X-Forwarded-Host reached the link: %q", u)
	}

	// NEVERMIND_PUBLIC_URL wins over everything.
	_, u = localVideoURL(t, func(c *Config) {
		c.PublicURL, c.TrustedProxies = "https://nevermind.example/", []string{"127.0.0.1"}
	}, rec, forwarded)
	if !strings.HasPrefix(u, "https://nevermind.example/media/sessions/") {
		t.Fatalf("with a public URL video_url = %q", u)
	}
}

func TestTrustedProxiesRejectsGarbage(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "not-an-ip", "1.2.3"} {
		if _, err := parseTrustedProxies([]string{bad}); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
	c, err := ConfigFromEnv(func(k string) string {
		if k == "NEVERMIND_TRUSTED_PROXIES" {
			return " 10.0.0.0/8 , ,::ffff:192.168.1.1"
		}
		return ""
	})
	if err != nil || len(c.TrustedProxies) != 2 {
		t.Fatalf("TrustedProxies = %q, %v", c.TrustedProxies, err)
	}
	p, err := parseTrustedProxies(c.TrustedProxies)
	if err != nil || len(p) != 2 {
		t.Fatal(p, err)
	}
	s := &Server{trusted: p}
	for addr, want := range map[string]bool{"10.9.8.7:1234": true, "192.168.1.1:80": true, "[::ffff:10.1.1.1]:80": true, "11.0.0.1:80": false, "garbage": false} {
		if got := s.trustedPeer(addr); got != want {
			t.Errorf("trustedPeer(%q) = %v", addr, got)
		}
	}
}

// A <video> element needs video/webm and byte ranges to start and to seek.
func TestReplayServesVideoWithRanges(t *testing.T) {
	rec := recording(t)
	_, u := localVideoURL(t, nil, rec, nil)
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Range", "bytes=100-199")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Type") != "video/webm" ||
		resp.Header.Get("Accept-Ranges") != "bytes" || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 100-199/%d", len(rec)) {
		t.Fatalf("range GET: %d %v", resp.StatusCode, resp.Header)
	}
	if string(body) != string(rec[100:200]) {
		t.Fatal("range GET returned other bytes than the recording's 100..199")
	}
	resp, err = http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "video/webm" || string(body) != string(rec) {
		t.Fatalf("full GET: %d %v, %d bytes", resp.StatusCode, resp.Header, len(body))
	}
}
