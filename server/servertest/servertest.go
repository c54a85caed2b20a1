package servertest

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"

	"github.com/nevermind-ai/nevermind/server"
	"github.com/nevermind-ai/nevermind/server/auth"
)

// Option changes the configuration [New] starts the server with.
type Option func(*server.Config)

// Server is a running server on a temporary SQLite database, listening on
// a loopback port, with its in-process job worker.
type Server struct {
	// URL is the server's root, http://127.0.0.1:port.
	URL string
	// Server is the running server, for what URL does not reach (its
	// OpenAPI document, say).
	Server *server.Server
	// Analyzer is the fake analyser the server runs, or nil when an Option
	// set Config.Analyzer.
	Analyzer *Analyzer

	t         testing.TB
	secret    string
	stop      context.CancelFunc
	done      chan error
	closeOnce sync.Once
}

// New starts a server for the test and closes it when the test ends. The
// configuration is a development server's with everything in t.TempDir():
// SQLite, local storage and live uploads; an [Analyzer] for analyses and a
// [Coach] for questions and answer evaluation; a random HS256 secret for [Server.Token]; logs discarded. Each Option then
// changes it, so any field can be set, Analyzer, Generator and Logger
// included. New fails t if the server cannot start.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	dir := t.TempDir()
	fake := &Analyzer{}
	cfg := server.Config{
		DatabaseURL: "sqlite:" + filepath.Join(dir, "nevermind.db"),
		MediaDir:    filepath.Join(dir, "media"),
		LiveDir:     filepath.Join(dir, "live"),
		JWTSecret:   rand.Text() + rand.Text(), // 52 random characters
		Analyzer:    fake,
		Generator:   Coach{},
		Evaluator:   Coach{},
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatalf("servertest: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		t.Fatalf("servertest: %v", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &Server{URL: "http://" + l.Addr().String(), Server: srv, t: t, secret: cfg.JWTSecret, stop: stop, done: make(chan error, 1)}
	if cfg.Analyzer == server.Analyzer(fake) {
		s.Analyzer = fake
	}
	// Requests that arrive while Serve sweeps at start wait in the
	// listener's backlog, so the server is usable as soon as New returns.
	go func() { s.done <- srv.Serve(ctx, l) }()
	t.Cleanup(s.Close)
	return s
}

// Token returns a bearer token for the user subject (a UUID, such as
// server.DevUserID), signed with the server's JWTSecret. It fails the test
// when an Option removed the secret (for a JWKS URL, say).
func (s *Server) Token(subject string) string {
	s.t.Helper()
	if s.secret == "" {
		s.t.Fatal("servertest: Token needs Config.JWTSecret")
	}
	tok, err := auth.SignHS256([]byte(s.secret), auth.TokenOptions{Subject: subject, Email: "test@example.com"})
	if err != nil {
		s.t.Fatalf("servertest: %v", err)
	}
	return tok
}

// Close stops the server, letting running requests and jobs finish, and
// releases its database. New registers it with t.Cleanup; calling it
// earlier, to test what survives a restart say, is allowed, and later calls
// do nothing.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.stop()
		if err := <-s.done; err != nil {
			s.t.Errorf("servertest: serve: %v", err)
		}
		if err := s.Server.Close(); err != nil {
			s.t.Errorf("servertest: close: %v", err)
		}
	})
}
