package identity

import "errors"

// The reasons an identity is refused. Their text is written for the person who sees the refusal
// (the user, or the host product's developer reading the Messenger's console) and can be shown as
// it is; pick among them with errors.Is.
var (
	ErrNoSecret       = errors.New("identity verification is not set up: the workspace has no identity secret")
	ErrMissing        = errors.New("no identity was given")
	ErrMalformed      = errors.New("the identity token is not a well-formed JWT")
	ErrWrongAlgorithm = errors.New("the identity token must be signed with HS256")
	ErrBadSignature   = errors.New("the identity signature does not match the workspace's identity secret")
	ErrExpired        = errors.New("the identity token has expired")
	ErrNotYetValid    = errors.New("the identity token is not valid yet (nbf or iat in the future)")
	ErrNoExpiry       = errors.New("the identity token has no exp (expiry) claim")
	ErrExpiryTooFar   = errors.New("the identity token's exp is too far ahead: at most 24 hours")
	ErrNoUserID       = errors.New("the identity has no user_id")
	ErrBadUserID      = errors.New("the identity's user_id must be a string or an integer of at most 255 characters, without surrounding spaces or control characters")
	ErrBadEmail       = errors.New("the identity's email is not a valid email address")
	ErrBadName        = errors.New("the identity's name must be a string of at most 255 characters")
	ErrBadUserHash    = errors.New("the user_hash does not match the user_id")
)

// Error is a refused identity. Reason is one of the Err* values above, safe to show; the detail,
// for logs, says what exactly failed and never holds the token, the hash or the secret.
type Error struct {
	Reason error
	detail string
}

func refuse(reason error, detail string) *Error {
	return &Error{Reason: reason, detail: detail}
}

func (e *Error) Error() string {
	if e.detail == "" {
		return "identity: " + e.Reason.Error()
	}
	return "identity: " + e.Reason.Error() + " (" + e.detail + ")"
}

// Unwrap lets errors.Is(err, ErrExpired) and the like work.
func (e *Error) Unwrap() error { return e.Reason }
