package identity_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/helpdesk/helpdesk/internal/identity"
)

var (
	secret = []byte("whsec-test-identity-secret")
	now    = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	inHour = now.Add(time.Hour).Unix()
)

// signed is a token the library signs with key under method, as a host product's JWT library would.
func signed(t *testing.T, method jwt.SigningMethod, key any, body map[string]any) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, jwt.MapClaims(body)).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func hs256(t *testing.T, body map[string]any) string {
	return signed(t, jwt.SigningMethodHS256, secret, body)
}

// forged is a token with any header, whose signature is nevertheless the HS256 one made with the
// workspace's secret: the algorithm-confusion attempts, which must fail on the header alone.
func forged(t *testing.T, header, body map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(header) + "." + enc(body)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// segments replaces the parts of token at the given indexes.
func segments(token string, replace map[int]string) string {
	parts := strings.Split(token, ".")
	for i, s := range replace {
		parts[i] = s
	}
	return strings.Join(parts, ".")
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestP2_Verify(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	valid := hs256(t, map[string]any{"user_id": "user-42", "email": "ann@example.com", "name": "Ann", "exp": inHour})
	other := hs256(t, map[string]any{"user_id": "user-1", "exp": inHour})
	hs256Header := map[string]any{"alg": "HS256", "typ": "JWT"}
	user := map[string]any{"user_id": "user-42", "exp": inHour}
	long := strings.Repeat("x", 256)

	tests := []struct {
		name   string
		token  string
		secret []byte
		want   error // nil: accepted
		claims identity.Claims
	}{
		{name: "valid token", token: valid,
			claims: identity.Claims{UserID: "user-42", Email: "ann@example.com", Name: "Ann", ExpiresAt: time.Unix(inHour, 0)}},
		{name: "surrounding spaces of the token ignored", token: "  " + valid + "\n",
			claims: identity.Claims{UserID: "user-42", Email: "ann@example.com", Name: "Ann", ExpiresAt: time.Unix(inHour, 0)}},
		{name: "only user_id and exp", token: hs256(t, user),
			claims: identity.Claims{UserID: "user-42", ExpiresAt: time.Unix(inHour, 0)}},
		{name: "numeric user_id as its decimal string", token: hs256(t, map[string]any{"user_id": 42, "exp": inHour}),
			claims: identity.Claims{UserID: "42", ExpiresAt: time.Unix(inHour, 0)}},
		{name: "numeric user_id beyond float64 precision kept digit for digit",
			token:  hs256(t, map[string]any{"user_id": json.Number("12345678901234567890123"), "exp": inHour}),
			claims: identity.Claims{UserID: "12345678901234567890123", ExpiresAt: time.Unix(inHour, 0)}},
		{name: "extra claims ignored", token: hs256(t, map[string]any{
			"user_id": "user-42", "exp": inHour, "iss": "https://host.example", "aud": []string{"helpdesk"},
			"sub": "someone-else", "jti": "j1", "plan": "pro", "company": map[string]any{"id": "c1"}}),
			claims: identity.Claims{UserID: "user-42", ExpiresAt: time.Unix(inHour, 0)}},
		{name: "empty and null email and name are not given",
			token:  hs256(t, map[string]any{"user_id": "user-42", "email": "", "name": nil, "exp": inHour}),
			claims: identity.Claims{UserID: "user-42", ExpiresAt: time.Unix(inHour, 0)}},
		{name: "name trimmed", token: hs256(t, map[string]any{"user_id": "u", "name": "  Ann  ", "exp": inHour}),
			claims: identity.Claims{UserID: "u", Name: "Ann", ExpiresAt: time.Unix(inHour, 0)}},

		// No secret, no token, not a token.
		{name: "empty secret", token: valid, secret: []byte{}, want: identity.ErrNoSecret},
		{name: "nil secret", token: valid, secret: nil, want: identity.ErrNoSecret},
		{name: "empty token", token: "", want: identity.ErrMissing},
		{name: "blank token", token: " \t\n", want: identity.ErrMissing},
		{name: "garbage", token: "garbage", want: identity.ErrMalformed},
		{name: "garbage with dots", token: "a.b.c", want: identity.ErrMalformed},
		{name: "dots only", token: "..", want: identity.ErrMalformed},
		{name: "two segments", token: valid[:strings.LastIndexByte(valid, '.')], want: identity.ErrMalformed},
		{name: "four segments", token: valid + ".x", want: identity.ErrMalformed},
		{name: "header not JSON", token: segments(valid, map[int]string{0: b64("{alg")}), want: identity.ErrMalformed},
		{name: "payload not JSON", token: segments(valid, map[int]string{1: b64("[1,")}), want: identity.ErrMalformed},
		{name: "payload not base64", token: segments(valid, map[int]string{1: "!!!"}), want: identity.ErrMalformed},
		{name: "signature not base64", token: segments(valid, map[int]string{2: "***"}), want: identity.ErrMalformed},
		{name: "exp not a number", token: forged(t, hs256Header, map[string]any{"user_id": "u", "exp": "soon"}), want: identity.ErrMalformed},
		{name: "token too long", token: hs256(t, map[string]any{"user_id": "u", "exp": inHour, "pad": strings.Repeat("p", 9000)}),
			want: identity.ErrMalformed},

		// The signature.
		{name: "forged with another secret", token: signed(t, jwt.SigningMethodHS256, []byte("not-the-secret"), user),
			want: identity.ErrBadSignature},
		{name: "tampered payload", token: segments(valid, map[int]string{1: strings.Split(other, ".")[1]}),
			want: identity.ErrBadSignature},
		{name: "tampered signature", token: segments(valid, map[int]string{2: strings.Split(other, ".")[2]}),
			want: identity.ErrBadSignature},
		{name: "signature removed", token: segments(valid, map[int]string{2: ""}), want: identity.ErrBadSignature},

		// Algorithm confusion: refused on the header, even when the HS256 signature is right.
		{name: "alg none unsigned", token: signed(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, user),
			want: identity.ErrWrongAlgorithm},
		{name: "alg none with a valid HS256 signature", token: forged(t, map[string]any{"alg": "none"}, user),
			want: identity.ErrWrongAlgorithm},
		{name: "alg HS512 with the right secret", token: signed(t, jwt.SigningMethodHS512, secret, user),
			want: identity.ErrWrongAlgorithm},
		{name: "alg HS384 with the right secret", token: signed(t, jwt.SigningMethodHS384, secret, user),
			want: identity.ErrWrongAlgorithm},
		{name: "alg RS256 signed with an RSA key", token: signed(t, jwt.SigningMethodRS256, rsaKey, user),
			want: identity.ErrWrongAlgorithm},
		{name: "alg RS256 header with a valid HS256 signature", token: forged(t, map[string]any{"alg": "RS256", "typ": "JWT"}, user),
			want: identity.ErrWrongAlgorithm},
		{name: "alg ES256 signed with an EC key", token: signed(t, jwt.SigningMethodES256, ecKey, user),
			want: identity.ErrWrongAlgorithm},
		{name: "alg in lower case", token: forged(t, map[string]any{"alg": "hs256"}, user), want: identity.ErrWrongAlgorithm},
		{name: "alg unknown", token: forged(t, map[string]any{"alg": "XX999"}, user), want: identity.ErrWrongAlgorithm},
		{name: "alg missing", token: forged(t, map[string]any{"typ": "JWT"}, user), want: identity.ErrWrongAlgorithm},

		// Time, with a leeway of 60 seconds.
		{name: "expired beyond leeway", token: hs256(t, map[string]any{"user_id": "u", "exp": now.Add(-61 * time.Second).Unix()}),
			want: identity.ErrExpired},
		{name: "expired at exactly the leeway", token: hs256(t, map[string]any{"user_id": "u", "exp": now.Add(-60 * time.Second).Unix()}),
			want: identity.ErrExpired},
		{name: "expired long ago", token: hs256(t, map[string]any{"user_id": "u", "exp": 1}), want: identity.ErrExpired},
		{name: "expired within leeway accepted", token: hs256(t, map[string]any{"user_id": "u", "exp": now.Add(-59 * time.Second).Unix()}),
			claims: identity.Claims{UserID: "u", ExpiresAt: now.Add(-59 * time.Second)}},
		{name: "no exp", token: hs256(t, map[string]any{"user_id": "u"}), want: identity.ErrNoExpiry},
		{name: "null exp", token: hs256(t, map[string]any{"user_id": "u", "exp": nil}), want: identity.ErrNoExpiry},
		{name: "exp at most 24 hours ahead accepted", token: hs256(t, map[string]any{"user_id": "u", "exp": now.Add(24 * time.Hour).Unix()}),
			claims: identity.Claims{UserID: "u", ExpiresAt: now.Add(24 * time.Hour)}},
		{name: "exp more than 24 hours ahead", token: hs256(t, map[string]any{"user_id": "u", "exp": now.Add(25 * time.Hour).Unix()}),
			want: identity.ErrExpiryTooFar},
		{name: "exp in the year 9999", token: hs256(t, map[string]any{"user_id": "u", "exp": 253402300799}), want: identity.ErrExpiryTooFar},
		{name: "future nbf", token: hs256(t, map[string]any{"user_id": "u", "exp": inHour, "nbf": now.Add(2 * time.Minute).Unix()}),
			want: identity.ErrNotYetValid},
		{name: "nbf within leeway accepted", token: hs256(t, map[string]any{"user_id": "u", "exp": inHour, "nbf": now.Add(30 * time.Second).Unix()}),
			claims: identity.Claims{UserID: "u", ExpiresAt: time.Unix(inHour, 0)}},
		{name: "future iat", token: hs256(t, map[string]any{"user_id": "u", "exp": inHour, "iat": now.Add(2 * time.Minute).Unix()}),
			want: identity.ErrNotYetValid},
		{name: "iat within leeway accepted", token: hs256(t, map[string]any{"user_id": "u", "exp": inHour, "iat": now.Add(30 * time.Second).Unix()}),
			claims: identity.Claims{UserID: "u", ExpiresAt: time.Unix(inHour, 0)}},
		{name: "past iat and nbf accepted", token: hs256(t, map[string]any{"user_id": "u", "exp": inHour, "iat": now.Add(-time.Hour).Unix(), "nbf": now.Add(-time.Hour).Unix()}),
			claims: identity.Claims{UserID: "u", ExpiresAt: time.Unix(inHour, 0)}},

		// user_id.
		{name: "missing user_id", token: hs256(t, map[string]any{"email": "ann@example.com", "exp": inHour}), want: identity.ErrNoUserID},
		{name: "null user_id", token: hs256(t, map[string]any{"user_id": nil, "exp": inHour}), want: identity.ErrNoUserID},
		{name: "empty user_id", token: hs256(t, map[string]any{"user_id": "", "exp": inHour}), want: identity.ErrNoUserID},
		{name: "fractional user_id", token: hs256(t, map[string]any{"user_id": 4.5, "exp": inHour}), want: identity.ErrBadUserID},
		{name: "exponent user_id", token: hs256(t, map[string]any{"user_id": json.Number("1e3"), "exp": inHour}), want: identity.ErrBadUserID},
		{name: "boolean user_id", token: hs256(t, map[string]any{"user_id": true, "exp": inHour}), want: identity.ErrBadUserID},
		{name: "object user_id", token: hs256(t, map[string]any{"user_id": map[string]any{"id": 1}, "exp": inHour}), want: identity.ErrBadUserID},
		{name: "user_id with surrounding spaces", token: hs256(t, map[string]any{"user_id": " 42", "exp": inHour}), want: identity.ErrBadUserID},
		{name: "user_id with a control character", token: hs256(t, map[string]any{"user_id": "4\n2", "exp": inHour}), want: identity.ErrBadUserID},
		{name: "user_id too long", token: hs256(t, map[string]any{"user_id": long, "exp": inHour}), want: identity.ErrBadUserID},

		// email and name.
		{name: "bad email", token: hs256(t, map[string]any{"user_id": "u", "email": "not-an-email", "exp": inHour}), want: identity.ErrBadEmail},
		{name: "email with a display name", token: hs256(t, map[string]any{"user_id": "u", "email": "Ann <ann@example.com>", "exp": inHour}),
			want: identity.ErrBadEmail},
		{name: "email without a dotted domain", token: hs256(t, map[string]any{"user_id": "u", "email": "ann@localhost", "exp": inHour}),
			want: identity.ErrBadEmail},
		{name: "email not a string", token: hs256(t, map[string]any{"user_id": "u", "email": 42, "exp": inHour}), want: identity.ErrBadEmail},
		{name: "name not a string", token: hs256(t, map[string]any{"user_id": "u", "name": []string{"Ann"}, "exp": inHour}), want: identity.ErrBadName},
		{name: "name too long", token: hs256(t, map[string]any{"user_id": "u", "name": long, "exp": inHour}), want: identity.ErrBadName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := secret
			if tt.secret != nil || tt.want == identity.ErrNoSecret {
				key = tt.secret
			}
			got, err := identity.Verify(tt.token, key, now)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v, want accepted", err)
				}
				if !got.ExpiresAt.Equal(tt.claims.ExpiresAt) {
					t.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, tt.claims.ExpiresAt)
				}
				got.ExpiresAt = tt.claims.ExpiresAt
				if got != tt.claims {
					t.Errorf("claims = %+v, want %+v", got, tt.claims)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify: %v, want %v", err, tt.want)
			}
			if got != (identity.Claims{}) {
				t.Errorf("claims of a refused identity = %+v, want none", got)
			}
			var ie *identity.Error
			if !errors.As(err, &ie) || ie.Reason != tt.want {
				t.Errorf("error %#v: want an *identity.Error with Reason %v", err, tt.want)
			}
			noEcho(t, err, tt.token)
		})
	}
}

