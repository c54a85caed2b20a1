package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/nevermind-ai/nevermind/server/auth"
)

const sub = "0d6f6c2e-8d5b-4a55-9a40-6f9e1f7d2c11"

var secret = []byte("super-secret-jwt-token-with-at-least-32-characters")

// jwksServer serves one EC P-256 key as a JWKS, like Supabase's
// /auth/v1/.well-known/jwks.json.
func jwksServer(t *testing.T) (*ecdsa.PrivateKey, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := key.PublicKey.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	raw := pub.Bytes() // 0x04 || X || Y
	enc := base64.RawURLEncoding.EncodeToString
	body, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": "key-1",
		"x": enc(raw[1:33]), "y": enc(raw[33:]),
	}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return key, srv.URL
}

func claims(mod func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{
		"sub": sub, "email": "a@example.com", "aud": "authenticated",
		"iss": "https://proj.supabase.co/auth/v1",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	if mod != nil {
		mod(c)
	}
	return c
}

func hs256(t testing.TB, key []byte, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// withHeader signs the default claims with HS256 and one extra header.
func withHeader(t testing.TB, key []byte, name string, value any) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil))
	tok.Header[name] = value
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func es256(t *testing.T, key *ecdsa.PrivateKey, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, c)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifyMatrix(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ecKey, jwksURL := jwksServer(t)
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	strict, err := auth.NewVerifier(ctx, auth.Config{
		Secret: secret, JWKSURL: jwksURL,
		Issuer: "https://proj.supabase.co/auth/v1", Audience: "authenticated", Leeway: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	jwksOnly, err := auth.NewVerifier(ctx, auth.Config{JWKSURL: jwksURL})
	if err != nil {
		t.Fatal(err)
	}
	secretOnly, err := auth.NewVerifier(ctx, auth.Config{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	pubBytes, _ := ecKey.PublicKey.ECDH()
	noneToken, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, claims(nil)).SignedString(secret)

	cases := []struct {
		name  string
		v     *auth.Verifier
		token string
		ok    bool
	}{
		{"HS256 with the secret", strict, hs256(t, secret, claims(nil)), true},
		{"ES256 from the JWKS", strict, es256(t, ecKey, "key-1", claims(nil)), true},
		{"ES256 with JWKS only", jwksOnly, es256(t, ecKey, "key-1", claims(nil)), true},
		{"HS256 with the wrong secret", strict, hs256(t, []byte("wrong-secret-wrong-secret-wrong-secret"), claims(nil)), false},
		{"HS256 when only a JWKS is configured", jwksOnly, hs256(t, secret, claims(nil)), false},
		{"HMAC keyed with the JWKS public key", jwksOnly, hs256(t, pubBytes.Bytes(), claims(nil)), false},
		{"ES256 when only a secret is configured", secretOnly, es256(t, ecKey, "key-1", claims(nil)), false},
		{"ES256 signed by an unknown key", strict, es256(t, otherKey, "key-1", claims(nil)), false},
		{"alg none", strict, noneToken, false},
		{"HS512 is not on the allow-list", strict, hs512, false},
		{"expired beyond the leeway", strict, hs256(t, secret, claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() })), false},
		{"expired within the leeway", strict, hs256(t, secret, claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-2 * time.Second).Unix() })), true},
		{"no exp", strict, hs256(t, secret, claims(func(c jwt.MapClaims) { delete(c, "exp") })), false},
		{"nbf in the future", strict, hs256(t, secret, claims(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Minute).Unix() })), false},
		{"nbf within the leeway", strict, hs256(t, secret, claims(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(2 * time.Second).Unix() })), true},
		{"wrong issuer", strict, hs256(t, secret, claims(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" })), false},
		{"wrong audience", strict, hs256(t, secret, claims(func(c jwt.MapClaims) { c["aud"] = "anon" })), false},
		{"audience not checked when unset", secretOnly, hs256(t, secret, claims(func(c jwt.MapClaims) { c["aud"] = "anon" })), true},
		{"sub missing", strict, hs256(t, secret, claims(func(c jwt.MapClaims) { delete(c, "sub") })), false},
		{"sub not a UUID", strict, hs256(t, secret, claims(func(c jwt.MapClaims) { c["sub"] = "user-1" })), false},
		{"garbage", strict, "not.a.token", false},
		{"exp as a quoted number", strict, hs256(t, secret, claims(func(c jwt.MapClaims) { c["exp"] = fmt.Sprint(time.Now().Add(time.Hour).Unix()) })), false},
		{"nbf as a quoted number", strict, hs256(t, secret, claims(func(c jwt.MapClaims) { c["nbf"] = fmt.Sprint(time.Now().Unix()) })), false},
		{"iat as a quoted number", strict, hs256(t, secret, claims(func(c jwt.MapClaims) { c["iat"] = fmt.Sprint(time.Now().Unix()) })), false},
		{"crit header with an unknown extension", strict, withHeader(t, secret, "crit", []string{"exp-ext"}), false},
		{"an unknown non-critical header is ignored", strict, withHeader(t, secret, "x-note", "hello"), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.v.Verify(ctx, tc.token)
			if tc.ok {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if c.Subject != sub || c.Email != "a@example.com" {
					t.Fatalf("claims = %+v", c)
				}
				return
			}
			if !errors.Is(err, auth.ErrInvalidToken) {
				t.Fatalf("error = %v, want ErrInvalidToken", err)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	for header, want := range map[string]string{"Bearer abc": "abc", "bearer  abc ": "abc", "BEARER x.y.z": "x.y.z"} {
		if got, err := auth.BearerToken(header); err != nil || got != want {
			t.Errorf("BearerToken(%q) = %q, %v", header, got, err)
		}
	}
	for _, header := range []string{"", "Bearer", "Bearer   ", "Basic abc", "abc"} {
		if _, err := auth.BearerToken(header); !errors.Is(err, auth.ErrNoToken) {
			t.Errorf("BearerToken(%q) error = %v, want ErrNoToken", header, err)
		}
	}
}

func TestNewVerifierErrors(t *testing.T) {
	if _, err := auth.NewVerifier(context.Background(), auth.Config{}); !errors.Is(err, auth.ErrNoKeys) {
		t.Fatalf("empty config error = %v", err)
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := auth.NewVerifier(ctx, auth.Config{JWKSURL: srv.URL}); err == nil || !strings.Contains(err.Error(), "JWKS") {
		t.Fatalf("unreachable JWKS error = %v", err)
	}
}

func ExampleSignHS256() {
	secret := auth.DevSecret()
	token, _ := auth.SignHS256(secret, auth.TokenOptions{Subject: "0d6f6c2e-8d5b-4a55-9a40-6f9e1f7d2c11"})
	v, _ := auth.NewVerifier(context.Background(), auth.Config{Secret: secret})
	claims, err := v.Verify(context.Background(), token)
	fmt.Println(claims.Subject, err)
	// Output: 0d6f6c2e-8d5b-4a55-9a40-6f9e1f7d2c11 <nil>
}
