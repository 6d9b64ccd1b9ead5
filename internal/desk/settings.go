package desk

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/helpdesk/helpdesk/internal/auth"
	"github.com/helpdesk/helpdesk/internal/delivery"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// The workspace's settings, as teammates change them in the Inbox: ticket types and their
// attributes (TT1, TT2, TT4), teammates and teams, API tokens, and the Messenger (E1, M1, P2).
// The rules of ticket types are package ticket's; these operations load, apply and store.

// ErrSettingsRefused is a change to the settings by a teammate whose role does not allow it.
var ErrSettingsRefused = errors.New("only owners and admins can change settings")

// MayChangeSettings tells whether a teammate may change the workspace's settings: owners and
// admins may; agents only look (and revoke their own API tokens).
func MayChangeSettings(a store.Admin) error {
	if a.Role == store.RoleOwner || a.Role == store.RoleAdmin {
		return nil
	}
	return ErrSettingsRefused
}

// FieldError is a refused setting, naming the field of the form or request that is wrong.
// Conflict marks a name or email that is already taken.
type FieldError struct {
	Field    string
	Message  string
	Conflict bool
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

func conflictErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...), Conflict: true}
}

// checkText refuses text that no database can store as it is: NUL characters, which
// PostgreSQL refuses, and bytes that are not UTF-8. fields are pairs of a field name and its
// value.
func checkText(fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if v := fields[i+1]; strings.ContainsRune(v, 0) || !utf8.ValidString(v) {
			return fieldErr(fields[i], "must be text without NUL characters")
		}
	}
	return nil
}

// CreateTicketType checks a new type (ticket.NewType: TT1, TT4) and stores it with the default
// attributes (TT3). internal is Intercom's is_internal, nil for the category's default.
func (d *Desk) CreateTicketType(ctx context.Context, name, description, icon string, category ticket.Category, internal *bool) (ticket.Type, error) {
	if err := checkText("name", name, "description", description, "icon", icon, "category", string(category)); err != nil {
		return ticket.Type{}, err
	}
	typ, err := ticket.NewType(name, description, icon, category, internal, d.clock.Now())
	if err != nil {
		return typ, err
	}
	err = d.db.Tx(ctx, func(tx *store.Tx) error { return tx.CreateTicketType(ctx, &typ) })
	if errors.Is(err, store.ErrConflict) {
		return typ, conflictErr("name", "a ticket type named %q already exists", typ.Name)
	}
	return typ, err
}

// UpdateTicketType changes a type's own fields (ticket.Type.Update: the category is fixed once
// the type has tickets, TT4 applies again on a change of category) and returns it as stored.
func (d *Desk) UpdateTicketType(ctx context.Context, id int64, c ticket.TypeChange) (ticket.Type, error) {
	var typ ticket.Type
	if err := checkText("name", deref(c.Name), "description", deref(c.Description), "icon", deref(c.Icon)); err != nil {
		return typ, err
	}
	err := d.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		if typ, err = tx.TicketType(ctx, id); err != nil {
			return notFound(err, "Ticket type")
		}
		hasTickets := false
		if c.Category != nil && *c.Category != typ.Category {
			if hasTickets, err = tx.TicketTypeHasTickets(ctx, id); err != nil {
				return err
			}
		}
		if err := typ.Update(c, hasTickets, d.clock.Now()); err != nil {
			return err
		}
		tx.ChangedEverything() // IN5: its name and icon show on every page of its tickets
		err = tx.UpdateTicketType(ctx, typ)
		if errors.Is(err, store.ErrConflict) {
			return conflictErr("name", "a ticket type named %q already exists", typ.Name)
		}
		return err
	})
	return typ, err
}

