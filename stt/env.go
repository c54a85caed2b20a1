package stt

import (
	"errors"
	"fmt"
	"strings"
)

// Environment variables read by [FromEnv]. OPENAI_API_KEY and
// GOOGLE_STT_KEY_PATH keep the original backend's names.
const (
	EnvProvider      = "NEVERMIND_STT"       // "openai", "google" or "none"; "" picks by the keys present
	EnvOpenAIKey     = "OPENAI_API_KEY"      // OpenAI or compatible server key
	EnvOpenAIBaseURL = "OPENAI_BASE_URL"     // e.g. http://localhost:8000/v1 for a local Whisper server
	EnvModel         = "NEVERMIND_STT_MODEL" // transcription model (OpenAI) or recognition model (Google)
	EnvGoogleKeyPath = GoogleKeyPathEnv      // service-account JSON key file
	EnvGoogleAPIKey  = "GOOGLE_STT_API_KEY"  // API key, instead of a service account
)

// ErrNotConfigured means no backend is configured; callers run without a
// transcript (acoustic metrics still work).
var ErrNotConfigured = errors.New("stt: no speech-to-text backend configured")

// FromEnv builds the transcriber the environment describes, reading
// variables through getenv (os.Getenv in production, a map in tests). With
// NEVERMIND_STT unset it picks Google when a Google key is present (as the
// original backend did), else OpenAI when OPENAI_API_KEY is set, else
// returns ErrNotConfigured.
func FromEnv(getenv func(string) string) (Transcriber, error) {
	provider := strings.ToLower(strings.TrimSpace(getenv(EnvProvider)))
	if provider == "" {
		switch {
		case getenv(EnvGoogleKeyPath) != "" || getenv(EnvGoogleAPIKey) != "":
			provider = "google"
		case getenv(EnvOpenAIKey) != "":
			provider = "openai"
		default:
			provider = "none"
		}
	}
	switch provider {
	case "openai":
		return NewOpenAI(OpenAIConfig{APIKey: getenv(EnvOpenAIKey), BaseURL: getenv(EnvOpenAIBaseURL), Model: getenv(EnvModel)})
	case "google":
		return NewGoogle(GoogleConfig{KeyFile: getenv(EnvGoogleKeyPath), APIKey: getenv(EnvGoogleAPIKey), Model: getenv(EnvModel)})
	case "none":
		return nil, ErrNotConfigured
	}
	return nil, fmt.Errorf("stt: %w: %s=%q, want openai, google or none", ErrConfig, EnvProvider, provider)
}
