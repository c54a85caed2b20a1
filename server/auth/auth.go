// Package auth verifies Supabase access tokens.
//
// Supabase signs access tokens either with the project's legacy shared
// secret (HS256, SUPABASE_JWT_SECRET) or with asymmetric signing keys it
// publishes as a JWKS (ES256 or RS256, SUPABASE_JWKS_URL). A Verifier accepts
// both, and nothing else:
//
//	v, err := auth.NewVerifier(ctx, auth.Config{
//		Secret:   []byte(os.Getenv("SUPABASE_JWT_SECRET")),
//		JWKSURL:  os.Getenv("SUPABASE_JWKS_URL"),
//		Issuer:   "https://xyz.supabase.co/auth/v1",
//		Audience: "authenticated",
//	})
//	token, err := auth.BearerToken(r.Header.Get("Authorization"))
//	claims, err := v.Verify(ctx, token)
//	// claims.Subject is the Supabase user id (a UUID).
//
// HMAC tokens are checked only against the static secret and asymmetric
// tokens only against the JWKS, so a token that uses a published public key
// as an HMAC secret is rejected, and so is "alg": "none". Expiry and
// not-before are required and checked with a small leeway for clock skew;
// exp, nbf and iat must be JSON numbers, and a token with a "crit" header is
// rejected since no extension is understood.
//
// For local development, DevSecret makes a random secret and SignHS256 mints
// a token the Verifier accepts.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Sentinel errors. Every verification failure wraps ErrInvalidToken.
var (
	// ErrNoToken means the Authorization header is missing or is not
	// "Bearer <token>".
	ErrNoToken = errors.New("auth: no bearer token")
	// ErrInvalidToken means the token failed verification: signature,
	// algorithm, expiry, issuer, audience or subject.
	ErrInvalidToken = errors.New("auth: invalid token")
	// ErrNoKeys means the Config has neither a secret nor a JWKS URL.
	ErrNoKeys = errors.New("auth: no secret and no JWKS URL configured")
)

// DefaultLeeway is the clock-skew allowance used when Config.Leeway is zero.
const DefaultLeeway = 30 * time.Second

// Config says which tokens a Verifier accepts.
type Config struct {
	// Secret verifies HS256 tokens (Supabase's legacy JWT secret). Empty
	// means HMAC tokens are rejected.
	Secret []byte
	// JWKSURL is fetched (and refreshed in the background until the context
	// given to NewVerifier ends) to verify ES256, RS256 and EdDSA tokens.
	// Empty means asymmetric tokens are rejected.
	JWKSURL string
	// Issuer, when not empty, must equal the token's iss claim.
	Issuer string
	// Audience, when not empty, must be among the token's aud claim.
	Audience string
	// Leeway is the allowance for clock skew on exp, nbf and iat. Zero means
	// DefaultLeeway; a negative value means none.
	Leeway time.Duration
}

// Claims are the parts of a verified token the server uses.
type Claims struct {
	// Subject is the user id (sub), always a canonical UUID string.
	Subject string
	// Email is the email claim, empty when absent.
	Email string
	// ExpiresAt is the exp claim.
	ExpiresAt time.Time
}

// Verifier checks access tokens. It is safe for concurrent use.
type Verifier struct {
	secret   []byte
	jwks     keyfunc.Keyfunc
	methods  []string
	issuer   string
	audience string
	leeway   time.Duration
	stop     context.CancelFunc
}

// Close stops the background JWKS refresh. The Verifier keeps verifying with
// the keys it has.
func (v *Verifier) Close() {
	if v.stop != nil {
		v.stop()
	}
}

var asymmetricMethods = []string{"ES256", "RS256", "EdDSA"}

// NewVerifier builds a Verifier. With a JWKS URL it fetches the key set once
// (failing if that is impossible) and keeps refreshing it until ctx ends.
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	v := &Verifier{secret: cfg.Secret, issuer: cfg.Issuer, audience: cfg.Audience, leeway: cfg.Leeway}
	if v.leeway == 0 {
		v.leeway = DefaultLeeway
	} else if v.leeway < 0 {
		v.leeway = 0
	}
	if len(cfg.Secret) == 0 && cfg.JWKSURL == "" {
		return nil, ErrNoKeys
	}
	if len(cfg.Secret) > 0 {
		v.methods = append(v.methods, "HS256")
	}
	if cfg.JWKSURL != "" {
		refreshCtx, stop := context.WithCancel(ctx)
		k, err := keyfunc.NewDefaultCtx(refreshCtx, []string{cfg.JWKSURL})
		if err != nil {
			stop()
			return nil, fmt.Errorf("auth: load JWKS %s: %w", cfg.JWKSURL, err)
		}
		// keyfunc only logs a failed first fetch; a server that cannot verify
		// any token should not start.
		keys, err := k.Storage().KeyReadAll(ctx)
		if err != nil || len(keys) == 0 {
			stop()
			return nil, fmt.Errorf("auth: JWKS %s returned no keys (unreachable or empty): %v", cfg.JWKSURL, err)
		}
		v.jwks, v.stop = k, stop
		v.methods = append(v.methods, asymmetricMethods...)
	}
	return v, nil
}

