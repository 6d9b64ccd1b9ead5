// Package identity tells who the host product says its user is (SPEC P2, M1): the Messenger and the
// tickets portal sign a user in only with an identity the host product signed with the workspace's
// identity secret. Nothing else in it is trusted, and a refused identity creates nothing.
//
// The host product signs a JWT on its server, never in the browser, since the secret must not leak:
//
//	header  {"alg": "HS256", "typ": "JWT"}
//	payload {"user_id": "42", "email": "ann@example.com", "name": "Ann", "exp": 1767225600}
//
// The rules, as [Verify] applies them:
//
//   - Only HS256. A token whose header names any other algorithm (none, HS384, HS512, RS256, ES256,
//     ...) is refused before any key is looked at, so that a public key or an empty signature can
//     never stand in for the shared secret (algorithm confusion).
//   - user_id is required: a non-empty string, or a JSON integer taken as its decimal string
//     (42 and "42" are the same user). It is matched later to the contact's external_id, so it
//     obeys the same rules: at most 255 bytes, no surrounding spaces, no control characters.
//   - email and name are optional; an absent, null or empty one means "not given". An email must
//     be a plain address (the rules of the contacts API); a name is trimmed and at most 255 bytes.
//   - exp is required, and may lie at most [MaxLifetime] (24 hours) ahead. A token without exp
//     would be a credential that works forever: a portal link copied into a ticket, a log or a
//     browser history would sign its holder in as that user for good. The Messenger loses nothing
//     by it, since the host product signs afresh on each page load, and a day is far longer than
//     the time between rendering a page and following its portal link.
//   - The clocks of the host and of Helpdesk may differ by up to [Leeway] (60 seconds): a token is
//     accepted until exp+Leeway, and a token whose nbf or iat lies more than Leeway ahead is
//     refused as not yet valid.
//   - Other claims (iss, aud, sub, jti, the host's own) are ignored.
//   - The time is the caller's now, from its injectable clock, never time.Now.
//
// Intercom's legacy identity verification, an HMAC-SHA256 of the user_id in hex ("user_hash"), is
// checked by [VerifyUserHash]. A workspace with no identity secret refuses every identity
// ([ErrNoSecret]): the Messenger and the portal then sign no one in.
//
// Every refusal is an [*Error] whose Reason is one of the Err* values, whose text can be shown to
// the user or the host's developer as it is. No error ever repeats the token or the secret.
package identity

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"

	"github.com/golang-jwt/jwt/v5"
)

const (
	// Leeway is the clock difference tolerated between the host product and Helpdesk.
	Leeway = 60 * time.Second
	// MaxLifetime is how far ahead of now a token's exp may lie.
	MaxLifetime = 24 * time.Hour
	// maxTokenLen bounds the work done for a token before its signature is checked; a real one is
	// a few hundred bytes.
	maxTokenLen = 8 << 10
	// Limits shared with the contacts API, so that a verified identity always fits a contact.
	maxEmail     = 254
	maxShortText = 255
)

// Claims is what a verified identity says about the user.
type Claims struct {
	UserID    string    // never empty; matched to the contact's external_id
	Email     string    // empty when not given
	Name      string    // empty when not given
	ExpiresAt time.Time // when the identity stops being accepted (before Leeway)
}

// payload is the JWT body as the host product sends it. The optional members are kept raw so that
// a wrong type gets its own clear refusal instead of a generic "malformed".
type payload struct {
	UserID json.RawMessage `json:"user_id"`
	Email  json.RawMessage `json:"email"`
	Name   json.RawMessage `json:"name"`
	jwt.RegisteredClaims
}

// Verify checks a JWT signed by the host product with the workspace's identity secret and returns
// the user it names. now is the time to judge exp, nbf and iat by.
func Verify(token string, secret []byte, now time.Time) (Claims, error) {
	if len(secret) == 0 {
		return Claims{}, refuse(ErrNoSecret, "")
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return Claims{}, refuse(ErrMissing, "")
	}
	if len(token) > maxTokenLen {
		return Claims{}, refuse(ErrMalformed, fmt.Sprintf("%d bytes, more than %d", len(token), maxTokenLen))
	}

	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithStrictDecoding(), // one encoding per signature: no malleable trailing bits
		jwt.WithTimeFunc(func() time.Time { return now }),
		jwt.WithLeeway(Leeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	)
	var p payload
	parsed, err := parser.ParseWithClaims(token, &p, func(t *jwt.Token) (any, error) {
		// WithValidMethods has already refused the rest; this says it again where the key is given.
		if t.Method != jwt.SigningMethodHS256 {
			return nil, errors.New("not HS256")
		}
		return secret, nil
	})
	if err != nil {
		return Claims{}, parseError(parsed, err)
	}

	exp := p.ExpiresAt.Time // present: WithExpirationRequired
	if exp.Sub(now) > MaxLifetime+Leeway {
		return Claims{}, refuse(ErrExpiryTooFar, fmt.Sprintf("exp is %s ahead", exp.Sub(now).Round(time.Second)))
	}
	c := Claims{ExpiresAt: exp}
	if c.UserID, err = userID(p.UserID); err != nil {
		return Claims{}, err
	}
	if c.Email, err = optionalString(p.Email, ErrBadEmail); err != nil {
		return Claims{}, err
	}
	if c.Name, err = optionalString(p.Name, ErrBadName); err != nil {
		return Claims{}, err
	}
	if err := checkEmail(c.Email); err != nil {
		return Claims{}, err
	}
	c.Name = strings.TrimSpace(c.Name)
	if err := checkName(c.Name); err != nil {
		return Claims{}, err
	}
	return c, nil
}

