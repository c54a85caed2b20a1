package server

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"
)

// guardBodies keeps slow or never-ending request bodies from holding a
// connection and its goroutine: each body must keep arriving at
// Config.MinBodyRate on average (after a first Config.BodyIdleTimeout of
// grace) and may never pause longer than BodyIdleTimeout. A handler that
// answers without reading the whole body (a 401, a 413, a 429) gets its
// connection closed instead of net/http draining up to 256 KiB of it at the
// client's pace first.
func (s *Server) guardBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		b := &guardedBody{ReadCloser: r.Body, rc: http.NewResponseController(w), start: time.Now(),
			rate: s.cfg.MinBodyRate, idle: s.cfg.BodyIdleTimeout}
		b.extend()
		// A shallow copy: net/http's own request must keep its body, which it
		// inspects after the handler to close the connection gracefully.
		guarded := r.WithContext(r.Context())
		guarded.Body = b
		next.ServeHTTP(&closeUnreadBody{ResponseWriter: w, body: b}, guarded)
		if !b.eof {
			// Whatever is left unread is not drained: the next read fails at
			// once and net/http closes the connection after the reply.
			_ = b.rc.SetReadDeadline(time.Now())
		}
	})
}

// guardedBody moves the connection's read deadline as bytes arrive.
type guardedBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	start time.Time
	read  int64
	rate  int64
	idle  time.Duration
	eof   bool
}

func (b *guardedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	switch {
	case err == io.EOF:
		b.eof = true
		// The handler may take long after the body (a synchronous analysis
		// wait); net/http's read that watches for the client going away must
		// not time out meanwhile.
		_ = b.rc.SetReadDeadline(time.Time{})
	case err == nil:
		b.extend()
	}
	return n, err
}

// extend sets the deadline of the next read: no later than BodyIdleTimeout
// from now, and no later than the moment the body falls below the minimum
// average rate.
func (b *guardedBody) extend() {
	deadline := time.Now().Add(b.idle)
	if byRate := b.start.Add(b.idle + time.Duration(float64(b.read)/float64(b.rate)*float64(time.Second))); byRate.Before(deadline) {
		deadline = byRate
	}
	_ = b.rc.SetReadDeadline(deadline)
}

// slowBody reports whether err is a request body cut off by guardBodies.
func slowBody(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// closeUnreadBody tells the client the connection closes when a reply is
// sent before its body was read to the end, so it stops sending.
type closeUnreadBody struct {
	http.ResponseWriter
	body *guardedBody
}

func (w *closeUnreadBody) WriteHeader(code int) {
	if !w.body.eof && code >= http.StatusBadRequest {
		w.Header().Set("Connection", "close")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *closeUnreadBody) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// slots counts concurrent holders per key (a client address, a user) and
// refuses more than a limit.
type slots struct {
	mu   sync.Mutex
	held map[string]int
}

func newSlots() *slots { return &slots{held: map[string]int{}} }

// acquire takes one of key's limit slots and returns its release, or false
// when all are taken.
func (s *slots) acquire(key string, limit int) (release func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held[key] >= limit {
		return nil, false
	}
	s.held[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.held[key]--; s.held[key] == 0 {
				delete(s.held, key)
			}
		})
	}, true
}

// clientAddr is the address of the client a request comes from: the direct
// peer, or, when that is one of Config.TrustedProxies, the address the
// nearest untrusted hop of X-Forwarded-For names (the proxies append, so the
// entries left of it are the client's to forge).
func (s *Server) clientAddr(r *http.Request) string {
	peer := peerAddr(r.RemoteAddr)
	if !peer.IsValid() || !s.trustedAddr(peer) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		ip, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if ip = ip.Unmap(); !s.trustedAddr(ip) {
			return ip.String()
		}
	}
	return peer.String()
}