// AddTicketAttribute adds a custom attribute after the type's others (ticket.Type.AddAttribute,
// TT2) and returns it as stored.
func (d *Desk) AddTicketAttribute(ctx context.Context, typeID int64, a ticket.Attribute) (ticket.Attribute, error) {
	if err := checkText("name", a.Name, "description", a.Description, "data_type", string(a.DataType),
		"list_items", strings.Join(a.ListItems, ",")); err != nil {
		return a, err
	}
	err := d.db.Tx(ctx, func(tx *store.Tx) error {
		typ, err := tx.TicketType(ctx, typeID)
		if err != nil {
			return notFound(err, "Ticket type")
		}
		if a, err = typ.AddAttribute(a, d.clock.Now()); err != nil {
			return err
		}
		tx.ChangedEverything() // IN5: the type's tickets show it
		err = tx.CreateTicketAttribute(ctx, typeID, &a)
		if errors.Is(err, store.ErrConflict) {
			return conflictErr("name", "the ticket type already has an attribute named %q", a.Name)
		}
		return err
	})
	return a, err
}

// ChangeTicketAttribute changes an attribute's definition (ticket.Type.ChangeAttribute: edit,
// archive, reorder; TT2) and returns every attribute it changed, the one asked for first.
func (d *Desk) ChangeTicketAttribute(ctx context.Context, typeID, attrID int64, c ticket.AttributeChange) ([]ticket.Attribute, error) {
	if err := checkText("name", deref(c.Name), "description", deref(c.Description), "list_items", strings.Join(c.ListItems, ",")); err != nil {
		return nil, err
	}
	var changed []ticket.Attribute
	err := d.db.Tx(ctx, func(tx *store.Tx) error {
		typ, err := tx.TicketType(ctx, typeID)
		if err != nil {
			return notFound(err, "Ticket type")
		}
		changed, err = typ.ChangeAttribute(attrID, c, d.clock.Now())
		if errors.Is(err, ticket.ErrNoAttribute) {
			return &NotFoundError{What: "Ticket type attribute"}
		}
		if err != nil {
			return err
		}
		tx.ChangedEverything() // IN5: the type's tickets show them
		for _, a := range changed {
			err := tx.UpdateTicketAttribute(ctx, a)
			if errors.Is(err, store.ErrConflict) {
				return conflictErr("name", "the ticket type already has an attribute named %q", a.Name)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return changed, err
}

// MinPasswordLength is the shortest password a teammate may be given.
const MinPasswordLength = 8

// NewTeammate is a teammate to add, with an initial password they sign in with.
type NewTeammate struct {
	Email, Name, Role, Password string
}

// AddTeammate adds a teammate with a hashed password. by is the teammate adding them: owners
// and admins may add teammates, and only an owner may add another owner.
func (d *Desk) AddTeammate(ctx context.Context, by store.Admin, n NewTeammate) (store.Admin, error) {
	if err := MayChangeSettings(by); err != nil {
		return store.Admin{}, err
	}
	email, name := strings.TrimSpace(n.Email), strings.TrimSpace(n.Name)
	if err := checkText("email", email, "name", name, "password", n.Password); err != nil {
		return store.Admin{}, err
	}
	if a, err := netmail.ParseAddress(email); err != nil || a.Address != email || a.Name != "" {
		return store.Admin{}, fieldErr("email", "must be an email address, such as mia@example.com")
	}
	switch {
	case name == "":
		return store.Admin{}, fieldErr("name", "must not be blank")
	case utf8.RuneCountInString(name) > 255:
		return store.Admin{}, fieldErr("name", "must be at most 255 characters")
	case n.Role != store.RoleOwner && n.Role != store.RoleAdmin && n.Role != store.RoleAgent:
		return store.Admin{}, fieldErr("role", "must be owner, admin or agent")
	case n.Role == store.RoleOwner && by.Role != store.RoleOwner:
		return store.Admin{}, fieldErr("role", "only an owner can add another owner")
	case utf8.RuneCountInString(n.Password) < MinPasswordLength:
		return store.Admin{}, fieldErr("password", "must have at least %d characters", MinPasswordLength)
	}
	hash, err := auth.HashPassword(n.Password)
	if err != nil {
		return store.Admin{}, err
	}
	a := store.Admin{Email: email, Name: name, Role: n.Role, PasswordHash: hash, CreatedAt: d.clock.Now()}
	err = d.db.Tx(ctx, func(tx *store.Tx) error { return tx.CreateAdmin(ctx, &a) })
	if errors.Is(err, store.ErrConflict) {
		return a, conflictErr("email", "a teammate with email %s already exists", email)
	}
	return a, err
}

// CreateTeam adds a team; names are unique, ignoring case.
func (d *Desk) CreateTeam(ctx context.Context, name string) (store.Team, error) {
	name, err := checkTeamName(name)
	t := store.Team{Name: name, CreatedAt: d.clock.Now()}
	if err != nil {
		return t, err
	}
	err = d.db.Tx(ctx, func(tx *store.Tx) error {
		tx.ChangedEverything() // IN5: a view of its own, a choice in every assignment
		return tx.CreateTeam(ctx, &t)
	})
	if errors.Is(err, store.ErrConflict) {
		return t, conflictErr("name", "a team named %q already exists", t.Name)
	}
	return t, err
}

// AddTeamMember puts a teammate in a team; a deactivated teammate is refused.
func (d *Desk) AddTeamMember(ctx context.Context, teamID, adminID int64) error {
	return d.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Team(ctx, teamID); err != nil {
			return notFound(err, "Team")
		}
		a, err := tx.Admin(ctx, adminID)
		if err != nil {
			return notFound(err, "Admin")
		}
		if err := refuseDeactivated(a, "admin_id"); err != nil {
			return err
		}
		return tx.AddTeamMember(ctx, teamID, adminID)
	})
}

// RemoveTeamMember takes a teammate out of a team. What is assigned to the team stays so.
func (d *Desk) RemoveTeamMember(ctx context.Context, teamID, adminID int64) error {
	return d.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Team(ctx, teamID); err != nil {
			return notFound(err, "Team")
		}
		return tx.RemoveTeamMember(ctx, teamID, adminID)
	})
}

