// Package openaitest is what the fake OpenAI-compatible endpoints of
// stt/stttest and questions/questionstest share: a loopback server for one
// route, bearer authentication, scripted failures and OpenAI's error
// envelope.
package openaitest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Endpoint serves one POST route on a loopback port. A request for another
// route is answered 404, one without the bearer key 401, and while
// failures are scripted the next one is answered with the next status; the
// rest reach the handler.
type Endpoint struct {
	// URL is the server's root, http://127.0.0.1:port, with no path.
	URL string

	srv      *httptest.Server
	mu       sync.Mutex
	failures []int
}

// Start serves handler at POST path, accepting the bearer token key, or any
// token when key is "".
func Start(path, key string, handler http.HandlerFunc) *Endpoint {
	e := &Endpoint{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != path {
			WriteError(w, http.StatusNotFound, "invalid_request_error", "unknown_url", "Unknown request URL: "+r.Method+" "+r.URL.Path)
			return
		}
		if key != "" && r.Header.Get("Authorization") != "Bearer "+key {
			fail(w, http.StatusUnauthorized)
			return
		}
		if status, ok := e.nextFailure(); ok {
			fail(w, status)
			return
		}
		handler(w, r)
	}))
	e.URL = e.srv.URL
	return e
}

// Close shuts the server down.
func (e *Endpoint) Close() { e.srv.Close() }

// FailNext scripts the statuses of the next requests, in order.
func (e *Endpoint) FailNext(statuses ...int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failures = append(e.failures, statuses...)
}

func (e *Endpoint) nextFailure() (int, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.failures) == 0 {
		return 0, false
	}
	status := e.failures[0]
	e.failures = e.failures[1:]
	return status, true
}

// WriteError writes OpenAI's error envelope,
// {"error":{"message","type","param","code"}}.
func WriteError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": code}})
}

// fail answers a status with the body OpenAI gives for it. A 429 carries
// Retry-After: 0, so a retrying client tries again at once.
func fail(w http.ResponseWriter, status int) {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		WriteError(w, status, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.")
	case status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "0")
		WriteError(w, status, "requests", "rate_limit_exceeded", "Rate limit reached for requests.")
	case status >= 500:
		WriteError(w, status, "server_error", "", "The server had an error while processing your request.")
	default:
		WriteError(w, status, "invalid_request_error", "", "The request was rejected.")
	}
}
