package server

import (
	"embed"
	"net/http"
)

// docsAssets is Stoplight Elements from its npm package (see
// docsui/PROVENANCE.md), so /docs works without network access.
//
//go:embed docsui/web-components.min.js docsui/styles.min.css
var docsAssets embed.FS

const docsPage = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Interview API</title>
  <link rel="stylesheet" href="/docs/assets/styles.min.css">
  <script src="/docs/assets/web-components.min.js"></script>
</head>
<body style="height: 100vh;">
  <elements-api apiDescriptionUrl="/openapi.json" router="hash" layout="sidebar" tryItCredentialsPolicy="omit"></elements-api>
</body>
</html>
`

func (s *Server) registerDocs() {
	s.mux.HandleFunc("GET /docs", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; script-src 'self'")
		_, _ = w.Write([]byte(docsPage))
	})
	assets := http.FileServerFS(docsAssets)
	s.mux.Handle("GET /docs/assets/{file}", http.StripPrefix("/docs/assets/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		r.URL.Path = "/docsui/" + r.URL.Path
		assets.ServeHTTP(w, r)
	})))
}
