package questions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/internal/httpretry"
	"github.com/nevermind-ai/nevermind/internal/openaierr"
)

// Sentinel errors; test with errors.Is. The five remote-service errors are the
// module's shared ones (package nevermind), the same stt's backends return.
var (
	// ErrNoInput means there is nothing to work from: an empty cover
	// letter, answer or question.
	ErrNoInput = errors.New("questions: no input")
	// ErrConfig means the LLM client configuration is invalid.
	ErrConfig = nevermind.ErrConfig
	// ErrUnauthorized means the LLM endpoint rejected the key (401/403).
	ErrUnauthorized = nevermind.ErrUnauthorized
	// ErrRateLimited means the LLM endpoint still answered 429 after retries.
	ErrRateLimited = nevermind.ErrRateLimited
	// ErrUnavailable means the LLM endpoint failed with 5xx, timed out or
	// could not be reached after retries.
	ErrUnavailable = nevermind.ErrUnavailable
	// ErrBadRequest means the LLM endpoint refused the request (400), for
	// example an unknown model.
	ErrBadRequest = nevermind.ErrBadRequest
	// ErrModelOutput means the model's reply was not usable: not JSON, the
	// wrong shape, nothing valid left after checks, or it repeated the
	// instructions it was given.
	ErrModelOutput = errors.New("questions: unusable model output")
)

// LLM is the chat model behind generation, follow-ups and evaluation. It
// returns the model's raw reply; this package parses and checks it. [OpenAI]
// implements it for any OpenAI-compatible endpoint; tests and other vendors
// can supply their own.
type LLM interface {
	Complete(ctx context.Context, p Prompt) (string, error)
}

// Prompt is one chat request: a system message with the instructions, and a
// user message that carries untrusted data (a cover letter, a transcript)
// inside tags the instructions tell the model to treat as data only. The
// reply is always requested as JSON: json_schema when Schema is set and the
// endpoint accepts it, else json_object, for which OpenAI requires the word
// "JSON" somewhere in the messages.
type Prompt struct {
	System string
	User   string
	// Schema is the JSON Schema of the reply, sent as a structured-output
	// response format when the endpoint supports it.
	Schema *Schema
	// Temperature is the sampling temperature; zero leaves the endpoint's
	// default (go-openai omits the field).
	Temperature float32
}

// Schema names a JSON Schema for structured outputs.
type Schema struct {
	Name   string
	Schema json.RawMessage
}

// rawSchema passes a schema through unchanged where go-openai wants a
// json.Marshaler.
type rawSchema json.RawMessage

func (r rawSchema) MarshalJSON() ([]byte, error) { return r, nil }

// OpenAIConfig configures [NewOpenAI]. Only APIKey is required.
type OpenAIConfig struct {
	// APIKey is sent as a bearer token.
	APIKey string
	// BaseURL is the API root including /v1; "" means
	// https://api.openai.com/v1. A URL with no path gets /v1 appended.
	BaseURL string
	// Model is the chat model; "" means gpt-4o-mini, the seed's model.
	Model string
	// HTTPClient sends the requests. nil means a client with a 90-second
	// timeout over an [httpretry.Transport] (429 and 5xx retried).
	HTTPClient *http.Client
}

// OpenAI is an [LLM] over OpenAI-compatible chat completions. It asks for
// json_schema structured output first; when the endpoint rejects that
// response format (older models, some local servers) it falls back to
// json_object for this and later calls, and the package's own parsing and
// checks still apply. Safe for concurrent use.
type OpenAI struct {
	client   *openai.Client
	model    string
	noSchema atomic.Bool // the endpoint refused json_schema once
}

// DefaultModel is the chat model used when OpenAIConfig.Model is empty.
const DefaultModel = "gpt-4o-mini"

// NewOpenAI returns an LLM client for an OpenAI-compatible endpoint.
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, fmt.Errorf("questions: %w: LLM API key is empty", ErrConfig)
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("questions: %w: base URL %q is not an http(s) URL", ErrConfig, cfg.BaseURL)
		}
		if strings.Trim(u.Path, "/") == "" {
			u.Path = "/v1"
		}
		oc.BaseURL = strings.TrimRight(u.String(), "/")
	}
	oc.HTTPClient = cfg.HTTPClient
	if cfg.HTTPClient == nil {
		oc.HTTPClient = &http.Client{Timeout: 90 * time.Second, Transport: &httpretry.Transport{}}
	}
	model := cfg.Model
	if model == "" {
		model = DefaultModel
	}
	return &OpenAI{client: openai.NewClientWithConfig(oc), model: model}, nil
}

// Complete implements [LLM].
func (o *OpenAI) Complete(ctx context.Context, p Prompt) (string, error) {
	req := openai.ChatCompletionRequest{
		Model: o.model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: p.System},
			{Role: openai.ChatMessageRoleUser, Content: p.User},
		},
		Temperature:    p.Temperature,
		ResponseFormat: &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject},
	}
	useSchema := p.Schema != nil && !o.noSchema.Load()
	if useSchema {
		req.ResponseFormat = &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name: p.Schema.Name, Schema: rawSchema(p.Schema.Schema), Strict: true,
			},
		}
	}
	resp, err := o.client.CreateChatCompletion(ctx, req)
	if err != nil && useSchema && rejectsResponseFormat(err) {
		o.noSchema.Store(true)
		req.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
		resp, err = o.client.CreateChatCompletion(ctx, req)
	}
	if err != nil {
		return "", openaierr.Classify(ctx, "questions", err)
	}
	if len(resp.Choices) == 0 {
		return "", fmt.Errorf("%w: the reply has no choices", ErrModelOutput)
	}
	choice := resp.Choices[0]
	if choice.Message.Refusal != "" {
		return "", fmt.Errorf("%w: the model refused: %s", ErrModelOutput, choice.Message.Refusal)
	}
	return choice.Message.Content, nil
}

func rejectsResponseFormat(err error) bool {
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusBadRequest {
		return false
	}
	msg := strings.ToLower(apiErr.Message)
	return strings.Contains(msg, "response_format") || strings.Contains(msg, "json_schema")
}

// decodeReply parses a model reply into out: the whole text, else the text
// inside a ``` fence, else the text from the first { to the last }. Unknown
// fields are ignored; the callers check what they need.
func decodeReply(reply string, out any) error {
	candidates := []string{strings.TrimSpace(reply)}
	if i := strings.Index(reply, "```"); i >= 0 {
		rest := reply[i+3:]
		rest = strings.TrimPrefix(rest, "json")
		if j := strings.Index(rest, "```"); j >= 0 {
			candidates = append(candidates, rest[:j])
		}
	}
	if i, j := strings.Index(reply, "{"), strings.LastIndex(reply, "}"); i >= 0 && j > i {
		candidates = append(candidates, reply[i:j+1])
	}
	var firstErr error
	for _, c := range candidates {
		err := json.Unmarshal([]byte(c), out)
		if err == nil {
			return nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return fmt.Errorf("%w: reply is not JSON (%v): %q", ErrModelOutput, firstErr, truncateRunes(reply, 200))
}
