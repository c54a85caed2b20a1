package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/nevermind-ai/nevermind/server/auth"
	"github.com/nevermind-ai/nevermind/server/storage"
	"github.com/nevermind-ai/nevermind/server/store"
)

// DevUserID is the subject of the development token minted when no JWT
// secret or JWKS is configured.
const DevUserID = "00000000-0000-4000-8000-000000000001"

// errNoAuth is New's answer for a PostgreSQL deployment without a JWT
// secret or JWKS URL and without explicit development mode.
var errNoAuth = errors.New("server: no SUPABASE_JWT_SECRET or SUPABASE_JWKS_URL with a PostgreSQL database; " +
	"set one, or NEVERMIND_DEV_AUTH=1 to run with a development token")

// Server is the HTTP API with its database, storage and job queue.
type Server struct {
	cfg      Config
	log      *slog.Logger
	db       *store.DB
	storage  storage.Storage
	local    *storage.Local // nil with Supabase Storage
	verifier *auth.Verifier
	devToken string
	queue    jobQueue
	live     *liveUploads
	runner   *analysisRunner
	api      huma.API
	mux      *http.ServeMux
	handler  http.Handler
	metrics  *metrics
	limiter  *rateLimiter
	uploads  *slots // streaming uploads per client address
	// userUploads counts streaming uploads per user; validations holds a
	// token per MediaValidator run, waited for up to validationWait.
	userUploads    *slots
	validations    chan struct{}
	validationWait time.Duration
	trusted        []netip.Prefix // Config.TrustedProxies
	stop           context.CancelFunc

	closeOnce sync.Once
}

// New opens the database and storage, builds the verifier and the routes.
// It does not listen; use Handler or Run. Close releases everything.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	ctx, stop := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, log: cfg.Logger, stop: stop, metrics: newMetrics(), limiter: newRateLimiter(), uploads: newSlots(),
		userUploads: newSlots(), validations: make(chan struct{}, cfg.MaxValidations), validationWait: 10 * time.Second}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()

	var err error
	if s.trusted, err = parseTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	s.db = db
	if db.Dialect == store.SQLite {
		s.cfg.RunWorker = true
		cfg.RunWorker = true
	}
	if cfg.MigrateOnStart || db.Dialect == store.SQLite {
		if _, err := migrateAll(ctx, db); err != nil {
			return nil, err
		}
	}

	if cfg.SupabaseURL != "" && cfg.SupabaseKey != "" {
		s.storage, err = storage.NewSupabase(storage.SupabaseOptions{URL: cfg.SupabaseURL, Key: cfg.SupabaseKey, Bucket: cfg.VideoBucket})
	} else {
		s.local, err = storage.NewLocal(storage.LocalOptions{Dir: cfg.MediaDir, BaseURL: cfg.PublicURL, SigningKey: []byte(cfg.MediaSigningKey)})
		s.storage = s.local
	}
	if err != nil {
		return nil, err
	}

	authCfg := auth.Config{Secret: []byte(cfg.JWTSecret), JWKSURL: cfg.JWKSURL, Issuer: cfg.Issuer, Audience: cfg.Audience, Leeway: cfg.JWTLeeway}
	if cfg.JWTSecret == "" && cfg.JWKSURL == "" {
		// A shared PostgreSQL database means a deployment: a forgotten
		// secret must not turn it into one where a printed token is the key.
		if db.Dialect != store.SQLite && !cfg.DevAuth {
			return nil, errNoAuth
		}
		authCfg.Secret = auth.DevSecret()
		s.devToken, err = auth.SignHS256(authCfg.Secret, auth.TokenOptions{
			Subject: DevUserID, Email: "dev@localhost", Issuer: cfg.Issuer, Audience: cfg.Audience, TTL: 30 * 24 * time.Hour,
		})
		if err != nil {
			return nil, err
		}
	}
	if s.verifier, err = auth.NewVerifier(ctx, authCfg); err != nil {
		return nil, err
	}

	s.runner = &analysisRunner{db: db, storage: s.storage, analyzer: cfg.Analyzer, log: s.log.With("component", "analysis")}
	if s.queue, err = newQueue(db, cfg, s.runner, cfg.RunWorker); err != nil {
		return nil, err
	}

	if s.live, err = s.newLiveUploads(); err != nil {
		return nil, err
	}
	s.routes()
	ok = true
	return s, nil
}

