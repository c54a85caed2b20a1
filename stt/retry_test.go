package stt

import (
	"net/http"
	"time"

	"github.com/nevermind-ai/nevermind/internal/httpretry"
)

// fastRetryClient retries like production but with millisecond backoff.
func fastRetryClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &httpretry.Transport{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}}
}