// parseError turns the JWT library's refusal into ours. The library's text goes into the detail
// only: it names what failed, never the token.
func parseError(t *jwt.Token, err error) error {
	detail := err.Error()
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return refuse(ErrMalformed, detail)
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		// No alg, an alg the library does not know, or one the key function refused.
		return refuse(ErrWrongAlgorithm, detail)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		if t != nil && t.Method != jwt.SigningMethodHS256 {
			return refuse(ErrWrongAlgorithm, detail)
		}
		return refuse(ErrBadSignature, "")
	// The claims are judged only once the signature holds; the first rule broken is reported.
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return refuse(ErrNoExpiry, "")
	case errors.Is(err, jwt.ErrTokenExpired):
		return refuse(ErrExpired, detail)
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return refuse(ErrNotYetValid, detail)
	}
	return refuse(ErrMalformed, detail)
}

// userID reads user_id: a string, or a JSON integer kept as the decimal digits the host sent.
func userID(raw json.RawMessage) (string, error) {
	s := string(raw)
	switch {
	case s == "" || s == "null":
		return "", refuse(ErrNoUserID, "")
	case s[0] == '"':
		var id string
		if err := json.Unmarshal(raw, &id); err != nil {
			return "", refuse(ErrBadUserID, "not a string")
		}
		return id, checkUserID(id)
	case s[0] == '-' || (s[0] >= '0' && s[0] <= '9'):
		// Valid JSON already: a number without fraction or exponent is an integer literal.
		if strings.ContainsAny(s, ".eE") {
			return "", refuse(ErrBadUserID, "a number that is not an integer")
		}
		return s, checkUserID(s)
	}
	return "", refuse(ErrBadUserID, "neither a string nor an integer")
}

// checkUserID holds user_id to the rules of a contact's external_id.
func checkUserID(id string) error {
	switch {
	case id == "":
		return refuse(ErrNoUserID, "")
	case len(id) > maxShortText:
		return refuse(ErrBadUserID, fmt.Sprintf("%d bytes, more than %d", len(id), maxShortText))
	case strings.TrimSpace(id) != id || hasControl(id):
		return refuse(ErrBadUserID, "surrounding spaces or control characters")
	}
	return nil
}

// optionalString reads email or name: absent and null are "not given"; anything but a string is
// refused with reason.
func optionalString(raw json.RawMessage, reason error) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", refuse(reason, "not a string")
	}
	return s, nil
}

// checkEmail accepts "" (not given) or a plain address with one @ and a dotted domain, as the
// contacts API does.
func checkEmail(s string) error {
	if s == "" {
		return nil
	}
	bad := len(s) > maxEmail || strings.Count(s, "@") != 1 || hasControl(s) || strings.ContainsAny(s, " \t")
	if !bad {
		a, err := mail.ParseAddress(s)
		bad = err != nil || a.Address != s || a.Name != ""
	}
	if !bad {
		domain := s[strings.IndexByte(s, '@')+1:]
		bad = !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
			strings.Contains(domain, "..")
	}
	if bad {
		return refuse(ErrBadEmail, "")
	}
	return nil
}

func checkName(s string) error {
	if len(s) > maxShortText {
		return refuse(ErrBadName, fmt.Sprintf("%d bytes, more than %d", len(s), maxShortText))
	}
	return nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}

// Sign returns the token a host product would send for c: HS256 with the workspace's identity
// secret. It is the reference for the documentation's example and the tests' way to sign users in;
// Helpdesk itself never signs identities in production. It refuses what Verify would refuse
// whatever the time: no secret, a bad user_id, email or name, no ExpiresAt.
func Sign(c Claims, secret []byte) (string, error) {
	if len(secret) == 0 {
		return "", refuse(ErrNoSecret, "")
	}
	if err := checkUserID(c.UserID); err != nil {
		return "", err
	}
	if err := checkEmail(c.Email); err != nil {
		return "", err
	}
	if err := checkName(strings.TrimSpace(c.Name)); err != nil {
		return "", err
	}
	if c.ExpiresAt.IsZero() {
		return "", refuse(ErrNoExpiry, "")
	}
	body := jwt.MapClaims{"user_id": c.UserID, "exp": jwt.NewNumericDate(c.ExpiresAt)}
	if c.Email != "" {
		body["email"] = c.Email
	}
	if c.Name != "" {
		body["name"] = c.Name
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, body).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("identity: sign: %w", err)
	}
	return s, nil
}
