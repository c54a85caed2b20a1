package questions

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/internal/httpretry"
)

// fakeChat speaks OpenAI's POST /v1/chat/completions: bearer auth, the
// request body recorded as sent, replies in the chat.completion shape, and
// errors in the {"error":{message,type,param,code}} envelope. A test scripts
// the assistant's reply content and the failures to serve first.
type fakeChat struct {
	mu             sync.Mutex
	key            string
	rejectSchema   bool     // answer 400 to response_format json_schema, as older models do
	failures       []int    // statuses to answer first
	replies        []string // assistant contents, in order; the last repeats
	requests       []chatRequest
	withRetryAfter bool
}

type chatRequest struct {
	Model          string  `json:"model"`
	Temperature    float64 `json:"temperature"`
	Messages       []struct{ Role, Content string }
	ResponseFormat struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string          `json:"name"`
			Strict bool            `json:"strict"`
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	} `json:"response_format"`
}

func (r chatRequest) message(role string) string {
	for _, m := range r.Messages {
		if m.Role == role {
			return m.Content
		}
	}
	return ""
}

func chatError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": code}})
}

func (f *fakeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		chatError(w, 404, "invalid_request_error", "unknown_url", "Unknown request URL: "+r.URL.Path)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.key {
		chatError(w, 401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided: sk-wro**.")
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req chatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		chatError(w, 400, "invalid_request_error", "", "We could not parse the JSON body of your request.")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.failures) > 0 {
		status := f.failures[0]
		f.failures = f.failures[1:]
		if status == 429 {
			w.Header().Set("Retry-After", "0")
			chatError(w, 429, "requests", "rate_limit_exceeded", "Rate limit reached for gpt-4o-mini.")
			return
		}
		chatError(w, status, "server_error", "", "The server had an error while processing your request.")
		return
	}
	if f.rejectSchema && req.ResponseFormat.Type == "json_schema" {
		chatError(w, 400, "invalid_request_error", "", "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.")
		return
	}
	if req.ResponseFormat.Type == "json_object" && !strings.Contains(strings.ToLower(req.message("system")+req.message("user")), "json") {
		chatError(w, 400, "invalid_request_error", "", "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.")
		return
	}
	f.requests = append(f.requests, req)
	content := f.replies[min(len(f.requests), len(f.replies))-1]
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content, "refusal": nil}}},
		"usage": map[string]any{"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
	})
}

func newFakeChat(t *testing.T, replies ...string) (*fakeChat, *OpenAI) {
	t.Helper()
	f := &fakeChat{key: "sk-test", replies: replies}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	llm, err := NewOpenAI(OpenAIConfig{APIKey: "sk-test", BaseURL: srv.URL + "/v1", HTTPClient: &http.Client{
		Timeout: 10 * time.Second, Transport: &httpretry.Transport{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return f, llm
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func bg() context.Context { return context.Background() }
