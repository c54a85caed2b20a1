// Package httpretry is an http.RoundTripper that retries the responses a
// cloud API asks you to retry: 429 Too Many Requests (honouring Retry-After)
// and the transient 5xx family, with capped exponential backoff and jitter.
//
// The speech and LLM clients in this module send their requests through it,
// so a caller only chooses the policy:
//
//	client := &http.Client{
//		Timeout:   2 * time.Minute,
//		Transport: &httpretry.Transport{MaxRetries: 4},
//	}
//
// Requests are replayed with [http.Request.GetBody], which the standard
// library fills in for bodies built from bytes.Buffer, bytes.Reader and
// strings.Reader. A request whose body cannot be replayed is sent once.
// When the retries are used up, the last response is returned unchanged so the
// caller can read the server's error body. An http.Client's Timeout bounds the
// whole exchange, retries and waits included; cancelling the request's context
// stops a wait at once.
package httpretry

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Transport retries 429 and 5xx responses. The zero value is ready to use:
// 3 retries, backoff from 500 ms doubling up to 20 s, Retry-After honoured up
// to 60 s, over http.DefaultTransport.
type Transport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// MaxRetries is the number of retries after the first attempt.
	// Zero means 3; a negative value disables retrying.
	MaxRetries int
	// MinBackoff is the first delay; zero means 500 ms. Each retry doubles it.
	MinBackoff time.Duration
	// MaxBackoff caps the computed delay; zero means 20 s.
	MaxBackoff time.Duration
	// MaxRetryAfter caps a server's Retry-After. When the server asks for a
	// longer wait the response is returned at once instead, since waiting
	// minutes inside one call would look like a hang. Zero means 60 s.
	MaxRetryAfter time.Duration
	// Logger receives one debug record per retry; nil means slog.Default().
	Logger *slog.Logger
}

// Retryable reports whether a response status is worth retrying: 408, 429 and
// the 5xx statuses that mean "try again" (500, 502, 503, 504).
func Retryable(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	retries := t.MaxRetries
	if retries == 0 {
		retries = 3
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		retries = 0
	}
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		attemptReq := req
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			attemptReq = req.Clone(ctx)
			attemptReq.Body = body
		}
		resp, err := base.RoundTrip(attemptReq)
		if attempt >= retries {
			return resp, err
		}
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, err
			}
			wait = t.backoff(attempt)
		case Retryable(resp.StatusCode):
			wait = t.backoff(attempt)
			if after, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				if after > t.maxRetryAfter() {
					return resp, nil
				}
				wait = after
			}
		default:
			return resp, nil
		}
		if resp != nil {
			// Drain a little so the connection can be reused, then close.
			_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
			resp.Body.Close()
		}
		t.logger().DebugContext(ctx, "retrying request",
			"method", req.Method, "url", req.URL.Redacted(), "attempt", attempt+1,
			"wait", wait, "status", statusOf(resp), "err", err)
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

func (t *Transport) logger() *slog.Logger {
	if t.Logger != nil {
		return t.Logger
	}
	return slog.Default()
}

func (t *Transport) maxRetryAfter() time.Duration {
	if t.MaxRetryAfter > 0 {
		return t.MaxRetryAfter
	}
	return 60 * time.Second
}

// backoff returns the delay before retry number attempt+1: MinBackoff·2^attempt,
// capped, with ±25 % jitter so that many clients do not retry in lockstep.
func (t *Transport) backoff(attempt int) time.Duration {
	lo, hi := t.MinBackoff, t.MaxBackoff
	if lo <= 0 {
		lo = 500 * time.Millisecond
	}
	if hi <= 0 {
		hi = 20 * time.Second
	}
	d := lo << min(attempt, 30)
	if d > hi || d <= 0 {
		d = hi
	}
	jitter := time.Duration(rand.Int64N(int64(d)/2+1)) - d/4
	return d + jitter
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP-date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-timer.C:
		return nil
	}
}