// checkTeamName tidies and checks a team's name.
func checkTeamName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if err := checkText("name", name); err != nil {
		return name, err
	}
	switch {
	case name == "":
		return name, fieldErr("name", "must not be blank")
	case utf8.RuneCountInString(name) > 255:
		return name, fieldErr("name", "must be at most 255 characters")
	}
	return name, nil
}

// RenameTeam changes a team's name; names are unique, ignoring case. What is assigned to the
// team stays so, and its history shows the new name.
func (d *Desk) RenameTeam(ctx context.Context, teamID int64, name string) error {
	name, err := checkTeamName(name)
	if err != nil {
		return err
	}
	err = d.db.Tx(ctx, func(tx *store.Tx) error {
		tx.ChangedEverything() // IN5: its name shows in views, assignments and timelines
		return tx.RenameTeam(ctx, teamID, name)
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		return conflictErr("name", "a team named %q already exists", name)
	case errors.Is(err, store.ErrNotFound):
		return notFound(err, "Team")
	}
	return err
}

// DeleteTeam removes a team. A team with open or snoozed work is kept: taking the work off the
// team silently would skip the assignment events everyone relies on (CV3), so the refusal says
// to reassign it first. Closed work keeps its history and shows no team.
func (d *Desk) DeleteTeam(ctx context.Context, teamID int64) error {
	return d.db.Tx(ctx, func(tx *store.Tx) error {
		t, err := tx.Team(ctx, teamID)
		if err != nil {
			return notFound(err, "Team")
		}
		n, err := tx.OpenItemsOfTeam(ctx, teamID)
		if err != nil {
			return err
		}
		if n > 0 {
			return conflictErr("team", "%s still has %d open or snoozed %s; reassign %s to another team first",
				t.Name, n, plural(n, "conversation or ticket", "conversations and tickets"), plural(n, "it", "them"))
		}
		tx.ChangedEverything() // IN5
		return tx.DeleteTeam(ctx, teamID)
	})
}

// MayManageTeammate tells whether by may change a's role or set a's password: owners and admins
// may, but only an owner manages an owner.
func MayManageTeammate(by, a store.Admin) bool {
	return MayChangeSettings(by) == nil && (a.Role != store.RoleOwner || by.Role == store.RoleOwner)
}

// SetTeammateRole changes a teammate's role. by must be an owner or admin; only an owner makes
// or unmakes owners, and the workspace always keeps at least one active owner. A deactivated
// teammate's role is not changed.
func (d *Desk) SetTeammateRole(ctx context.Context, by store.Admin, adminID int64, role string) error {
	if err := MayChangeSettings(by); err != nil {
		return err
	}
	if role != store.RoleOwner && role != store.RoleAdmin && role != store.RoleAgent {
		return fieldErr("role", "must be owner, admin or agent")
	}
	return d.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := tx.Admin(ctx, adminID)
		if err != nil {
			return notFound(err, "Admin")
		}
		if a.Role == role {
			return nil
		}
		if err := refuseDeactivated(a, "role"); err != nil {
			return err
		}
		if (role == store.RoleOwner || a.Role == store.RoleOwner) && by.Role != store.RoleOwner {
			return fieldErr("role", "only an owner can make or unmake an owner")
		}
		if a.Role == store.RoleOwner {
			owners, err := tx.LockActiveOwners(ctx)
			if err != nil {
				return err
			}
			if owners <= 1 {
				return fieldErr("role", "%s is the only owner; make someone else an owner first", a.Name)
			}
		}
		return tx.SetAdminRole(ctx, adminID, role)
	})
}

