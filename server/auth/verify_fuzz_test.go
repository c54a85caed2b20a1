package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/nevermind-ai/nevermind/server/auth"
)

// FuzzVerify mutates valid, expired, alg=none and HS512 tokens. Verify must
// never panic, must fail with ErrInvalidToken, and may accept a token only
// when it carries the signed subject: no mutation forges another user.
//
// Run it with
//
//	go test -run '^$' -fuzz FuzzVerify -fuzztime 10m -parallel 1 ./server/auth
func FuzzVerify(f *testing.F) {
	ctx := context.Background()
	v, err := auth.NewVerifier(ctx, auth.Config{Secret: secret, Issuer: "https://proj.supabase.co/auth/v1", Audience: "authenticated"})
	if err != nil {
		f.Fatal(err)
	}
	valid := hs256(f, secret, claims(nil))
	noneToken, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, claims(nil)).SignedString(secret)
	f.Add(valid)
	f.Add(noneToken)
	f.Add(hs512)
	f.Add(hs256(f, secret, claims(func(c jwt.MapClaims) { c["exp"] = 1 })))
	f.Add(strings.Repeat("a.", 3))
	f.Fuzz(func(t *testing.T, token string) {
		c, err := v.Verify(ctx, token)
		if err != nil {
			if !errors.Is(err, auth.ErrInvalidToken) {
				t.Fatalf("error without ErrInvalidToken: %v", err)
			}
			return
		}
		if c.Subject != sub {
			t.Fatalf("token %q authenticated as %q", token, c.Subject)
		}
	})
}
