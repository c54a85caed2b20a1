package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/nevermind-ai/nevermind/server/store"
)

type okBody struct {
	OK bool `json:"ok"`
}

func (s *Server) registerHealth() {
	tags := []string{"health"}
	register(s, huma.Operation{OperationID: "root", Method: http.MethodGet, Path: "/", Summary: "Liveness (seed)", Tags: tags}, s.alive)
	register(s, huma.Operation{OperationID: "healthz", Method: http.MethodGet, Path: "/healthz", Summary: "Liveness: the process answers", Tags: tags}, s.alive)
	register(s, huma.Operation{OperationID: "readyz", Method: http.MethodGet, Path: "/readyz", Summary: "Readiness: the database answers", Tags: tags}, s.ready)
	s.mux.HandleFunc("GET /metrics", s.serveMetrics)
}

func (s *Server) alive(context.Context, *struct{}) (*jsonBody[okBody], error) {
	return &jsonBody[okBody]{okBody{true}}, nil
}

type ready struct {
	OK       bool   `json:"ok"`
	Database string `json:"database"`
}

type readyOut struct {
	Status int
	Body   ready
}

func (s *Server) ready(ctx context.Context, _ *struct{}) (*readyOut, error) {
	out := &readyOut{Status: http.StatusOK, Body: ready{OK: true, Database: "ok"}}
	if err := s.db.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "readyz: database", "error", err)
		out.Status, out.Body = http.StatusServiceUnavailable, ready{OK: false, Database: "unreachable"}
	}
	return out, nil
}

// profileJSON is the user_profiles row as the seed serialised it.
type profileJSON struct {
	ID          string         `json:"id"`
	DisplayName *string        `json:"display_name"`
	Status      string         `json:"status"`
	ProfileMeta map[string]any `json:"profile_meta"`
	CreatedAt   isoTime        `json:"created_at"`
	UpdatedAt   isoTime        `json:"updated_at"`
}

func toProfileJSON(p *store.Profile) profileJSON {
	return profileJSON{ID: p.ID, DisplayName: p.DisplayName, Status: p.Status, ProfileMeta: p.ProfileMeta,
		CreatedAt: isoTime(p.CreatedAt), UpdatedAt: isoTime(p.UpdatedAt)}
}

type meBody struct {
	ID      string      `json:"id"`
	Email   *string     `json:"email"`
	Profile profileJSON `json:"profile"`
}

type profileUpdateBody struct {
	DisplayName *string `json:"display_name,omitempty" maxLength:"100" doc:"Trimmed; an empty string clears it."`
	Status      *string `json:"status,omitempty" enum:"active,deleted" doc:"Only 'deleted' (closing one's own account) or 'active' may be set by the user."`
}

type patchProfileOut struct {
	ID          string   `json:"id"`
	Email       *string  `json:"email,omitempty"`
	DisplayName *string  `json:"display_name,omitempty"`
	Status      string   `json:"status,omitempty"`
	CreatedAt   *isoTime `json:"created_at,omitempty"`
	UpdatedAt   *isoTime `json:"updated_at,omitempty"`
}

type meProfileBody struct {
	ID          string         `json:"id"`
	DisplayName *string        `json:"display_name"`
	Status      string         `json:"status"`
	ProfileMeta map[string]any `json:"profile_meta"`
}

type putProfileBody struct {
	DisplayName *string        `json:"display_name,omitempty" maxLength:"100"`
	Status      *string        `json:"status,omitempty" enum:"active,deleted"`
	ProfileMeta map[string]any `json:"profile_meta,omitempty"`
}

func strPtrOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) registerAuth() {
	register(s, huma.Operation{OperationID: "auth-me", Method: http.MethodGet, Path: "/api/auth/me",
		Summary: "The caller and their profile", Tags: []string{"auth"}, Security: bearer}, s.authMe)
	register(s, huma.Operation{OperationID: "auth-update-profile", Method: http.MethodPatch, Path: "/api/auth/profile",
		Summary: "Update display name or close the account (persisted)", Tags: []string{"auth"}, Security: bearer}, s.authUpdateProfile)
	register(s, huma.Operation{OperationID: "auth-logout", Method: http.MethodPost, Path: "/api/auth/logout",
		Summary: "No-op for the UX; the client signs out of Supabase", Tags: []string{"auth"}, DefaultStatus: http.StatusNoContent}, s.authLogout)
	register(s, huma.Operation{OperationID: "me-get-profile", Method: http.MethodGet, Path: "/api/me/profile",
		Summary: "The caller's profile", Tags: []string{"profile"}, Security: bearer}, s.getProfile)
	register(s, huma.Operation{OperationID: "me-put-profile", Method: http.MethodPut, Path: "/api/me/profile",
		Summary: "Update the caller's profile (persisted)", Tags: []string{"profile"}, Security: bearer}, s.putProfile)
}

func (s *Server) authMe(ctx context.Context, _ *struct{}) (*jsonBody[meBody], error) {
	u := userFrom(ctx)
	return &jsonBody[meBody]{meBody{ID: u.ID, Email: strPtrOrNil(u.Email), Profile: toProfileJSON(u.Profile)}}, nil
}

func (s *Server) authUpdateProfile(ctx context.Context, in *jsonBody[profileUpdateBody]) (*jsonBody[patchProfileOut], error) {
	u := userFrom(ctx)
	p := u.Profile
	if err := editProfile(p, in.Body.DisplayName, in.Body.Status); err != nil {
		return nil, err
	}
	if err := s.db.SaveProfile(ctx, p); err != nil {
		return nil, failed("save profile", err)
	}
	c, up := isoTime(p.CreatedAt), isoTime(p.UpdatedAt)
	return &jsonBody[patchProfileOut]{patchProfileOut{ID: p.ID, Email: strPtrOrNil(u.Email), DisplayName: p.DisplayName,
		Status: p.Status, CreatedAt: &c, UpdatedAt: &up}}, nil
}

// editProfile sets the display name (trimmed; "" clears it) and the status
// that a profile route was given; nil leaves a field as it is.
func editProfile(p *store.Profile, displayName, status *string) error {
	if displayName != nil {
		if hasNUL(*displayName) {
			return errNUL
		}
		p.DisplayName = strPtrOrNil(strings.TrimSpace(*displayName))
	}
	if status != nil {
		p.Status = *status
	}
	return nil
}

func (s *Server) authLogout(context.Context, *struct{}) (*struct{}, error) { return nil, nil }

func (s *Server) getProfile(ctx context.Context, _ *struct{}) (*jsonBody[meProfileBody], error) {
	p := userFrom(ctx).Profile
	return &jsonBody[meProfileBody]{meProfileBody{p.ID, p.DisplayName, p.Status, p.ProfileMeta}}, nil
}

func (s *Server) putProfile(ctx context.Context, in *jsonBody[putProfileBody]) (*jsonBody[meProfileBody], error) {
	p := userFrom(ctx).Profile
	if err := editProfile(p, in.Body.DisplayName, in.Body.Status); err != nil {
		return nil, err
	}
	if in.Body.ProfileMeta != nil {
		p.ProfileMeta = in.Body.ProfileMeta
	}
	if err := s.db.SaveProfile(ctx, p); err != nil {
		return nil, failed("save profile", err)
	}
	return &jsonBody[meProfileBody]{meProfileBody{p.ID, p.DisplayName, p.Status, p.ProfileMeta}}, nil
}