// SetTeammatePassword gives a teammate a new password (they forgot theirs, say, or were just
// reactivated) and signs them out everywhere. by must be an owner or admin, only an owner sets
// an owner's password, and a deactivated teammate is reactivated first.
func (d *Desk) SetTeammatePassword(ctx context.Context, by store.Admin, adminID int64, password string) error {
	if err := MayChangeSettings(by); err != nil {
		return err
	}
	hash, err := hashNewPassword(password)
	if err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := tx.Admin(ctx, adminID)
		if err != nil {
			return notFound(err, "Admin")
		}
		if !MayManageTeammate(by, a) {
			return fieldErr("password", "only an owner can set an owner's password")
		}
		if err := refuseDeactivated(a, "password"); err != nil {
			return err
		}
		if err := tx.SetAdminPassword(ctx, adminID, hash); err != nil {
			return err
		}
		return tx.DeleteAdminSessionsOf(ctx, adminID, nil)
	})
}

// ChangeOwnPassword lets a signed-in teammate, of any role, change their password: the current
// one must be right. Their other sessions end; the one they are using (token) goes on.
func (d *Desk) ChangeOwnPassword(ctx context.Context, a store.Admin, token, current, password string) error {
	if auth.CheckPassword(a.PasswordHash, current) != nil {
		return fieldErr("current_password", "is not right")
	}
	hash, err := hashNewPassword(password)
	if err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.SetAdminPassword(ctx, a.ID, hash); err != nil {
			return err
		}
		return tx.DeleteAdminSessionsOf(ctx, a.ID, auth.HashToken(token))
	})
}

// ChangeOwnProfile lets a signed-in teammate, of any role, change their name and email (the
// first-run owner starts as "Owner", owner@example.com). The email is their sign-in.
func (d *Desk) ChangeOwnProfile(ctx context.Context, a store.Admin, name, email string) error {
	name, email = strings.TrimSpace(name), strings.TrimSpace(email)
	if err := checkText("name", name, "email", email); err != nil {
		return err
	}
	switch {
	case name == "":
		return fieldErr("name", "must not be blank")
	case utf8.RuneCountInString(name) > 255:
		return fieldErr("name", "must be at most 255 characters")
	}
	if addr, err := netmail.ParseAddress(email); err != nil || addr.Address != email || addr.Name != "" {
		return fieldErr("email", "must be an email address, such as mia@example.com")
	}
	err := d.db.Tx(ctx, func(tx *store.Tx) error {
		tx.ChangedEverything() // IN5: their name shows in assignments and timelines
		return tx.SetAdminProfile(ctx, a.ID, name, email)
	})
	if errors.Is(err, store.ErrConflict) {
		return conflictErr("email", "another teammate has the email %s", email)
	}
	return err
}

// hashNewPassword checks a new password and hashes it.
func hashNewPassword(password string) (string, error) {
	if err := checkText("password", password); err != nil {
		return "", err
	}
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return "", fieldErr("password", "must have at least %d characters", MinPasswordLength)
	}
	return auth.HashPassword(password)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// CreateAPIToken makes an API token acting as the teammate. The token is returned once; only