// noEcho fails when err repeats the token or any of its segments.
func noEcho(t *testing.T, err error, token string) {
	t.Helper()
	msg := err.Error()
	for _, part := range append(strings.Split(token, "."), token) {
		if len(part) >= 8 && strings.Contains(msg, part) {
			t.Errorf("error %q repeats the token", msg)
		}
	}
	if strings.Contains(msg, string(secret)) {
		t.Errorf("error %q repeats the secret", msg)
	}
}

// The clock is the caller's: the same token is accepted before its exp and refused after.
func TestP2_VerifyTakesTheTimeGiven(t *testing.T) {
	token := hs256(t, map[string]any{"user_id": "u", "exp": inHour})
	if _, err := identity.Verify(token, secret, now.Add(time.Hour)); err != nil {
		t.Errorf("at exp: %v, want accepted within leeway", err)
	}
	if _, err := identity.Verify(token, secret, now.Add(time.Hour+time.Minute)); !errors.Is(err, identity.ErrExpired) {
		t.Errorf("a minute after exp: %v, want %v", err, identity.ErrExpired)
	}
	if _, err := identity.Verify(token, secret, now.Add(-24*time.Hour)); !errors.Is(err, identity.ErrExpiryTooFar) {
		t.Errorf("25 hours before exp: %v, want %v", err, identity.ErrExpiryTooFar)
	}
}

