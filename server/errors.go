package server

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5/pgconn"
)

// apiError is the seed's error envelope, {"detail": X}, where X is a string
// or {"message", "detail"} depending on the route (seed-spec §1.0).
type apiError struct {
	status int
	Detail any `json:"detail"`
	// retryAfter, when set, is sent as Retry-After: the request was refused
	// for load, not because it is wrong.
	retryAfter time.Duration
}

func (e *apiError) Error() string             { return http.StatusText(e.status) }
func (e *apiError) GetStatus() int            { return e.status }
func (e *apiError) ContentType(string) string { return "application/json" }

// GetHeaders implements huma.HeadersError.
func (e *apiError) GetHeaders() http.Header {
	if e.retryAfter <= 0 {
		return nil
	}
	return http.Header{"Retry-After": {strconv.Itoa(int(math.Ceil(e.retryAfter.Seconds())))}}
}

// detail answers {"detail": "<code>"}.
func detail(status int, code string) error {
	return &apiError{status: status, Detail: code}
}

// busy answers {"detail": "<code>"} with Retry-After: a 429 for a client
// over its share, a 503 for a server at capacity.
func busy(status int, after time.Duration, code string) error {
	return &apiError{status: status, Detail: code, retryAfter: after}
}

type messageDetail struct {
	Message string `json:"message"`
	Detail  string `json:"detail,omitempty"`
}

// message answers {"detail": {"message": m, "detail": d}} (d omitted if "").
func message(status int, m, d string) error {
	return &apiError{status: status, Detail: messageDetail{Message: m, Detail: d}}
}

// internal logs err and answers a 500 without internals, or a 503 when the
// database cannot be reached, so clients and load balancers retry instead of
// reporting a bug.
func (s *Server) internal(err error, what string) error {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae // already an answer (a limit reached, say), not a failure
	}
	s.log.Error(what, "error", err)
	if databaseUnavailable(err) {
		return &apiError{status: http.StatusServiceUnavailable, Detail: "service_unavailable: database"}
	}
	return &apiError{status: http.StatusInternalServerError, Detail: "internal_server_error: " + what}
}

// databaseUnavailable reports whether err means the database is down,
// restarting or unreachable rather than that a query is wrong: connection
// failures, a connection lost mid-query, and PostgreSQL's
// connection-exception (08) and operator-intervention (57P) classes.
func databaseUnavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	var connectErr *pgconn.ConnectError
	var netErr *net.OpError
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) ||
		strings.Contains(err.Error(), "conn closed")
}

// maxProblemsInDetail bounds how many validation errors humanProblemDetail
// spells out; the full list stays in "errors".
const maxProblemsInDetail = 3

// humanProblemDetail puts what was wrong into the "detail" of huma's problem
// JSON, whose own detail is only "validation failed": clients such as the
// original frontend show detail (or error.message) to the user and never read
// the "errors" list.
func humanProblemDetail(_ huma.Context, _ string, v any) (any, error) {
	problem, ok := v.(*huma.ErrorModel)
	if !ok || len(problem.Errors) == 0 {
		return v, nil
	}
	parts := make([]string, 0, maxProblemsInDetail)
	for _, e := range problem.Errors[:min(len(problem.Errors), maxProblemsInDetail)] {
		if e.Location == "" {
			parts = append(parts, e.Message)
		} else {
			parts = append(parts, e.Location+": "+e.Message)
		}
	}
	d := problem.Detail + ": " + strings.Join(parts, "; ")
	if more := len(problem.Errors) - maxProblemsInDetail; more > 0 {
		d += " (and " + strconv.Itoa(more) + " more)"
	}
	problem.Detail = d
	return problem, nil
}
