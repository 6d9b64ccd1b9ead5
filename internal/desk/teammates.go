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
	// A deactivated teammate, and one reactivated but not yet given a new password, is refused
	// as a wrong password is, after as long a check: the answer does not tell who left.
	hash, usable := admin.PasswordHash, admin.Active() && strings.HasPrefix(admin.PasswordHash, "$argon2id$")
	if !usable {
		hash = dummyHash
	}
	if err := auth.CheckPassword(hash, password); err != nil || !usable {
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
// when the token is unknown, its session has ended or its teammate was deactivated.
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

// DeactivateTeammate deactivates a teammate who left. by must be an owner or admin, only an
// owner deactivates an owner, nobody deactivates themselves, and the workspace keeps at least
// one active owner. In one transaction the teammate is marked deactivated and loses their
// password, their Inbox sessions and API tokens are deleted (the API trusts a token it has
// checked for a few seconds, so a token stops working everywhere within that time), and they
// leave every team. What is assigned to them stays so: taking it away silently would skip the
// assignment events everyone relies on (CV3); the settings page tells how much they hold, for
// someone to reassign it. Deactivating a deactivated teammate changes nothing.
func (d *Desk) DeactivateTeammate(ctx context.Context, by store.Admin, adminID int64) error {
	if err := MayChangeSettings(by); err != nil {
		return err
	}
	if adminID == by.ID {
		return fieldErr("teammate", "you cannot deactivate yourself; another owner or admin can")
	}
	return d.db.Tx(ctx, func(tx *store.Tx) error {
		owners, err := tx.LockActiveOwners(ctx)
		if err != nil {
			return err
		}
		me, err := d.activeManager(ctx, tx, by)
		if err != nil {
			return err
		}
		a, err := tx.Admin(ctx, adminID)
		if err != nil {
			return notFound(err, "Admin")
		}
		switch {
		case !MayManageTeammate(me, a):
			return fieldErr("teammate", "only an owner can deactivate an owner")
		case !a.Active():
			return nil
		case a.Role == store.RoleOwner && owners <= 1:
			return fieldErr("teammate", "%s is the only owner; make someone else an owner first", a.Name)
		}
		if err := tx.DeactivateAdmin(ctx, adminID, d.clock.Now()); err != nil {
			return err
		}
		if err := tx.DeleteAdminSessionsOf(ctx, adminID, nil); err != nil {
			return err
		}
		if err := tx.DeleteAdminTokensOf(ctx, adminID); err != nil {
			return err
		}
		return tx.RemoveAdminFromTeams(ctx, adminID)
	})
}

// ReactivateTeammate makes a deactivated teammate active again. by must be an owner or admin,
// and only an owner reactivates an owner. Nothing they lost comes back: they have no password
// (someone sets one for them), no API tokens and no teams. Reactivating an active teammate
// changes nothing.
func (d *Desk) ReactivateTeammate(ctx context.Context, by store.Admin, adminID int64) error {
	if err := MayChangeSettings(by); err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *store.Tx) error {
		me, err := d.activeManager(ctx, tx, by)
		if err != nil {
			return err
		}
		a, err := tx.Admin(ctx, adminID)
		if err != nil {
			return notFound(err, "Admin")
		}
		switch {
		case !MayManageTeammate(me, a):
			return fieldErr("teammate", "only an owner can reactivate an owner")
		case a.Active():
			return nil
		}
		return tx.ReactivateAdmin(ctx, adminID)
	})
}

// activeManager reads by again inside the transaction: a teammate deactivated, or demoted,
// since their request began may no longer change teammates.
func (d *Desk) activeManager(ctx context.Context, tx *store.Tx, by store.Admin) (store.Admin, error) {
	me, err := tx.Admin(ctx, by.ID)
	if errors.Is(err, store.ErrNotFound) {
		return me, ErrSettingsRefused
	}
	if err != nil {
		return me, err
	}
	if !me.Active() {
		return me, ErrSettingsRefused
	}
	return me, MayChangeSettings(me)
}

// refuseDeactivated refuses a change to a deactivated teammate other than reactivating them.
func refuseDeactivated(a store.Admin, field string) error {
	if a.Active() {
		return nil
	}
	return fieldErr(field, "%s is deactivated; reactivate them first", a.Name)
}
