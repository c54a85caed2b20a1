package questions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Environment variables read by [LLMFromEnv]; OPENAI_API_KEY is the
// original backend's name.
const (
	EnvLLMKey     = "OPENAI_API_KEY"
	EnvLLMBaseURL = "OPENAI_BASE_URL"
	EnvLLMModel   = "NEVERMIND_LLM_MODEL"
)

// LLMFromEnv returns an OpenAI-compatible LLM configured from the
// environment through getenv, or nil (with a nil error) when no key is set,
// which selects the offline rules everywhere in this package.
func LLMFromEnv(getenv func(string) string) (LLM, error) {
	if strings.TrimSpace(getenv(EnvLLMKey)) == "" {
		return nil, nil
	}
	llm, err := NewOpenAI(OpenAIConfig{APIKey: getenv(EnvLLMKey), BaseURL: getenv(EnvLLMBaseURL), Model: getenv(EnvLLMModel)})
	if err != nil {
		return nil, err
	}
	return llm, nil
}

// ParseCoverLetter reads a cover letter in any of the shapes a user or the
// seed's API holds it in:
//
//   - a JSON array of {"q","a"} (the seed's qas) or {"question","answer"}
//     (the seed's resume rows);
//   - a JSON object with such an array under "qas" or "items";
//   - plain text, taken as one answer.
//
// It fails with [ErrNoInput] when no answer text is found.
func ParseCoverLetter(data []byte) ([]QA, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: the cover letter is empty", ErrNoInput)
	}
	type item struct {
		Q        string `json:"q"`
		A        string `json:"a"`
		Question string `json:"question"`
		Answer   string `json:"answer"`
	}
	var items []item
	switch trimmed[0] {
	case '[':
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return nil, fmt.Errorf("questions: cover letter JSON: %w", err)
		}
	case '{':
		var wrapper struct {
			QAs   []item `json:"qas"`
			Items []item `json:"items"`
		}
		if err := json.Unmarshal(trimmed, &wrapper); err != nil {
			return nil, fmt.Errorf("questions: cover letter JSON: %w", err)
		}
		items = append(wrapper.QAs, wrapper.Items...)
	default:
		return []QA{{A: string(trimmed)}}, nil
	}
	var out []QA
	for _, it := range items {
		qa := QA{Q: strings.TrimSpace(it.Q + it.Question), A: strings.TrimSpace(it.A + it.Answer)}
		if qa.A != "" {
			out = append(out, qa)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no item of the cover letter has an answer", ErrNoInput)
	}
	return out, nil
}
