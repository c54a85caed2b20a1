package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// SupabaseOptions configures a Supabase Storage client.
type SupabaseOptions struct {
	// URL is the project URL (SUPABASE_URL), e.g. https://xyz.supabase.co;
	// the REST API is under URL + "/storage/v1".
	URL string
	// Key is the service-role key (SUPABASE_SERVICE_ROLE_KEY, falling back to
	// SUPABASE_KEY as in the seed); it bypasses the private buckets' policies.
	Key string
	// Bucket is SUPABASE_VIDEO_BUCKET (the seed's default
	// "interview_media_asset"); every operation uses it.
	Bucket string
	// HTTPClient is used for requests; nil means a client without an overall
	// timeout, since uploads and downloads stream for as long as they need.
	HTTPClient *http.Client
}

// Supabase is a Storage backed by the Supabase Storage REST API.
//
// Open, SignedURL and Delete are retried up to SupabaseTries times, after
// 200 ms and then 800 ms, when the API answers 5xx or 429 or the connection
// fails. Put streams its reader, which cannot be read twice, so it is tried
// once and its error returned.
type Supabase struct {
	base   string
	key    string
	bucket string
	client *http.Client
}

// APIError is an error reply of the Storage API that maps to no sentinel.
// The API answers HTTP 400 for most errors and puts the meaningful status in
// the body's statusCode, so both are kept.
type APIError struct {
	HTTPStatus int    // the HTTP status line, usually 400
	StatusCode string `json:"statusCode"` // the meaningful status, e.g. "403"
	Code       string `json:"error"`      // e.g. "Unauthorized"
	Message    string `json:"message"`    // e.g. "Invalid Compact JWS"
}

// Error reports both statuses and the API's message.
func (e *APIError) Error() string {
	return fmt.Sprintf("supabase storage: HTTP %d, status %s: %s: %s", e.HTTPStatus, e.StatusCode, e.Code, e.Message)
}

// NewSupabase returns a client for one bucket.
func NewSupabase(o SupabaseOptions) (*Supabase, error) {
	if o.URL == "" || o.Key == "" || o.Bucket == "" {
		return nil, errors.New("storage: supabase needs URL, key and bucket")
	}
	if _, err := url.Parse(o.URL); err != nil {
		return nil, fmt.Errorf("storage: supabase URL: %w", err)
	}
	if ValidKey(o.Bucket) != nil || strings.Contains(o.Bucket, "/") {
		return nil, fmt.Errorf("storage: invalid bucket name %q", o.Bucket)
	}
	c := o.HTTPClient
	if c == nil {
		c = &http.Client{}
	}
	return &Supabase{base: strings.TrimRight(o.URL, "/") + "/storage/v1", key: o.Key, bucket: o.Bucket, client: c}, nil
}

func escapeKey(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

func (s *Supabase) objectURL(kind, key string) string {
	return s.base + "/object/" + kind + s.bucket + "/" + escapeKey(key)
}

// SupabaseTries is how many times a Supabase request whose body can be
// replayed is sent before its error is returned.
const SupabaseTries = 3

// retryDelay is the wait before try n+1 (n from 1): 200 ms, 800 ms, …
func retryDelay(n int) time.Duration { return 200 * time.Millisecond << (2 * (n - 1)) }

// retryable reports whether a failed request may succeed if sent again.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatus >= 500 || apiErr.HTTPStatus == http.StatusTooManyRequests
	}
	return !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrExists) && !errors.Is(err, ErrTooLarge)
}

