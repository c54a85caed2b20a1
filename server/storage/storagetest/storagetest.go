// Package storagetest checks that an implementation of [storage.Storage]
// keeps the interface's promises, the way testing/slogtest checks a
// slog.Handler: call [Run] from a test of the implementation.
//
// The promises it checks are the ones the server relies on: a Put is
// read back byte for byte, a key is never overwritten ([storage.ErrExists],
// also when several Puts race for one key: exactly one wins and the object
// is never a mix), a signed URL downloads the object, a missing key is
// [storage.ErrNotFound] for Open and SignedURL, Delete is idempotent, and
// a key that fails [storage.ValidKey] is [storage.ErrInvalidKey] before it
// reaches the backend.
//
// A backend for Amazon S3, say, is tested with
//
//	func TestS3(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Storage {
//			return newS3(t) // a fresh, empty bucket or prefix
//		}, nil) // nil: its signed URLs are fetched with a plain GET
//	}
package storagetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/storage"
)

// Run checks the contract in subtests, each on a fresh storage from
// newStorage, which should register its cleanup with t.Cleanup. download
// fetches a URL signed by s and returns the body, failing t if it cannot; nil
// means an HTTP GET that must answer 200, right for backends whose URLs
// point at a live server. A backend whose URLs are served by something
// else (storage.Local's by the server's routes) passes a download that
// checks and serves them the way that server would.
func Run(t *testing.T, newStorage func(t *testing.T) storage.Storage, download func(t *testing.T, s storage.Storage, signedURL string) []byte) {
	if download == nil {
		download = httpGet
	}
	t.Run("RoundTrip", func(t *testing.T) { roundTrip(t, newStorage(t), download) })
	t.Run("Missing", func(t *testing.T) { missing(t, newStorage(t)) })
	t.Run("InvalidKeys", func(t *testing.T) { invalidKeys(t, newStorage(t)) })
	t.Run("ConcurrentPutsKeepOneObject", func(t *testing.T) { concurrentPuts(t, newStorage(t)) })
}

func httpGet(t *testing.T, _ storage.Storage, signed string) []byte {
	t.Helper()
	resp, err := http.Get(signed)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("signed download: %d %s", resp.StatusCode, b)
	}
	return b
}

func read(t *testing.T, s storage.Storage, key string) []byte {
	t.Helper()
	rc, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// roundTrip puts a recording under a fresh key, reads it back and through a
// signed URL, refuses a second Put, and deletes it twice.
func roundTrip(t *testing.T, s storage.Storage, download func(*testing.T, storage.Storage, string) []byte) {
	ctx := context.Background()
	key := storage.NewRecordingKey(12, 345)
	if !regexp.MustCompile(`^sessions/12/attempt_345-[0-9a-f]{16}\.webm$`).MatchString(key) || key == storage.NewRecordingKey(12, 345) {
		t.Fatalf("key = %q", key)
	}
	// Large enough that a backend must stream it in more than one piece.
	data := bytes.Repeat([]byte("\x1a\x45\xdf\xa3webm"), 100_000)
	if err := s.Put(ctx, key, bytes.NewReader(data), "video/webm"); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, key, strings.NewReader("other"), "video/webm"); !errors.Is(err, storage.ErrExists) {
		t.Fatalf("second put = %v, want ErrExists", err)
	}
	if got := read(t, s, key); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, want %d", len(got), len(data))
	}
	signed, err := s.SignedURL(ctx, key, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(download(t, s, signed), data) {
		t.Fatal("signed download differs")
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, key); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("after delete = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("deleting twice = %v", err)
	}
}

func missing(t *testing.T, s storage.Storage) {
	ctx := context.Background()
	const key = "sessions/1/attempt_404.webm"
	if _, err := s.Open(ctx, key); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("missing object = %v, want ErrNotFound", err)
	}
	if _, err := s.SignedURL(ctx, key, time.Hour); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("signing a missing object = %v, want ErrNotFound", err)
	}
}

func invalidKeys(t *testing.T, s storage.Storage) {
	ctx := context.Background()
	for _, bad := range []string{"", "../etc/passwd", "sessions/../../x", "/abs", "a//b", "a/./b", `a\b`, "한글.webm", "a b"} {
		if err := s.Put(ctx, bad, strings.NewReader("x"), ""); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", bad, err)
		}
		if _, err := s.Open(ctx, bad); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("Open(%q) = %v, want ErrInvalidKey", bad, err)
		}
	}
}

// concurrentPuts races eight writers of different bytes for one key.
func concurrentPuts(t *testing.T, s storage.Storage) {
	ctx := context.Background()
	const key = "race/obj.bin"
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range 8 {
		wg.Go(func() {
			err := s.Put(ctx, key, bytes.NewReader(bytes.Repeat([]byte{byte(i)}, 1<<16)), "")
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
	data := read(t, s, key)
	if len(data) != 1<<16 || !bytes.Equal(data, bytes.Repeat(data[:1], 1<<16)) {
		t.Fatal("object is a mix of writers")
	}
}