// DevToken returns the bearer token for DevUserID when the server runs in
// zero-config development mode (no SUPABASE_JWT_SECRET or
// SUPABASE_JWKS_URL), and "" otherwise. `nevermind serve` prints it.
func (s *Server) DevToken() string { return s.devToken }

// Handler returns the HTTP handler with every route, CORS and metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// OpenAPI returns the API description served at /openapi.json.
func (s *Server) OpenAPI() *huma.OpenAPI { return s.api.OpenAPI() }

// Run serves HTTP on Config.Addr (and, with RunWorker, works analysis jobs)
// until ctx ends, then shuts down gracefully. At start and every 10 minutes
// it removes what dead processes left: unfinished uploads and analyses whose
// job is gone (see sweep).
func (s *Server) Run(ctx context.Context) error {
	l, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, l)
}

// Serve is Run on a listener the caller opened, such as one on port 0 whose
// address a test learns before the server starts; Config.Addr is unused.
// Serve closes l.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	defer l.Close() // the http.Server closes it too; this covers the early returns
	if err := s.sweepAtStart(ctx); err != nil {
		return err
	}
	go s.sweepPeriodically(ctx)
	if s.cfg.RunWorker {
		if err := s.queue.start(ctx); err != nil {
			return fmt.Errorf("server: start worker: %w", err)
		}
	}
	// No read or write timeout: uploads stream for as long as they need and
	// the analysis routes may wait up to SyncWait.
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	s.log.Info("listening", "addr", l.Addr().String(), "database", string(s.db.Dialect), "worker", s.cfg.RunWorker)
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if serr := srv.Shutdown(shutdownCtx); serr != nil && err == nil {
		err = serr
	}
	if s.cfg.RunWorker {
		if serr := s.queue.stop(shutdownCtx); serr != nil && err == nil {
			err = serr
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close releases the database, storage and the JWKS refresher.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		if s.stop != nil {
			s.stop()
		}
		if s.live != nil {
			s.live.stopAll()
		}
		if s.verifier != nil {
			s.verifier.Close()
		}
		if s.local != nil {
			err = errors.Join(err, s.local.Close())
		}
		if s.db != nil {
			err = errors.Join(err, s.db.Close())
		}
	})
	return err
}

// Worker processes analysis jobs from the shared database without serving
// HTTP: `nevermind worker` on any number of machines.
type Worker struct {
	queue jobQueue
	db    *store.DB
	log   *slog.Logger
	local *storage.Local
}

// NewWorker opens the database and storage named by cfg for a job worker.
// cfg.Analyzer must be set for jobs to succeed.
func NewWorker(cfg Config) (*Worker, error) {
	cfg = cfg.withDefaults()
	ctx := context.Background()
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	w := &Worker{db: db, log: cfg.Logger}
	var st storage.Storage
	if cfg.SupabaseURL != "" && cfg.SupabaseKey != "" {
		st, err = storage.NewSupabase(storage.SupabaseOptions{URL: cfg.SupabaseURL, Key: cfg.SupabaseKey, Bucket: cfg.VideoBucket})
	} else {
		w.local, err = storage.NewLocal(storage.LocalOptions{Dir: cfg.MediaDir})
		st = w.local
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	runner := &analysisRunner{db: db, storage: st, analyzer: cfg.Analyzer, log: cfg.Logger.With("component", "analysis")}
	if w.queue, err = newQueue(db, cfg, runner, true); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// Run works jobs until ctx ends, then lets running jobs finish (up to the
// job timeout) before returning.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.queue.start(ctx); err != nil {
		return fmt.Errorf("server: start worker: %w", err)
	}
	w.log.Info("worker started", "database", string(w.db.Dialect))
	<-ctx.Done()
	// Let running analyses finish for a while, then cancel them: River puts
	// cancelled jobs back in the queue for another worker.
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := w.queue.stop(stopCtx); err == nil {
		return nil
	}
	return w.queue.stopAndCancel(context.WithoutCancel(ctx))
}

// Close releases the database and storage.
func (w *Worker) Close() error {
	var err error
	if w.local != nil {
		err = w.local.Close()
	}
	return errors.Join(err, w.db.Close())
}

func migrateAll(ctx context.Context, db *store.DB) ([]string, error) {
	applied, err := db.MigrateUp(ctx)
	if err != nil {
		return nil, err
	}
	if err := migrateRiver(ctx, db); err != nil {
		return applied, err
	}
	return applied, nil
}

