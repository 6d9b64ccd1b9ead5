package desk

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/auth"
	"github.com/helpdesk/helpdesk/internal/store"
)

// TeammateSessionLength is how long a teammate stays signed in to the Inbox.
const TeammateSessionLength = 12 * time.Hour

// teammateSessionPrefix marks Inbox session tokens, as hd_ marks API tokens and hdc_ customer
// sessions.
const teammateSessionPrefix = "hdt_"

// ErrBadCredentials is a sign-in whose email or password is wrong; which one is not said.
var ErrBadCredentials = errors.New("the email or password is not right")

// dummyHash is checked against when no teammate has the email, so that a wrong email takes as
// long as a wrong password and does not tell which emails exist.
var dummyHash, _ = auth.HashPassword("no one has this password")

// SignInTeammate checks a teammate's email and password and opens an Inbox session.
func (d *Desk) SignInTeammate(ctx context.Context, email, password string) (Session, store.Admin, error) {
	admin, err := d.db.Read().AdminByEmail(ctx, strings.TrimSpace(email))
	if errors.Is(err, store.ErrNotFound) {
		_ = auth.CheckPassword(dummyHash, password)
		return Session{}, admin, ErrBadCredentials
	}
	if err != nil {
		return Session{}, admin, err
	}
	if err := auth.CheckPassword(admin.PasswordHash, password); err != nil {
		return Session{}, admin, ErrBadCredentials
	}
	now := d.clock.Now()
	token := teammateSessionPrefix + auth.RandomString(32)
	s := Session{Token: token, ExpiresAt: now.Add(TeammateSessionLength)}
	err = d.db.Tx(ctx, func(tx *store.Tx) error {
		return tx.CreateAdminSession(ctx, auth.HashToken(token), admin.ID, now, s.ExpiresAt)
	})
	return s, admin, err
}

// TeammateSession returns the teammate signed in with an Inbox session token; store.ErrNotFound
// when the token is unknown or its session has ended.
func (d *Desk) TeammateSession(ctx context.Context, token string) (store.Admin, error) {
	if !strings.HasPrefix(token, teammateSessionPrefix) {
		return store.Admin{}, store.ErrNotFound
	}
	return d.db.Read().AdminBySession(ctx, auth.HashToken(token), d.clock.Now())
}

// SignOutTeammate ends an Inbox session.
func (d *Desk) SignOutTeammate(ctx context.Context, token string) error {
	return d.db.Tx(ctx, func(tx *store.Tx) error { return tx.DeleteAdminSession(ctx, auth.HashToken(token)) })
}
