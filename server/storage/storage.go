// Package storage keeps interview recordings in object storage.
//
// Two backends implement Storage: Supabase Storage over its REST API (what
// the hosted service uses, with the service-role key) and a local directory
// (the zero-config default). Object keys are the seed's,
// sessions/{session_id}/attempt_{attempt_id}.webm; every key is checked by
// ValidKey before it reaches a backend, so ".." segments, absolute paths and
// odd characters are impossible.
//
//	store, err := storage.NewLocal(storage.LocalOptions{Dir: "data/media", BaseURL: "http://localhost:8000", SigningKey: key})
//	key := storage.NewRecordingKey(12, 345)
//	err = store.Put(ctx, key, file, "video/webm")
//	rc, err := store.Open(ctx, key)
//	url, err := store.SignedURL(ctx, key, time.Hour)
package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Sentinel errors shared by the backends.
var (
	// ErrNotFound means no object has the key.
	ErrNotFound = errors.New("storage: object not found")
	// ErrExists means an object already has the key; objects are never
	// overwritten.
	ErrExists = errors.New("storage: object already exists")
	// ErrInvalidKey means the key failed ValidKey.
	ErrInvalidKey = errors.New("storage: invalid object key")
	// ErrTooLarge means the backend refused the object's size.
	ErrTooLarge = errors.New("storage: object too large")
)

// Storage stores immutable objects by key. Implementations are safe for
// concurrent use.
type Storage interface {
	// Put streams r into a new object. It fails with ErrExists if the key is
	// taken and leaves nothing behind when it fails.
	Put(ctx context.Context, key string, r io.Reader, contentType string) error
	// Open streams an object; the caller closes the reader.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// SignedURL returns an absolute URL that downloads the object without
	// other credentials until ttl has passed.
	SignedURL(ctx context.Context, key string, ttl time.Duration) (string, error)
	// Delete removes an object; deleting a missing object is not an error.
	Delete(ctx context.Context, key string) error
}

// NewRecordingKey names a new object for an attempt's recording: the seed's
// key with a random part, so that no two uploads ever share a key even when
// two databases (or one restored from a backup) hand out the same ids over
// one bucket, and a failed upload can always delete what it wrote. The
// extension is .webm whatever the container, as in the seed.
func NewRecordingKey(sessionID, attemptID int64) string {
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	return fmt.Sprintf("sessions/%d/attempt_%d-%s.webm", sessionID, attemptID, hex.EncodeToString(nonce[:]))
}

// ValidKey checks that a key is a relative slash-separated path of segments
// made of ASCII letters, digits, '-', '_' and '.', with no empty, "." or ".."
// segment, at most 512 bytes long.
func ValidKey(key string) error {
	if key == "" || len(key) > 512 {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%w: %q", ErrInvalidKey, key)
		}
		for _, r := range seg {
			ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
			if !ok {
				return fmt.Errorf("%w: %q", ErrInvalidKey, key)
			}
		}
	}
	return nil
}