// MigrateUp applies every pending migration of the database at databaseURL
// (ours, then River's) and returns the names of ours that ran.
func MigrateUp(ctx context.Context, databaseURL string) ([]string, error) {
	db, err := store.Open(ctx, Config{DatabaseURL: databaseURL}.withDefaults().DatabaseURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return migrateAll(ctx, db)
}

// MigrateDown rolls back the last group of our migrations (River's tables
// are left alone) and returns the names rolled back.
func MigrateDown(ctx context.Context, databaseURL string) ([]string, error) {
	db, err := store.Open(ctx, Config{DatabaseURL: databaseURL}.withDefaults().DatabaseURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return db.MigrateDown(ctx)
}

// MigrationStatus lists our migrations and whether each is applied.
func MigrationStatus(ctx context.Context, databaseURL string) ([]store.MigrationStatus, error) {
	db, err := store.Open(ctx, Config{DatabaseURL: databaseURL}.withDefaults().DatabaseURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return db.MigrationStatus(ctx)
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	config := huma.DefaultConfig("Interview API", s.cfg.Version)
	config.CreateHooks = nil // no $schema fields: responses keep the seed's shapes
	config.DocsPath = ""     // served offline by serveDocs
	config.OpenAPI.Info.Description = "NEVER MIND interview-practice API, compatible with the original FastAPI service. " +
		"Authenticate with a Supabase access token: `Authorization: Bearer <token>`."
	config.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", BearerFormat: "JWT"},
	}
	config.OnAddOperation = append(config.OnAddOperation, func(_ *huma.OpenAPI, op *huma.Operation) {
		if op.Responses == nil {
			op.Responses = map[string]*huma.Response{}
		}
		if op.Responses["4XX"] == nil {
			op.Responses["4XX"] = seedErrorResponse()
		}
	})
	config.Transformers = append(config.Transformers, humanProblemDetail)
	s.api = humago.New(s.mux, config)
	s.api.UseMiddleware(s.authMiddleware, s.rejectNonFiniteQuery)

	s.registerHealth()
	s.registerAuth()
	s.registerInterviews()
	s.registerSessions()
	s.registerFeedback()
	s.registerExtras()
	s.registerUpload()
	for _, method := range []string{"POST", "HEAD", "PATCH", "DELETE", "GET"} {
		s.mux.Handle(method+" "+livePath+"{rest...}", s.live)
	}
	s.registerDocs()
	s.registerPractice()
	if s.local != nil {
		s.mux.HandleFunc("GET "+storage.LocalURLPrefix+"{key...}", s.serveLocalMedia)
	}
	// guardBodies is outermost, holding the connection's own writer for its
	// read deadlines; withOrigin replaces the request, and the metrics read
	// the pattern ServeMux sets on the one it routes.
	s.handler = s.guardBodies(s.withOrigin(s.metrics.middleware(securityHeaders(s.cors(s.mux)))))
}

// register adds an operation whose handler's errors are answered through
// errorReply, so that no error reaches huma, which would put its text in the
// body.
func register[I, O any](s *Server, op huma.Operation, handler func(context.Context, *I) (*O, error)) {
	huma.Register(s.api, op, func(ctx context.Context, in *I) (*O, error) {
		ctx = withRoute(ctx, op.OperationID)
		out, err := handler(ctx, in)
		if err != nil {
			return nil, s.errorReply(ctx, err)
		}
		return out, nil
	})
}

// securityHeaders stops browsers from sniffing a JSON or media response into
// something executable and keeps per-user responses (and signed media URLs'
// bodies) out of shared caches.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// rejectNonFiniteQuery answers 422 for a number query parameter spelled NaN
// or ±Inf: strconv.ParseFloat accepts them, and NaN passes huma's
// minimum/maximum checks because every comparison with it is false.
func (s *Server) rejectNonFiniteQuery(ctx huma.Context, next func(huma.Context)) {
	for _, p := range ctx.Operation().Parameters {
		if p.In != "query" || p.Schema == nil || p.Schema.Type != huma.TypeNumber {
			continue
		}
		v := ctx.Query(p.Name)
		if v == "" {
			continue
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
			_ = huma.WriteErr(s.api, ctx, http.StatusUnprocessableEntity, "validation failed",
				&huma.ErrorDetail{Message: "expected a finite number", Location: "query." + p.Name, Value: v})
			return
		}
	}
	next(ctx)
}

var bearer = []map[string][]string{{"bearer": {}}}

// jsonBody is a route's input or output that is a JSON body only.
type jsonBody[T any] struct{ Body T }

// maxLoggedReason bounds a client-controlled string in a log line: a
// rejected token's error quotes its claims, which can be megabytes.
const maxLoggedReason = 256

// truncate cuts s to at most n bytes on a UTF-8 boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("…(%d bytes)", len(s))
}

type userKey struct{}

// currentUser is what the seed's get_current_user dependency yields.
type currentUser struct {
	ID      string
	Email   string
	Profile *store.Profile
}

func userFrom(ctx context.Context) *currentUser {
	u, _ := ctx.Value(userKey{}).(*currentUser)
	return u
}

// authenticate verifies the Authorization header and loads (creating on
// first sight) the profile. It returns the seed's 401, or 403 for a blocked
// or deleted profile.
func (s *Server) authenticate(ctx context.Context, header string) (*currentUser, *apiError) {
	token, err := auth.BearerToken(header)
	if err != nil {
		return nil, errUnauthorized
	}
	claims, err := s.verifier.Verify(ctx, token)
	if err != nil {
		s.log.Info("token rejected", "reason", truncate(err.Error(), maxLoggedReason))
		return nil, errUnauthorized
	}
	p, err := s.db.EnsureProfile(ctx, claims.Subject)
	if err != nil {
		return nil, s.errorReply(ctx, failed("profile", err))
	}
	switch p.Status {
	case store.ProfileBlocked:
		return nil, errAccountBlocked
	case store.ProfileDeleted:
		return nil, errAccountDeleted
	}
	return &currentUser{ID: claims.Subject, Email: claims.Email, Profile: p}, nil
}

func (s *Server) authMiddleware(ctx huma.Context, next func(huma.Context)) {
	if len(ctx.Operation().Security) == 0 {
		next(ctx)
		return
	}
	u, aerr := s.authenticate(ctx.Context(), ctx.Header("Authorization"))
	if aerr != nil {
		ctx.SetHeader("Content-Type", "application/json")
		ctx.SetStatus(aerr.status)
		_ = s.api.Marshal(ctx.BodyWriter(), "application/json", aerr)
		return
	}
	next(huma.WithValue(ctx, userKey{}, u))
}

func (s *Server) cors(next http.Handler) http.Handler {
	allowed := map[string]bool{}
	for _, o := range s.cfg.CORSOrigins {
		allowed[o] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && (len(allowed) == 0 || allowed[origin]) {
			h := w.Header()
			if len(allowed) == 0 {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
				h.Add("Vary", "Origin")
			}
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
				if reqHeaders := r.Header.Get("Access-Control-Request-Headers"); reqHeaders != "" {
					h.Set("Access-Control-Allow-Headers", reqHeaders)
				}
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusOK)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// ownerActive reports whether the recording at key (sessions/{id}/…) belongs
// to a session whose owner's profile is active.
func (s *Server) ownerActive(ctx context.Context, key string) (bool, error) {
	rest, ok := strings.CutPrefix(key, "sessions/")
	if !ok {
		return false, nil
	}
	idText, _, _ := strings.Cut(rest, "/")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return false, nil
	}
	sess, err := s.db.Session(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	p, err := s.db.Profile(ctx, sess.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return p.Status == store.ProfileActive, nil
}

func (s *Server) serveLocalMedia(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	q := r.URL.Query()
	if !s.local.CheckSignature(key, q.Get("expires"), q.Get("token")) {
		http.Error(w, `{"detail":"invalid_or_expired_signature"}`, http.StatusForbidden)
		return
	}
	// A link signed before its account was deleted or blocked stops at once,
	// not when it expires or the next sweep removes the recording.
	if active, err := s.ownerActive(r.Context(), key); err != nil {
		http.Error(w, `{"detail":"service_unavailable"}`, http.StatusServiceUnavailable)
		return
	} else if !active {
		http.Error(w, `{"detail":"video_not_found"}`, http.StatusNotFound)
		return
	}
	rc, err := s.local.Open(r.Context(), key)
	if err != nil {
		http.Error(w, `{"detail":"video_not_found"}`, http.StatusNotFound)
		return
	}
	defer rc.Close()
	// Uploads are stored as *.webm whatever their tracks, and mime's table
	// calls that audio/webm; a <video> element wants video/webm. Range
	// requests (ServeContent) let it seek.
	if strings.HasSuffix(key, ".webm") {
		w.Header().Set("Content-Type", "video/webm")
	}
	if f, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(w, r, key[strings.LastIndex(key, "/")+1:], time.Time{}, f)
		return
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	_, _ = io.Copy(w, rc)
}