// BearerToken extracts the token from an Authorization header value: the
// scheme must be "Bearer" (any case) and the token non-empty.
func BearerToken(header string) (string, error) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(token) == "" {
		return "", ErrNoToken
	}
	return strings.TrimSpace(token), nil
}

// Verify checks the token and returns its claims.
func (v *Verifier) Verify(ctx context.Context, token string) (Claims, error) {
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(v.methods),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(v.leeway),
	}
	if v.issuer != "" {
		opts = append(opts, jwt.WithIssuer(v.issuer))
	}
	if v.audience != "" {
		opts = append(opts, jwt.WithAudience(v.audience))
	}
	if err := checkNumericDates(token); err != nil {
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	var claims supabaseClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		// RFC 7515 §4.1.11: a recipient must reject a token whose "crit"
		// names extensions it does not process, and this one processes none.
		if _, ok := t.Header["crit"]; ok {
			return nil, errors.New(`"crit" header extensions are not supported`)
		}
		// Pick the key source by the algorithm family, so a JWKS public key
		// can never be used as an HMAC secret (algorithm confusion).
		if _, isHMAC := t.Method.(*jwt.SigningMethodHMAC); isHMAC {
			if len(v.secret) == 0 {
				return nil, errors.New("HMAC tokens are not accepted")
			}
			return v.secret, nil
		}
		if v.jwks == nil {
			return nil, errors.New("asymmetric tokens are not accepted (no JWKS URL)")
		}
		return v.jwks.KeyfuncCtx(ctx)(t)
	}, opts...)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	id, err := uuid.Parse(claims.Subject)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: sub %q is not a UUID", ErrInvalidToken, claims.Subject)
	}
	out := Claims{Subject: id.String(), Email: claims.Email}
	if claims.ExpiresAt != nil {
		out.ExpiresAt = claims.ExpiresAt.Time
	}
	return out, nil
}

// checkNumericDates rejects a token whose exp, nbf or iat is not a JSON
// number. RFC 7519 makes them NumericDates, but jwt's decoder also takes a
// quoted number ("exp": "9999999999"), which no issuer of ours produces.
func checkNumericDates(token string) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("token is not three dot-separated segments")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return fmt.Errorf("payload: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil {
		return fmt.Errorf("payload: %w", err)
	}
	for _, name := range []string{"exp", "nbf", "iat"} {
		v, ok := raw[name]
		if !ok {
			continue
		}
		// A JSON number starts with a digit or a minus sign; a string,
		// object, array, bool or null does not.
		if len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
			return fmt.Errorf("%s is not a number", name)
		}
	}
	return nil
}

type supabaseClaims struct {
	jwt.RegisteredClaims
	Email string `json:"email,omitempty"`
	Role  string `json:"role,omitempty"`
}

// DevSecret returns a random 32-byte HS256 secret for zero-config
// development servers.
func DevSecret() []byte {
	b := make([]byte, 32)
	// crypto/rand.Read never returns an error on supported platforms.
	_, _ = rand.Read(b)
	return b
}

// TokenOptions describes a token minted by SignHS256.
type TokenOptions struct {
	// Subject is the user id; it must be a UUID.
	Subject string
	// Email is optional.
	Email string
	// Issuer and Audience are copied into iss and aud when not empty.
	Issuer, Audience string
	// TTL is the lifetime; zero means 24 hours.
	TTL time.Duration
}

// SignHS256 mints an HS256 token like Supabase's for the secret, for
// development servers and tests.
func SignHS256(secret []byte, o TokenOptions) (string, error) {
	if _, err := uuid.Parse(o.Subject); err != nil {
		return "", fmt.Errorf("auth: subject %q is not a UUID", o.Subject)
	}
	ttl := o.TTL
	if ttl == 0 {
		ttl = 24 * time.Hour
	}
	t := time.Now()
	c := supabaseClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: o.Subject, Issuer: o.Issuer,
			IssuedAt: jwt.NewNumericDate(t), NotBefore: jwt.NewNumericDate(t), ExpiresAt: jwt.NewNumericDate(t.Add(ttl)),
		},
		Email: o.Email, Role: "authenticated",
	}
	if o.Audience != "" {
		c.Audience = jwt.ClaimStrings{o.Audience}
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("auth: sign: %w", err)
	}
	return s, nil
}