// its hash is kept.
func (d *Desk) CreateAPIToken(ctx context.Context, adminID int64, name string) (string, store.Token, error) {
	name = strings.TrimSpace(name)
	if err := checkText("name", name); err != nil {
		return "", store.Token{}, err
	}
	switch {
	case name == "":
		return "", store.Token{}, fieldErr("name", "must not be blank: name the token after what uses it")
	case utf8.RuneCountInString(name) > 255:
		return "", store.Token{}, fieldErr("name", "must be at most 255 characters")
	}
	token, hash := auth.NewToken()
	t := store.Token{AdminID: adminID, Name: name, Hash: hash, CreatedAt: d.clock.Now()}
	err := d.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := tx.Admin(ctx, adminID)
		if err != nil {
			return notFound(err, "Admin")
		}
		if !a.Active() { // deactivated since their request began
			return ErrSettingsRefused
		}
		return tx.CreateToken(ctx, &t)
	})
	if err != nil {
		return "", t, err
	}
	t.Hash = nil
	return token, t, nil
}

// RevokeAPIToken deletes one of the teammate's own API tokens. The API trusts a token it has
// checked for a few seconds, so it stops working everywhere within that time.
func (d *Desk) RevokeAPIToken(ctx context.Context, adminID, tokenID int64) error {
	return d.db.Tx(ctx, func(tx *store.Tx) error {
		return notFound(tx.DeleteAdminToken(ctx, adminID, tokenID), "Token")
	})
}

// MessengerLogoSetting is the workspace setting of the Messenger's logo, which notification
// emails show (E1).
const MessengerLogoSetting = delivery.DefaultLogoSetting

// SetMessengerLogo sets the Messenger's logo: an https URL, a path on this server, or "" for
// none. Plain http is refused (an http image does not show in https pages: the Inbox, the
// Messenger's frame, most mail clients), except on this machine (localhost, 127.0.0.1, ::1),
// for development.
func (d *Desk) SetMessengerLogo(ctx context.Context, logo string) error {
	logo = strings.TrimSpace(logo)
	if err := checkText("logo_url", logo); err != nil {
		return err
	}
	if logo != "" {
		u, err := url.Parse(logo)
		abs := err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname()))
		path := err == nil && strings.HasPrefix(logo, "/") && !strings.HasPrefix(logo, "//")
		switch {
		case err == nil && u.Scheme == "http" && u.Host != "" && !abs:
			return fieldErr("logo_url", "must be an https:// URL: an http:// image does not show in https pages and most email clients")
		case !abs && !path:
			return fieldErr("logo_url", "must be an https:// URL, or a path on this server such as /logo.png")
		}
	}
	return d.db.Tx(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, MessengerLogoSetting, logo, d.clock.Now()) })
}

// isLoopback tells whether host names this machine, where an http:// logo is fine for development.
func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// MinIdentitySecretLength is the shortest identity secret accepted: it signs every customer in
// (P2, M1), so it must not be guessable.
const MinIdentitySecretLength = 32

// SetIdentitySecret sets the workspace's identity secret, which the Messenger and the portal
// verify identities with when HELPDESK_IDENTITY_SECRET is not set. Identities signed with the
// previous secret are refused from then on; sessions already open go on.
func (d *Desk) SetIdentitySecret(ctx context.Context, secret string) error {
	switch {
	case utf8.RuneCountInString(secret) < MinIdentitySecretLength:
		return fieldErr("identity_secret", "must have at least %d characters; generate one to be safe", MinIdentitySecretLength)
	case checkText("identity_secret", secret) != nil || strings.TrimSpace(secret) != secret || strings.ContainsAny(secret, "\r\n\t"):
		return fieldErr("identity_secret", "must not start or end with spaces, nor hold line breaks, tabs or NUL")
	}
	return d.db.Tx(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, IdentitySecretSetting, secret, d.clock.Now()) })
}

// GenerateIdentitySecret sets a new random identity secret and returns it (to be shown once).
func (d *Desk) GenerateIdentitySecret(ctx context.Context) (string, error) {
	secret := auth.RandomString(32) // 256 bits, 43 characters
	return secret, d.SetIdentitySecret(ctx, secret)
}

// deref is *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
