package server

import (
	"embed"
	"io/fs"
	"net/http"
)

// practicePage is the candidate's page: plain HTML, CSS and JavaScript, no build step.
//
//go:embed practice
var practicePage embed.FS

// registerPractice serves the practice page at /practice/. In development mode (no JWT
// secret or JWKS) it also hands the development token to a browser on this machine, so a
// candidate trying it locally signs in without copying it.
func (s *Server) registerPractice() {
	sub, _ := fs.Sub(practicePage, "practice")
	files := http.StripPrefix("/practice/", http.FileServerFS(sub))
	s.mux.Handle("GET /practice/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The page is static but changes with the binary; the API's no-store stays. The
		// report it shows in a frame (srcdoc, so under this policy) is styled inline.
		w.Header().Set("Content-Security-Policy", "default-src 'self'; media-src 'self' blob: https: http:; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
		files.ServeHTTP(w, r)
	}))
	s.mux.Handle("GET /practice", http.RedirectHandler("/practice/", http.StatusFound))
	s.mux.HandleFunc("GET /practice/dev-token", func(w http.ResponseWriter, r *http.Request) {
		if ip := peerAddr(r.RemoteAddr); s.devToken == "" || !ip.IsLoopback() {
			writeJSON(w, http.StatusNotFound, errNotFound)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"token": s.devToken})
	})
}
