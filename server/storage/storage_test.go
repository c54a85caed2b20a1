package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind/server/storage"
	"github.com/nevermind-ai/nevermind/server/storage/storagetest"
	"github.com/nevermind-ai/nevermind/server/storage/supabasetest"
)

const bucket = "interview_media_asset"

// The Supabase backend against supabasetest's fake, whose signed URLs it
// serves itself.
func TestSupabaseContract(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		fake := supabasetest.NewServer("service-role-key", bucket)
		t.Cleanup(fake.Close)
		sb, err := storage.NewSupabase(storage.SupabaseOptions{URL: fake.URL, Key: "service-role-key", Bucket: bucket})
		if err != nil {
			t.Fatal(err)
		}
		return sb
	}, nil)
}

// The local backend, whose signed URLs the server serves: the download
// checks the signature as the server's media route does, and that it does
// not also sign another key.
func TestLocalContract(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		local, err := storage.NewLocal(storage.LocalOptions{Dir: t.TempDir(), BaseURL: "http://api.test"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { local.Close() })
		return local
	}, func(t *testing.T, s storage.Storage, signed string) []byte {
		local := s.(*storage.Local)
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
		b, _ := io.ReadAll(rc) // a short read fails the contract's comparison
		return b
	})
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