func TestP2_Sign(t *testing.T) {
	c := identity.Claims{UserID: "user-42", Email: "ann@example.com", Name: "Ann", ExpiresAt: time.Unix(inHour, 0)}
	token, err := identity.Sign(c, secret)
	if err != nil {
		t.Fatal(err)
	}
	got, err := identity.Verify(token, secret, now)
	if err != nil {
		t.Fatalf("Verify(Sign(c)): %v", err)
	}
	if !got.ExpiresAt.Equal(c.ExpiresAt) || got.UserID != c.UserID || got.Email != c.Email || got.Name != c.Name {
		t.Errorf("Verify(Sign(c)) = %+v, want %+v", got, c)
	}
	header, _ := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	if !strings.Contains(string(header), `"alg":"HS256"`) {
		t.Errorf("header %s, want HS256", header)
	}

	refusals := []struct {
		name   string
		claims identity.Claims
		secret []byte
		want   error
	}{
		{"empty secret", c, nil, identity.ErrNoSecret},
		{"no user_id", identity.Claims{ExpiresAt: c.ExpiresAt}, secret, identity.ErrNoUserID},
		{"bad email", identity.Claims{UserID: "u", Email: "ann", ExpiresAt: c.ExpiresAt}, secret, identity.ErrBadEmail},
		{"no exp", identity.Claims{UserID: "u"}, secret, identity.ErrNoExpiry},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := identity.Sign(tt.claims, tt.secret); !errors.Is(err, tt.want) {
				t.Errorf("Sign: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestP2_VerifyUserHash(t *testing.T) {
	// HMAC-SHA256("user-42") keyed with secret, computed outside Go.
	const right = "8fb2f8aab1cf290358bbed3481ecd78b2677baaaddbfd5082a7c80242bdf5d31"
	if got := identity.UserHash("user-42", secret); got != right {
		t.Fatalf("UserHash = %s, want %s", got, right)
	}
	wrong := "0" + right[1:]
	tests := []struct {
		name         string
		userID, hash string
		secret       []byte
		want         error
	}{
		{"right hash", "user-42", right, secret, nil},
		{"right hash in upper case", "user-42", strings.ToUpper(right), secret, nil},
		{"right hash in mixed case", "user-42", strings.ToUpper(right[:10]) + right[10:], secret, nil},
		{"wrong hash", "user-42", wrong, secret, identity.ErrBadUserHash},
		{"another user's hash", "user-43", right, secret, identity.ErrBadUserHash},
		{"hash made with another secret", "user-42", identity.UserHash("user-42", []byte("other")), secret, identity.ErrBadUserHash},
		{"truncated hash", "user-42", right[:32], secret, identity.ErrBadUserHash},
		{"not hex", "user-42", strings.Repeat("zz", 32), secret, identity.ErrBadUserHash},
		{"odd length", "user-42", right[1:], secret, identity.ErrBadUserHash},
		{"empty hash", "user-42", "", secret, identity.ErrMissing},
		{"empty user_id", "", right, secret, identity.ErrNoUserID},
		{"user_id with surrounding spaces", " user-42", right, secret, identity.ErrBadUserID},
		{"empty secret", "user-42", right, nil, identity.ErrNoSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := identity.VerifyUserHash(tt.userID, tt.hash, tt.secret)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("VerifyUserHash: %v, want %v", err, tt.want)
			}
			if err != nil && tt.hash != "" && strings.Contains(err.Error(), tt.hash) {
				t.Errorf("error %q repeats the hash", err)
			}
		})
	}
}

func FuzzVerify(f *testing.F) {
	valid, err := identity.Sign(identity.Claims{UserID: "u", Email: "ann@example.com", Name: "Ann", ExpiresAt: now.Add(time.Hour)}, secret)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		valid, "", "garbage", "a.b.c", "..", valid + ".", strings.Replace(valid, ".", "..", 1),
		"eyJhbGciOiJub25lIn0.eyJ1c2VyX2lkIjoidSIsImV4cCI6MX0.",
		"eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxZTk5OTksImV4cCI6MWUzMDB9.AAAA",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := identity.Verify(token, secret, now)
		if err == nil {
			if c.UserID == "" || c.ExpiresAt.IsZero() {
				t.Fatalf("accepted %q with claims %+v", token, c)
			}
			return
		}
		var ie *identity.Error
		if !errors.As(err, &ie) || ie.Reason == nil {
			t.Fatalf("error %v is not an *identity.Error with a reason", err)
		}
		if c != (identity.Claims{}) {
			t.Fatalf("claims %+v returned with error %v", c, err)
		}
		// Only token-shaped inputs: a short or dotless one may be a word of the message itself.
		if tok := strings.TrimSpace(token); len(tok) >= 24 && strings.Count(tok, ".") >= 2 && strings.Contains(err.Error(), tok) {
			t.Fatalf("error %q repeats the token", err)
		}
	})
}
