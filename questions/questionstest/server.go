package questionstest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/nevermind-ai/nevermind/internal/openaitest"
)

// Request is one chat completion the [Server] accepted, as the client sent
// it.
type Request struct {
	Model          string         `json:"model"`
	Temperature    float64        `json:"temperature"`
	Messages       []Message      `json:"messages"`
	ResponseFormat ResponseFormat `json:"response_format"`
}

// Message is one chat message of a [Request].
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ResponseFormat is the reply format a [Request] asked for: Type
// "json_schema" with its JSONSchema, "json_object", or "" for text.
type ResponseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *JSONSchema `json:"json_schema"`
}

// JSONSchema is a structured-output schema as sent.
type JSONSchema struct {
	Name   string          `json:"name"`
	Strict bool            `json:"strict"`
	Schema json.RawMessage `json:"schema"`
}

// Message returns the content of the request's first message with the
// role ("system", "user"), or "".
func (r Request) Message(role string) string {
	for _, m := range r.Messages {
		if m.Role == role {
			return m.Content
		}
	}
	return ""
}

// Server is a fake OpenAI-compatible POST /v1/chat/completions endpoint.
// Create it with [NewServer] and pass its URL as
// [questions.OpenAIConfig].BaseURL. It is safe for concurrent use.
type Server struct {
	// URL is the server's root, http://127.0.0.1:port, with no path.
	URL string

	endpoint     *openaitest.Endpoint
	mu           sync.Mutex
	replies      []string
	rejectSchema bool
	requests     []Request
}

// NewServer starts a fake chat endpoint that accepts the bearer token key
// (any token when key is "") and answers accepted request n with the
// assistant content replies[n], the last one again once they run out. As
// OpenAI does, it refuses response_format json_object unless the messages
// mention JSON. Close the server when done.
func NewServer(key string, replies ...string) *Server {
	s := &Server{replies: replies}
	s.endpoint = openaitest.Start("/v1/chat/completions", key, s.serveHTTP)
	s.URL = s.endpoint.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.endpoint.Close() }

// FailNext makes the server answer the next requests with these HTTP
// statuses, in order, with the error bodies OpenAI sends for them. A 429
// carries Retry-After: 0, so a retrying client tries again at once. A
// request answered this way is not recorded.
func (s *Server) FailNext(statuses ...int) { s.endpoint.FailNext(statuses...) }

// RejectJSONSchema makes the server answer 400 to response_format
// json_schema, as models without structured outputs do, so a client's
// fallback to json_object can be tested.
func (s *Server) RejectJSONSchema() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectSchema = true
}

// Requests returns the requests accepted so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// serveHTTP answers a request that passed the endpoint's route, key and
// scripted-failure checks.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	var req Request
	if err != nil || json.Unmarshal(body, &req) != nil {
		openaitest.WriteError(w, http.StatusBadRequest, "invalid_request_error", "", "We could not parse the JSON body of your request.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rejectSchema && req.ResponseFormat.Type == "json_schema" {
		openaitest.WriteError(w, http.StatusBadRequest, "invalid_request_error", "",
			"Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.")
		return
	}
	if req.ResponseFormat.Type == "json_object" && !strings.Contains(strings.ToLower(req.Message("system")+req.Message("user")), "json") {
		openaitest.WriteError(w, http.StatusBadRequest, "invalid_request_error", "",
			"'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.")
		return
	}
	s.requests = append(s.requests, req)
	content := ""
	if len(s.replies) > 0 {
		content = s.replies[min(len(s.requests), len(s.replies))-1]
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content, "refusal": nil}}},
		"usage": map[string]any{"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
	})
}
