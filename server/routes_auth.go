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
	huma.Register(s.api, huma.Operation{OperationID: "root", Method: http.MethodGet, Path: "/", Summary: "Liveness (seed)", Tags: []string{"health"}},
		func(context.Context, *struct{}) (*struct{ Body okBody }, error) {
			return &struct{ Body okBody }{okBody{true}}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "healthz", Method: http.MethodGet, Path: "/healthz", Summary: "Liveness: the process answers", Tags: []string{"health"}},
		func(context.Context, *struct{}) (*struct{ Body okBody }, error) {
			return &struct{ Body okBody }{okBody{true}}, nil
		})
	type ready struct {
		OK       bool   `json:"ok"`
		Database string `json:"database"`
	}
	huma.Register(s.api, huma.Operation{OperationID: "readyz", Method: http.MethodGet, Path: "/readyz", Summary: "Readiness: the database answers", Tags: []string{"health"}},
		func(ctx context.Context, _ *struct{}) (*struct {
			Status int
			Body   ready
		}, error) {
			out := &struct {
				Status int
				Body   ready
			}{Status: http.StatusOK, Body: ready{OK: true, Database: "ok"}}
			if err := s.db.Ping(ctx); err != nil {
				s.log.Warn("readyz: database", "error", err)
				out.Status, out.Body = http.StatusServiceUnavailable, ready{OK: false, Database: "unreachable"}
			}
			return out, nil
		})
	s.mux.HandleFunc("GET /metrics", s.serveMetrics)
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
	huma.Register(s.api, huma.Operation{OperationID: "auth-me", Method: http.MethodGet, Path: "/api/auth/me",
		Summary: "The caller and their profile", Tags: []string{"auth"}, Security: bearer},
		func(ctx context.Context, _ *struct{}) (*struct{ Body meBody }, error) {
			u := userFrom(ctx)
			return &struct{ Body meBody }{meBody{ID: u.ID, Email: strPtrOrNil(u.Email), Profile: toProfileJSON(u.Profile)}}, nil
		})

	huma.Register(s.api, huma.Operation{OperationID: "auth-update-profile", Method: http.MethodPatch, Path: "/api/auth/profile",
		Summary: "Update display name or close the account (persisted)", Tags: []string{"auth"}, Security: bearer},
		func(ctx context.Context, in *struct{ Body profileUpdateBody }) (*struct{ Body patchProfileOut }, error) {
			u := userFrom(ctx)
			p := u.Profile
			if in.Body.DisplayName != nil && hasNUL(*in.Body.DisplayName) {
				return nil, errNUL
			}
			if in.Body.DisplayName != nil {
				p.DisplayName = strPtrOrNil(strings.TrimSpace(*in.Body.DisplayName))
			}
			if in.Body.Status != nil {
				p.Status = *in.Body.Status
			}
			if err := s.db.SaveProfile(ctx, p); err != nil {
				return nil, s.internal(err, "save profile")
			}
			c, up := isoTime(p.CreatedAt), isoTime(p.UpdatedAt)
			return &struct{ Body patchProfileOut }{patchProfileOut{ID: p.ID, Email: strPtrOrNil(u.Email), DisplayName: p.DisplayName,
				Status: p.Status, CreatedAt: &c, UpdatedAt: &up}}, nil
		})

	huma.Register(s.api, huma.Operation{OperationID: "auth-logout", Method: http.MethodPost, Path: "/api/auth/logout",
		Summary: "No-op for the UX; the client signs out of Supabase", Tags: []string{"auth"}, DefaultStatus: http.StatusNoContent},
		func(context.Context, *struct{}) (*struct{}, error) { return nil, nil })

	huma.Register(s.api, huma.Operation{OperationID: "me-get-profile", Method: http.MethodGet, Path: "/api/me/profile",
		Summary: "The caller's profile", Tags: []string{"profile"}, Security: bearer},
		func(ctx context.Context, _ *struct{}) (*struct{ Body meProfileBody }, error) {
			p := userFrom(ctx).Profile
			return &struct{ Body meProfileBody }{meProfileBody{p.ID, p.DisplayName, p.Status, p.ProfileMeta}}, nil
		})

	huma.Register(s.api, huma.Operation{OperationID: "me-put-profile", Method: http.MethodPut, Path: "/api/me/profile",
		Summary: "Update the caller's profile (persisted)", Tags: []string{"profile"}, Security: bearer},
		func(ctx context.Context, in *struct{ Body putProfileBody }) (*struct{ Body meProfileBody }, error) {
			p := userFrom(ctx).Profile
			if in.Body.DisplayName != nil && hasNUL(*in.Body.DisplayName) {
				return nil, errNUL
			}
			if in.Body.DisplayName != nil {
				p.DisplayName = strPtrOrNil(strings.TrimSpace(*in.Body.DisplayName))
			}
			if in.Body.Status != nil {
				p.Status = *in.Body.Status
			}
			if in.Body.ProfileMeta != nil {
				p.ProfileMeta = in.Body.ProfileMeta
			}
			if err := s.db.SaveProfile(ctx, p); err != nil {
				return nil, s.internal(err, "save profile")
			}
			return &struct{ Body meProfileBody }{meProfileBody{p.ID, p.DisplayName, p.Status, p.ProfileMeta}}, nil
		})
}
