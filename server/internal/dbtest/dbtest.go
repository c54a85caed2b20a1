// Package dbtest gives tests a fresh, migrated database on each engine the
// server supports: a new PostgreSQL database (dropped when the test ends) on
// the server named by NEVERMIND_TEST_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/test), and a new SQLite file in the
// test's temporary directory.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nevermind-ai/nevermind/server/store"
)

// AdminURLEnv names the variable holding the PostgreSQL URL used to create
// and drop the per-test databases.
const AdminURLEnv = "NEVERMIND_TEST_POSTGRES_URL"

const defaultAdminURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Dialects lists the engines every store-backed test runs on.
var Dialects = []store.Dialect{store.SQLite, store.Postgres}

// URL returns the URL of a fresh, empty database of the dialect, dropped at
// the end of the test. A PostgreSQL server that cannot be reached skips the
// test with the reason.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite:" + t.TempDir() + "/nevermind.db"
	}
	admin := os.Getenv(AdminURLEnv)
	if admin == "" {
		admin = defaultAdminURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Skipf("PostgreSQL not reachable at %s (set %s): %v", admin, AdminURLEnv, err)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "nevermind_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		t.Fatal(err)
	}
	return replaceDatabase(admin, cfg.Database, name)
}

func replaceDatabase(url, oldName, newName string) string {
	base, query, _ := strings.Cut(url, "?")
	i := strings.LastIndex(base, "/"+oldName)
	if i < 0 {
		panic(fmt.Sprintf("dbtest: cannot find database %q in %q", oldName, url))
	}
	out := base[:i] + "/" + newName
	if query != "" {
		out += "?" + query
	}
	return out
}

// Open returns a fresh database of the dialect with every migration applied.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, URL(t, d))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.MigrateUp(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
