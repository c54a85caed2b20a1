package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/storage"
	"github.com/nevermind-ai/nevermind/server/storage/supabasetest"
)

const bucket = "interview_media_asset"

type backend struct {
	name string
	s    storage.Storage
	// fetch downloads a signed URL.
	fetch func(t *testing.T, signed string) []byte
}

func backends(t *testing.T) []backend {
	fake := supabasetest.NewServer("service-role-key", bucket)
	t.Cleanup(fake.Close)
	sb, err := storage.NewSupabase(storage.SupabaseOptions{URL: fake.URL, Key: "service-role-key", Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	local, err := storage.NewLocal(storage.LocalOptions{Dir: t.TempDir(), BaseURL: "http://api.test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { local.Close() })
	return []backend{
		{"supabase", sb, func(t *testing.T, signed string) []byte {
			resp, err := http.Get(signed)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("signed download: %d %s", resp.StatusCode, b)
			}
			return b
		}},
		{"local", local, func(t *testing.T, signed string) []byte {
			u, err := url.Parse(signed)
			if err != nil || u.Host != "api.test" || !strings.HasPrefix(u.Path, storage.LocalURLPrefix) {
				t.Fatalf("signed URL %q", signed)
			}
			key := strings.TrimPrefix(u.Path, storage.LocalURLPrefix)
			if !local.CheckSignature(key, u.Query().Get("expires"), u.Query().Get("token")) {
				t.Fatal("signature rejected")
			}
			if local.CheckSignature("sessions/9/attempt_9.webm", u.Query().Get("expires"), u.Query().Get("token")) {
				t.Fatal("signature accepted for another key")
			}
			rc, err := local.Open(context.Background(), key)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, _ := io.ReadAll(rc)
			return b
		}},
	}
}

func TestStorageContract(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			key := storage.NewRecordingKey(12, 345)
			if !regexp.MustCompile(`^sessions/12/attempt_345-[0-9a-f]{16}\.webm$`).MatchString(key) || key == storage.NewRecordingKey(12, 345) {
				t.Fatalf("key = %q", key)
			}
			data := bytes.Repeat([]byte("\x1a\x45\xdf\xa3webm"), 100_000)
			if err := b.s.Put(ctx, key, bytes.NewReader(data), "video/webm"); err != nil {
				t.Fatal(err)
			}
			if err := b.s.Put(ctx, key, strings.NewReader("other"), "video/webm"); !errors.Is(err, storage.ErrExists) {
				t.Fatalf("second put = %v, want ErrExists", err)
			}
			rc, err := b.s.Open(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("read back %d bytes, %v; want %d", len(got), err, len(data))
			}
			signed, err := b.s.SignedURL(ctx, key, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.fetch(t, signed), data) {
				t.Fatal("signed download differs")
			}
			if _, err := b.s.Open(ctx, "sessions/1/attempt_404.webm"); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("missing object = %v, want ErrNotFound", err)
			}
			if _, err := b.s.SignedURL(ctx, "sessions/1/attempt_404.webm", time.Hour); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("signing a missing object = %v, want ErrNotFound", err)
			}
			if err := b.s.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			if _, err := b.s.Open(ctx, key); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("after delete = %v, want ErrNotFound", err)
			}
			if err := b.s.Delete(ctx, key); err != nil {
				t.Fatalf("deleting twice = %v", err)
			}
			for _, bad := range []string{"", "../etc/passwd", "sessions/../../x", "/abs", "a//b", "a/./b", `a\b`, "한글.webm", "a b"} {
				if err := b.s.Put(ctx, bad, strings.NewReader("x"), ""); !errors.Is(err, storage.ErrInvalidKey) {
					t.Errorf("Put(%q) = %v, want ErrInvalidKey", bad, err)
				}
				if _, err := b.s.Open(ctx, bad); !errors.Is(err, storage.ErrInvalidKey) {
					t.Errorf("Open(%q) = %v, want ErrInvalidKey", bad, err)
				}
			}
		})
	}
}

func TestConcurrentPutsKeepOneObject(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			var wg sync.WaitGroup
			var mu sync.Mutex
			wins := 0
			for i := range 8 {
				wg.Go(func() {
					err := b.s.Put(ctx, "race/obj.bin", bytes.NewReader(bytes.Repeat([]byte{byte(i)}, 1<<16)), "")
					if err == nil {
						mu.Lock()
						wins++
						mu.Unlock()
					} else if !errors.Is(err, storage.ErrExists) {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if wins != 1 {
				t.Fatalf("%d puts won, want 1", wins)
			}
			rc, err := b.s.Open(ctx, "race/obj.bin")
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			if len(data) != 1<<16 || !bytes.Equal(data, bytes.Repeat(data[:1], 1<<16)) {
				t.Fatal("object is a mix of writers")
			}
		})
	}
}

func TestSupabaseErrorBodies(t *testing.T) {
	ctx := context.Background()
	fake := supabasetest.NewServer("good-key", bucket)
	defer fake.Close()
	fake.MaxObjectSize = 1000

	wrongKey, _ := storage.NewSupabase(storage.SupabaseOptions{URL: fake.URL, Key: "bad-key", Bucket: bucket})
	err := wrongKey.Put(ctx, "a/b.webm", strings.NewReader("x"), "video/webm")
	var apiErr *storage.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 400 || apiErr.StatusCode != "403" || apiErr.Message != "Invalid Compact JWS" {
		t.Fatalf("wrong key error = %#v", err)
	}

	noBucket, _ := storage.NewSupabase(storage.SupabaseOptions{URL: fake.URL, Key: "good-key", Bucket: "interview_media_asset_video"})
	if _, err := noBucket.Open(ctx, "a/b.webm"); !errors.Is(err, storage.ErrNotFound) || !strings.Contains(err.Error(), "Bucket not found") {
		t.Fatalf("unknown bucket error = %v", err)
	}

	good, _ := storage.NewSupabase(storage.SupabaseOptions{URL: fake.URL, Key: "good-key", Bucket: bucket})
	if err := good.Put(ctx, "a/big.webm", bytes.NewReader(make([]byte, 5000)), "video/webm"); !errors.Is(err, storage.ErrTooLarge) {
		t.Fatalf("oversized upload = %v, want ErrTooLarge", err)
	}
	if fake.Count(bucket) != 0 {
		t.Fatal("oversized upload was stored")
	}
	if err := good.Put(ctx, "a/ok.webm", strings.NewReader("hello"), "video/webm"); err != nil {
		t.Fatal(err)
	}
	obj, ok := fake.Object(bucket, "a/ok.webm")
	if !ok || string(obj.Data) != "hello" || obj.ContentType != "video/webm" {
		t.Fatalf("stored object = %+v", obj)
	}

	if _, err := storage.NewSupabase(storage.SupabaseOptions{URL: fake.URL, Key: "k", Bucket: "../x"}); err == nil {
		t.Fatal("bucket with a path accepted")
	}
}
