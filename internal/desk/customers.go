package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/auth"
	"github.com/helpdesk/helpdesk/internal/identity"
	"github.com/helpdesk/helpdesk/internal/store"
)

// Session is a customer signed in by their product's identity (M1, P2). Token is handed to the
// browser once; the store keeps only its hash.
type Session struct {
	Token     string
	ContactID int64
	ExpiresAt time.Time
}

// sessionPrefix marks customer session tokens, as hd_ marks API tokens, so that one is never
// mistaken for the other in a log or a leak report.
const sessionPrefix = "hdc_"

// IdentityConflictError says that a verified identity cannot be matched to one contact.
type IdentityConflictError struct{ Message string }

func (e *IdentityConflictError) Error() string { return e.Message }

// SignIn opens a session for the user a verified identity names: the contact whose external_id
// is its user_id, else the contact with its email (which takes the user_id), else a new user.
// The identity's email and name, when given, update the contact's. The session ends when the
// identity does (exp honoured). Everything happens in one transaction: a refusal creates nothing.
func (d *Desk) SignIn(ctx context.Context, c identity.Claims) (Session, error) {
	now := d.clock.Now()
	if !c.ExpiresAt.After(now) {
		return Session{}, &IdentityConflictError{Message: "the identity has expired"}
	}
	token := sessionPrefix + auth.RandomString(32)
	s := Session{Token: token, ExpiresAt: c.ExpiresAt}
	err := d.db.Tx(ctx, func(tx *store.Tx) error {
		contact, err := d.contactFor(ctx, tx, c, now)
		if err != nil {
			return err
		}
		s.ContactID = contact.ID
		return tx.CreateCustomerSession(ctx, auth.HashToken(token), contact.ID, now, s.ExpiresAt)
	})
	return s, err
}

// contactFor finds or makes the contact of an identity, inside tx.
func (d *Desk) contactFor(ctx context.Context, tx *store.Tx, c identity.Claims, now time.Time) (store.Contact, error) {
	contact, err := tx.ContactByExternalID(ctx, c.UserID)
	switch {
	case err == nil:
	case !errors.Is(err, store.ErrNotFound):
		return contact, err
	case c.Email != "":
		contact, err = tx.ContactByEmail(ctx, c.Email)
		if errors.Is(err, store.ErrNotFound) {
			return d.newUser(ctx, tx, c, now)
		}
		if err != nil {
			return contact, err
		}
		if contact.ExternalID.Valid && contact.ExternalID.String != c.UserID {
			return contact, &IdentityConflictError{Message: fmt.Sprintf("the email %s belongs to another user", c.Email)}
		}
		contact.ExternalID.String, contact.ExternalID.Valid = c.UserID, true
		contact.Role = "user"
	default:
		return d.newUser(ctx, tx, c, now)
	}
	changed := false
	if c.Email != "" && !strings.EqualFold(contact.Email, c.Email) {
		contact.Email, changed = c.Email, true
	}
	if c.Name != "" && contact.Name.String != c.Name {
		contact.Name.String, contact.Name.Valid, changed = c.Name, true, true
	}
	if !changed && contact.Role == "user" && contact.ExternalID.String == c.UserID && contact.ExternalID.Valid {
		return contact, nil
	}
	contact.UpdatedAt = now
	err = tx.UpdateContact(ctx, &contact)
	if errors.Is(err, store.ErrConflict) {
		return contact, &IdentityConflictError{Message: fmt.Sprintf("the email %s belongs to another user", c.Email)}
	}
	return contact, err
}

func (d *Desk) newUser(ctx context.Context, tx *store.Tx, c identity.Claims, now time.Time) (store.Contact, error) {
	contact := store.Contact{Role: "user", Email: c.Email, CreatedAt: now, UpdatedAt: now}
	contact.ExternalID.String, contact.ExternalID.Valid = c.UserID, true
	if c.Name != "" {
		contact.Name.String, contact.Name.Valid = c.Name, true
	}
	err := tx.CreateContact(ctx, &contact)
	if errors.Is(err, store.ErrConflict) {
		return contact, &IdentityConflictError{Message: "another user already has this email or user_id"}
	}
	return contact, err
}

