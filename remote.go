package nevermind

import (
	"errors"
	"fmt"
	"net/http"
)

// The failures of a remote service — the speech-to-text endpoint (package stt) or the LLM
// (package questions) — that a caller branches on. The packages wrap them with the service's
// name and its own message, so test with errors.Is.
var (
	// ErrUnauthorized means the credentials were rejected (HTTP 401/403, or an OAuth token
	// exchange that failed).
	ErrUnauthorized = errors.New("credentials rejected")
	// ErrBadRequest means the service refused the request as malformed (another HTTP 4xx),
	// for example an unsupported language or an unknown model.
	ErrBadRequest = errors.New("request rejected")
	// ErrRateLimited means the service still answered 429 after the retries.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnavailable means the service kept failing with 5xx, timed out or could not be
	// reached after the retries.
	ErrUnavailable = errors.New("service unavailable")
	// ErrConfig means the client's configuration is incomplete or invalid, such as a
	// missing key or an unreadable key file.
	ErrConfig = errors.New("invalid configuration")
)

// RemoteError classifies err, a failed call to the service named service ("stt",
// "questions"), by the HTTP status it got: 401/403 wrap ErrUnauthorized, 429 ErrRateLimited,
// 5xx and 0 (no answer at all) ErrUnavailable, other 4xx ErrBadRequest. Any other status
// returns err as it is.
func RemoteError(service string, status int, err error) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("%s: %w (HTTP %d): %w", service, ErrUnauthorized, status, err)
	case status == http.StatusTooManyRequests:
		return fmt.Errorf("%s: %w (HTTP %d): %w", service, ErrRateLimited, status, err)
	case status >= 500 || status == 0:
		return fmt.Errorf("%s: %w: %w", service, ErrUnavailable, err)
	case status >= 400:
		return fmt.Errorf("%s: %w (HTTP %d): %w", service, ErrBadRequest, status, err)
	}
	return err
}
