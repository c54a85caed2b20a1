package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/nevermind-ai/nevermind/server"
)

// A development server on SQLite with the printed dev token, serving the
// seed's routes.
func Example() {
	dir, err := os.MkdirTemp("", "nevermind-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	srv, err := server.New(server.Config{
		DatabaseURL:    "sqlite:" + filepath.Join(dir, "nevermind.db"),
		MediaDir:       filepath.Join(dir, "media"),
		MigrateOnStart: true,
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	req, _ := http.NewRequest("GET", ts.URL+"/api/me/profile", nil)
	req.Header.Set("Authorization", "Bearer "+srv.DevToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var profile map[string]any
	json.NewDecoder(resp.Body).Decode(&profile)
	fmt.Println(resp.StatusCode, profile["id"], profile["status"])
	// Output: 200 00000000-0000-4000-8000-000000000001 active
}

func ExampleConfigFromEnv() {
	env := map[string]string{
		"DATABASE_URL":          "postgresql+psycopg2://app:secret@db.example:5432/interview",
		"PORT":                  "10000",
		"SUPABASE_URL":          "https://abc.supabase.co",
		"SUPABASE_KEY":          "service-role",
		"SUPABASE_JWT_AUDIENCE": "authenticated",
		"NEVERMIND_SYNC_WAIT":   "30s",
	}
	cfg, err := server.ConfigFromEnv(func(k string) string { return env[k] })
	fmt.Println(cfg.Addr, cfg.SupabaseKey, cfg.Audience, cfg.SyncWait, err)
	// Output: :10000 service-role authenticated 30s <nil>
}
