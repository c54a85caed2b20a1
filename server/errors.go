package server

import (
	"net/http"
)

// apiError is the seed's error envelope, {"detail": X}, where X is a string
// or {"message", "detail"} depending on the route (seed-spec §1.0).
type apiError struct {
	status int
	Detail any `json:"detail"`
}

func (e *apiError) Error() string             { return http.StatusText(e.status) }
func (e *apiError) GetStatus() int            { return e.status }
func (e *apiError) ContentType(string) string { return "application/json" }

// detail answers {"detail": "<code>"}.
func detail(status int, code string) error {
	return &apiError{status: status, Detail: code}
}

type messageDetail struct {
	Message string `json:"message"`
	Detail  string `json:"detail,omitempty"`
}

// message answers {"detail": {"message": m, "detail": d}} (d omitted if "").
func message(status int, m, d string) error {
	return &apiError{status: status, Detail: messageDetail{Message: m, Detail: d}}
}

// internal logs err and answers a 500 without internals.
func (s *Server) internal(err error, what string) error {
	s.log.Error(what, "error", err)
	return &apiError{status: http.StatusInternalServerError, Detail: "internal_server_error: " + what}
}