// do sends req, retrying transient failures when its body can be replayed.
func (s *Supabase) do(req *http.Request) (*http.Response, error) {
	for try := 1; ; try++ {
		resp, err := s.doOnce(req)
		replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
		if err == nil || try == SupabaseTries || !replayable || !retryable(req.Context(), err) {
			return resp, err
		}
		t := time.NewTimer(retryDelay(try))
		select {
		case <-req.Context().Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
		if req.GetBody != nil {
			body, berr := req.GetBody()
			if berr != nil {
				return nil, err
			}
			req.Body = body
		}
	}
}

func (s *Supabase) doOnce(req *http.Request) (*http.Response, error) {
	req.Header.Set("apikey", s.key)
	req.Header.Set("Authorization", "Bearer "+s.key)
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("storage: %s %s: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	apiErr := &APIError{HTTPStatus: resp.StatusCode}
	if json.Unmarshal(body, apiErr) != nil || apiErr.StatusCode == "" {
		apiErr.StatusCode = strconv.Itoa(resp.StatusCode)
		apiErr.Message = strings.TrimSpace(string(body))
	}
	switch apiErr.StatusCode {
	case "404":
		return nil, fmt.Errorf("%w: %s", ErrNotFound, apiErr.Message)
	case "409":
		return nil, fmt.Errorf("%w: %s", ErrExists, apiErr.Message)
	case "413":
		return nil, fmt.Errorf("%w: %s", ErrTooLarge, apiErr.Message)
	}
	return nil, apiErr
}

// Put uploads as storage3 does: POST /object/{bucket}/{key}, multipart with
// one part "file", x-upsert false. The body is streamed through a pipe, never
// held in memory.
func (s *Supabase) Put(ctx context.Context, key string, r io.Reader, contentType string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			if err := mw.WriteField("cacheControl", "3600"); err != nil {
				return err
			}
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, path.Base(key)))
			h.Set("Content-Type", contentType)
			part, err := mw.CreatePart(h)
			if err != nil {
				return err
			}
			if _, err := io.Copy(part, r); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.objectURL("", key), pr)
	if err != nil {
		pr.CloseWithError(err)
		return fmt.Errorf("storage: upload %s: %w", key, err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("x-upsert", "false")
	req.Header.Set("cache-control", "max-age=3600")
	resp, err := s.do(req)
	// Unblock the writer goroutine if the server answered before reading all.
	pr.CloseWithError(errors.New("storage: upload finished"))
	if err != nil {
		return fmt.Errorf("storage: upload %s: %w", key, err)
	}
	resp.Body.Close()
	return nil
}

// Open downloads GET /object/{bucket}/{key} as a stream.
func (s *Supabase) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.objectURL("", key), nil)
	if err != nil {
		return nil, fmt.Errorf("storage: download %s: %w", key, err)
	}
	resp, err := s.do(req)
	if err != nil {
		return nil, fmt.Errorf("storage: download %s: %w", key, err)
	}
	return resp.Body, nil
}

// SignedURL signs with POST /object/sign/{bucket}/{key} and makes the
// relative signedURL of the reply absolute.
func (s *Supabase) SignedURL(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	body, _ := json.Marshal(map[string]int64{"expiresIn": int64(ttl / time.Second)})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.objectURL("sign/", key), bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("storage: sign %s: %w", key, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.do(req)
	if err != nil {
		return "", fmt.Errorf("storage: sign %s: %w", key, err)
	}
	defer resp.Body.Close()
	var out struct {
		SignedURL string `json:"signedURL"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&out); err != nil {
		return "", fmt.Errorf("storage: sign %s: decode reply: %w", key, err)
	}
	if out.SignedURL == "" {
		return "", fmt.Errorf("storage: sign %s: empty signedURL in reply", key)
	}
	if strings.HasPrefix(out.SignedURL, "http://") || strings.HasPrefix(out.SignedURL, "https://") {
		return out.SignedURL, nil
	}
	return s.base + "/" + strings.TrimLeft(out.SignedURL, "/"), nil
}

// Delete removes an object with DELETE /object/{bucket} {"prefixes":[key]},
// as storage3's remove does.
func (s *Supabase) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	body, _ := json.Marshal(map[string][]string{"prefixes": {key}})
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, s.base+"/object/"+s.bucket, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.do(req)
	if err != nil {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	resp.Body.Close()
	return nil
}
