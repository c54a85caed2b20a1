// Package supabasetest runs an in-process fake of the Supabase Storage REST
// API for tests: the object upload, download, sign, signed-download and
// delete endpoints used by storage.Supabase, with the real service's error
// replies (HTTP 400 carrying the meaningful status in the body's statusCode,
// e.g. {"statusCode":"404","error":"not_found","message":"Object not found"}).
package supabasetest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// Object is a stored object.
type Object struct {
	Data        []byte
	ContentType string
}

// Server is a running fake. Its URL is the project URL (SUPABASE_URL).
type Server struct {
	*httptest.Server
	// Key is the service-role key every request must present.
	Key string
	// MaxObjectSize rejects larger uploads like a bucket's file size limit
	// (0 means unlimited).
	MaxObjectSize int64

	mu      sync.Mutex
	buckets map[string]map[string]Object
	tokens  map[string]string // token → bucket/key
}

// NewServer starts a fake with the given private buckets. Close it when done.
func NewServer(key string, buckets ...string) *Server {
	s := &Server{Key: key, buckets: map[string]map[string]Object{}, tokens: map[string]string{}}
	for _, b := range buckets {
		s.buckets[b] = map[string]Object{}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /storage/v1/object/sign/{bucket}/{key...}", s.authed(s.sign))
	mux.HandleFunc("GET /storage/v1/object/sign/{bucket}/{key...}", s.signedDownload)
	mux.HandleFunc("POST /storage/v1/object/{bucket}/{key...}", s.authed(s.upload))
	mux.HandleFunc("GET /storage/v1/object/{bucket}/{key...}", s.authed(s.download))
	mux.HandleFunc("DELETE /storage/v1/object/{bucket}", s.authed(s.remove))
	s.Server = httptest.NewServer(mux)
	return s
}

// Object returns a stored object.
func (s *Server) Object(bucket, key string) (Object, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.buckets[bucket][key]
	return o, ok
}

// Count returns the number of objects in a bucket.
func (s *Server) Count(bucket string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.buckets[bucket])
}

func storageError(w http.ResponseWriter, httpStatus int, statusCode, code, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(httpStatus)
	json.NewEncoder(w).Encode(map[string]string{"statusCode": statusCode, "error": code, "message": message})
}

func (s *Server) authed(next func(http.ResponseWriter, *http.Request, map[string]Object)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("apikey") != s.Key || r.Header.Get("Authorization") != "Bearer "+s.Key {
			storageError(w, http.StatusBadRequest, "403", "Unauthorized", "Invalid Compact JWS")
			return
		}
		s.mu.Lock()
		bucket, ok := s.buckets[r.PathValue("bucket")]
		s.mu.Unlock()
		if !ok {
			storageError(w, http.StatusBadRequest, "404", "Bucket not found", "Bucket not found")
			return
		}
		next(w, r, bucket)
	}
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request, bucket map[string]Object) {
	key := r.PathValue("key")
	mr, err := r.MultipartReader()
	if err != nil {
		storageError(w, http.StatusBadRequest, "400", "Invalid Input", "expected multipart/form-data: "+err.Error())
		return
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			storageError(w, http.StatusBadRequest, "400", "Invalid Input", "no file part")
			return
		}
		if part.FormName() != "file" {
			continue
		}
		limit := s.MaxObjectSize
		if limit <= 0 {
			limit = 1 << 40
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			storageError(w, http.StatusBadRequest, "400", "Invalid Input", err.Error())
			return
		}
		if int64(len(data)) > limit {
			storageError(w, http.StatusBadRequest, "413", "Payload too large", "The object exceeded the maximum allowed size")
			return
		}
		s.mu.Lock()
		_, exists := bucket[key]
		if !exists || r.Header.Get("x-upsert") == "true" {
			bucket[key] = Object{Data: data, ContentType: part.Header.Get("Content-Type")}
		}
		s.mu.Unlock()
		if exists && r.Header.Get("x-upsert") != "true" {
			storageError(w, http.StatusBadRequest, "409", "Duplicate", "The resource already exists")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"Key": r.PathValue("bucket") + "/" + key, "Id": newToken()[:32]})
		return
	}
}

func (s *Server) serveObject(w http.ResponseWriter, bucket map[string]Object, key string) {
	s.mu.Lock()
	o, ok := bucket[key]
	s.mu.Unlock()
	if !ok {
		storageError(w, http.StatusBadRequest, "404", "not_found", "Object not found")
		return
	}
	w.Header().Set("Content-Type", o.ContentType)
	w.Write(o.Data)
}

func (s *Server) download(w http.ResponseWriter, r *http.Request, bucket map[string]Object) {
	s.serveObject(w, bucket, r.PathValue("key"))
}

func (s *Server) sign(w http.ResponseWriter, r *http.Request, bucket map[string]Object) {
	var body struct {
		ExpiresIn json.Number `json:"expiresIn"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.ExpiresIn == "" {
		storageError(w, http.StatusBadRequest, "400", "Invalid Input", "body must have required property 'expiresIn'")
		return
	}
	key := r.PathValue("key")
	s.mu.Lock()
	_, ok := bucket[key]
	token := newToken()
	if ok {
		s.tokens[token] = r.PathValue("bucket") + "/" + key
	}
	s.mu.Unlock()
	if !ok {
		storageError(w, http.StatusBadRequest, "404", "not_found", "Object not found")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{
		"signedURL": "/object/sign/" + r.PathValue("bucket") + "/" + key + "?token=" + url.QueryEscape(token),
	})
}

func (s *Server) signedDownload(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	target, ok := s.tokens[r.URL.Query().Get("token")]
	bucket := s.buckets[r.PathValue("bucket")]
	s.mu.Unlock()
	if !ok || target != r.PathValue("bucket")+"/"+r.PathValue("key") {
		storageError(w, http.StatusBadRequest, "400", "InvalidJWT", "jwt malformed")
		return
	}
	s.serveObject(w, bucket, r.PathValue("key"))
}

func (s *Server) remove(w http.ResponseWriter, r *http.Request, bucket map[string]Object) {
	var body struct {
		Prefixes []string `json:"prefixes"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Prefixes) == 0 {
		storageError(w, http.StatusBadRequest, "400", "Invalid Input", "body must have required property 'prefixes'")
		return
	}
	deleted := []map[string]string{}
	s.mu.Lock()
	for _, p := range body.Prefixes {
		if _, ok := bucket[p]; ok {
			delete(bucket, p)
			deleted = append(deleted, map[string]string{"name": p[strings.LastIndex(p, "/")+1:], "bucket_id": r.PathValue("bucket")})
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(deleted)
}

func newToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
