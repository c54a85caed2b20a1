package storage

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

// LocalOptions configures a local-directory store.
type LocalOptions struct {
	// Dir is the root directory; it is created if missing.
	Dir string
	// BaseURL is the server's public URL; signed URLs point at
	// BaseURL + LocalURLPrefix + key. Empty means relative URLs.
	BaseURL string
	// SigningKey signs download URLs. Empty means a random key, so URLs stop
	// working when the process restarts.
	SigningKey []byte
}

// LocalURLPrefix is the path under which the server serves signed local
// downloads (see Local.ServeSigned).
const LocalURLPrefix = "/media/"

// Local is a Storage in a directory. All access goes through an os.Root, so
// no key can reach outside the directory even through symlinks.
type Local struct {
	root    *os.Root
	baseURL string
	key     []byte
}

// NewLocal opens (creating if needed) a local store.
func NewLocal(o LocalOptions) (*Local, error) {
	if o.Dir == "" {
		return nil, errors.New("storage: local directory not set")
	}
	if err := os.MkdirAll(o.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("storage: create %s: %w", o.Dir, err)
	}
	root, err := os.OpenRoot(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", o.Dir, err)
	}
	key := o.SigningKey
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	return &Local{root: root, baseURL: strings.TrimRight(o.BaseURL, "/"), key: key}, nil
}

// Close releases the directory handle.
func (l *Local) Close() error { return l.root.Close() }

// Put writes to a temporary file and links it into place only when complete,
// so a failed or concurrent upload never leaves a partial object.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, _ string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	dir := path.Dir(key)
	if err := l.root.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("storage: mkdir %s: %w", dir, err)
	}
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	tmp := path.Join(dir, tempPrefix+hex.EncodeToString(nonce[:]))
	f, err := l.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("storage: create %s: %w", key, err)
	}
	defer l.root.Remove(tmp) //nolint:errcheck // already linked or failed; best effort
	_, err = io.Copy(f, ctxReader{ctx, r})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("storage: write %s: %w", key, err)
	}
	if err := l.root.Link(tmp, key); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%w: %s", ErrExists, key)
		}
		return fmt.Errorf("storage: link %s: %w", key, err)
	}
	return nil
}

// tempPrefix starts the names of Put's temporary files.
const tempPrefix = ".tmp-"

// RemoveTemp deletes the temporary files of Puts that never finished (their
// process died) last written before the cutoff, and reports how many.
func (l *Local) RemoveTemp(before time.Time) (int, error) {
	removed := 0
	err := fs.WalkDir(l.root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), tempPrefix) {
			return err
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // finished or removed meanwhile
		}
		if err != nil {
			return err
		}
		if info.ModTime().Before(before) {
			if err := l.root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			removed++
		}
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("storage: remove temporary files: %w", err)
	}
	return removed, nil
}

// Open opens an object for reading.
func (l *Local) Open(_ context.Context, key string) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	f, err := l.root.Open(key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", key, err)
	}
	return f, nil
}

// Delete removes an object.
func (l *Local) Delete(_ context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if err := l.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	return nil
}

// SignedURL returns BaseURL/media/{key}?expires=…&token=…, an HMAC-signed
// link that ServeSigned honours until it expires.
func (l *Local) SignedURL(_ context.Context, key string, ttl time.Duration) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	if _, err := l.root.Stat(key); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%w: %s", ErrNotFound, key)
		}
		return "", fmt.Errorf("storage: stat %s: %w", key, err)
	}
	expires := strconv.FormatInt(time.Now().Add(ttl).Unix(), 10)
	q := url.Values{"expires": {expires}, "token": {l.sign(key, expires)}}
	return l.baseURL + LocalURLPrefix + key + "?" + q.Encode(), nil
}

func (l *Local) sign(key, expires string) string {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(key + "\n" + expires))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckSignature reports whether token and expires (from a SignedURL) are
// valid for key now.
func (l *Local) CheckSignature(key, expires, token string) bool {
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || time.Now().Unix() > exp || ValidKey(key) != nil {
		return false
	}
	return hmac.Equal([]byte(token), []byte(l.sign(key, expires)))
}

// ctxReader stops a copy when the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