// CustomerSession returns the contact signed in with a session token; store.ErrNotFound when
// the token is unknown or its session has ended.
func (d *Desk) CustomerSession(ctx context.Context, token string) (int64, error) {
	if !strings.HasPrefix(token, sessionPrefix) {
		return 0, store.ErrNotFound
	}
	id, _, err := d.db.Read().CustomerSession(ctx, auth.HashToken(token), d.clock.Now())
	return id, err
}

// SignOut ends a customer session, in the Messenger and the portal alike.
func (d *Desk) SignOut(ctx context.Context, token string) error {
	return d.db.Tx(ctx, func(tx *store.Tx) error { return tx.DeleteCustomerSession(ctx, auth.HashToken(token)) })
}

// MarkSeen records that a contact has seen thread id up to its newest visible part, now (M3);
// this clears the thread from the badge and holds back the emails of the replies seen (N2).
func (d *Desk) MarkSeen(ctx context.Context, contactID, id int64) error {
	last, err := d.db.Read().LastVisiblePart(ctx, id)
	if err != nil || last == 0 {
		return err
	}
	return d.db.Tx(ctx, func(tx *store.Tx) error {
		return tx.MarkSeen(ctx, contactID, id, last, d.clock.Now())
	})
}

// IdentitySecretSetting is the workspace setting holding the identity secret, used when
// HELPDESK_IDENTITY_SECRET is not set.
const IdentitySecretSetting = "identity_secret"

// UserHashSessionLength is how long a session signed in by the legacy user_hash lasts: the
// hash never expires, so the session must.
const UserHashSessionLength = 12 * time.Hour

// identitySecret is the operator's secret (HELPDESK_IDENTITY_SECRET) or else the workspace's.
func (d *Desk) identitySecret(ctx context.Context, configured string) ([]byte, error) {
	if configured != "" {
		return []byte(configured), nil
	}
	s, err := d.db.Read().Setting(ctx, IdentitySecretSetting)
	return []byte(s), err
}

// SignInWithJWT verifies a host product's identity token (P2, M1) and opens a session for its
// user. configuredSecret is HELPDESK_IDENTITY_SECRET (empty: the workspace setting). A refused
// identity is an *identity.Error and creates nothing.
func (d *Desk) SignInWithJWT(ctx context.Context, token, configuredSecret string) (Session, error) {
	secret, err := d.identitySecret(ctx, configuredSecret)
	if err != nil {
		return Session{}, err
	}
	claims, err := identity.Verify(token, secret, d.clock.Now())
	if err != nil {
		return Session{}, err
	}
	return d.SignIn(ctx, claims)
}

// SignInWithUserHash verifies Intercom's legacy identity, an HMAC-SHA256 of the user_id (P2),
// and opens a session of UserHashSessionLength for the user. The hash signs the user_id only,
// so nothing else the browser says (an email, a name) is taken from it.
func (d *Desk) SignInWithUserHash(ctx context.Context, userID, userHash, configuredSecret string) (Session, error) {
	secret, err := d.identitySecret(ctx, configuredSecret)
	if err != nil {
		return Session{}, err
	}
	if err := identity.VerifyUserHash(userID, userHash, secret); err != nil {
		return Session{}, err
	}
	return d.SignIn(ctx, identity.Claims{UserID: userID, ExpiresAt: d.clock.Now().Add(UserHashSessionLength)})
}

// ErrEmailTaken says that an email's Message-ID was recorded already: the message was taken
// before (a redelivery), and nothing was written now.
var ErrEmailTaken = errors.New("desk: this email was taken already")

// ContactReplyByEmail adds a customer's emailed reply to a conversation or ticket (E2), as
// ContactReply or ContactReplyTicket would, recording the email's Message-ID in the same
// transaction: a crash cannot leave the comment without the record, and a redelivered email is
// ErrEmailTaken and writes nothing.
func (d *Desk) ContactReplyByEmail(ctx context.Context, id, contactID int64, isTicket bool, body, messageID string) error {
	record := func(tx *store.Tx) error {
		added, err := tx.AddEmailMessage(ctx, messageID, contactID, id, true, d.clock.Now())
		if err == nil && !added {
			err = ErrEmailTaken
		}
		return err
	}
	var err error
	if isTicket {
		_, err = d.contactReplyTicket(ctx, id, contactID, body, record)
	} else {
		_, err = d.contactReply(ctx, id, contactID, body, record)
	}
	return err
}
