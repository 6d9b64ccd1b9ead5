package api

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"unicode"

	"github.com/helpdesk/helpdesk/internal/store"
)

// optional is a request member that may be absent, null or a value: PUT /contacts/{id} changes
// only what is sent, and null clears.
type optional[T any] struct {
	Set  bool // the member was sent, as null or a value
	Null bool
	V    T
}

// UnmarshalJSON is called for null too, since optional is not a pointer.
func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// value reports whether a non-null value was sent.
func (o optional[T]) value() bool { return o.Set && !o.Null }

// contactRequest is Intercom's create_contact_request and update_contact_request.
type contactRequest struct {
	Role                   optional[string]                     `json:"role"`
	ExternalID             optional[string]                     `json:"external_id"`
	Email                  optional[string]                     `json:"email"`
	EmailVerified          optional[bool]                       `json:"email_verified"`
	Phone                  optional[string]                     `json:"phone"`
	Name                   optional[string]                     `json:"name"`
	Avatar                 optional[string]                     `json:"avatar"`
	SignedUpAt             optional[int64]                      `json:"signed_up_at"`
	LastSeenAt             optional[int64]                      `json:"last_seen_at"`
	OwnerID                optional[ID]                         `json:"owner_id"`
	UnsubscribedFromEmails optional[bool]                       `json:"unsubscribed_from_emails"`
	CustomAttributes       optional[map[string]json.RawMessage] `json:"custom_attributes"`
}

// Contact roles.
const (
	roleUser = "user"
	roleLead = "lead"
)

// Limits on what a contact holds; the request body limit bounds the rest.
const (
	maxEmail      = 254 // RFC 5321
	maxShortText  = 255
	maxURL        = 2048
	maxAttributes = 100
)

// apply checks the request and writes what it sends into c: the whole contact on create, the
// members sent on update. It reads nothing from the database; the checks that do (owner, unique
// ids) are the caller's, inside its transaction.
func (req *contactRequest) apply(c *store.Contact, creating bool) error {
	if req.Role.Set {
		if req.Role.Null || (req.Role.V != roleUser && req.Role.V != roleLead) {
			return invalid("role must be user or lead")
		}
		if !creating && c.Role == roleUser && req.Role.V == roleLead {
			return &Error{Status: http.StatusBadRequest, Code: "client_error", Message: "Contact with user role can't be converted to a lead (role)"}
		}
		c.Role = req.Role.V
	} else if creating {
		c.Role = roleUser
	}
	if req.ExternalID.Set {
		id := req.ExternalID.V
		switch {
		case req.ExternalID.Null:
			return invalid("external_id must be a string, not null (send \"\" to remove it)")
		case len(id) > maxShortText:
			return invalid("external_id must be at most %d characters", maxShortText)
		case strings.TrimSpace(id) != id || hasControl(id):
			return invalid("external_id must not begin or end with spaces or hold control characters")
		}
		c.ExternalID = sql.NullString{String: id, Valid: id != ""}
	}
	if req.EmailVerified.value() && !req.Email.value() {
		return invalid("email_verified must be sent together with email")
	}
	if req.Email.Null {
		return invalid("email must be a string, not null (send \"\" to remove it)")
	}
	if req.Email.Set {
		email := strings.TrimSpace(req.Email.V)
		if email != "" && !validEmail(email) {
			return invalid("email %q is not a valid email address", req.Email.V)
		}
		c.Email = email
	}
	var err error
	if c.Phone, err = text(req.Phone, c.Phone, "phone"); err != nil {
		return err
	}
	if c.Name, err = text(req.Name, c.Name, "name"); err != nil {
		return err
	}
	if req.Avatar.Set {
		avatar := strings.TrimSpace(req.Avatar.V)
		if avatar != "" && !validURL(avatar) {
			return invalid("avatar must be an http or https URL of at most %d characters", maxURL)
		}
		c.Avatar = sql.NullString{String: avatar, Valid: avatar != ""}
	}
	if c.SignedUpAt, err = timestamp(req.SignedUpAt, c.SignedUpAt, "signed_up_at"); err != nil {
		return err
	}
	if c.LastSeenAt, err = timestamp(req.LastSeenAt, c.LastSeenAt, "last_seen_at"); err != nil {
		return err
	}
	if req.OwnerID.Set {
		if req.OwnerID.value() && req.OwnerID.V == 0 {
			return ownerInvalid()
		}
		c.OwnerID = sql.NullInt64{Int64: int64(req.OwnerID.V), Valid: req.OwnerID.value()}
	}
	if req.UnsubscribedFromEmails.Set {
		c.UnsubscribedFromEmails = req.UnsubscribedFromEmails.V // null: subscribed, as by default
	}
	if req.CustomAttributes.value() { // null changes nothing: clearing them all takes a null per attribute
		merged, err := mergeAttributes(c.CustomAttributes, req.CustomAttributes.V)
		if err != nil {
			return err
		}
		c.CustomAttributes = merged
	}
	if creating && c.Email == "" && !c.ExternalID.Valid && !req.Role.Set {
		return missing("email, external_id or role")
	}
	return nil
}

func ownerInvalid() *Error {
	return invalid("owner_id: the owner specified is not a member of the workspace")
}

// text reads an optional string member: null or blank clears it.
func text(o optional[string], old sql.NullString, field string) (sql.NullString, error) {
	if !o.Set {
		return old, nil
	}
	v := strings.TrimSpace(o.V)
	if len(v) > maxShortText {
		return old, invalid("%s must be at most %d characters", field, maxShortText)
	}
	return sql.NullString{String: v, Valid: v != ""}, nil
}

// timestamp reads an optional Unix time member: null clears it.
func timestamp(o optional[int64], old sql.NullInt64, field string) (sql.NullInt64, error) {
	if !o.Set {
		return old, nil
	}
	if o.value() && o.V < 0 {
		return old, invalid("%s must be a Unix time in seconds, not %d", field, o.V)
	}
	return sql.NullInt64{Int64: o.V, Valid: o.value()}, nil
}

// validEmail accepts a plain address (no display name) with one @ and a dotted domain.
func validEmail(s string) bool {
	if len(s) > maxEmail || strings.Count(s, "@") != 1 || hasControl(s) || strings.ContainsAny(s, " \t") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	domain := s[strings.IndexByte(s, '@')+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") &&
		!strings.Contains(domain, "..")
}

func validURL(s string) bool {
	if len(s) > maxURL || hasControl(s) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}

// emailDomain is Intercom's email_domain: the part after the @, lower case (as the
// contacts.email_domain column computes it for search).
func emailDomain(email string) string {
	if i := strings.IndexByte(email, '@'); i >= 0 {
		return strings.ToLower(email[i+1:])
	}
	return ""
}

// mergeAttributes merges a request's custom_attributes into the stored JSON object: each member
// sent replaces the stored one, and null removes it. Values are strings, numbers or booleans, as
// Intercom's data attributes are.
func mergeAttributes(stored string, sent map[string]json.RawMessage) (string, error) {
	attrs := map[string]json.RawMessage{}
	if stored != "" {
		if err := json.Unmarshal([]byte(stored), &attrs); err != nil {
			attrs = map[string]json.RawMessage{} // not ours to fail on: replace what cannot be read
		}
	}
	for k, v := range sent {
		switch {
		case strings.TrimSpace(k) == "" || len(k) > maxShortText || hasControl(k):
			return "", invalid("custom_attributes: %q is not a valid attribute name", k)
		case string(v) == "null":
			delete(attrs, k)
			continue
		}
		if c := bytes.TrimSpace(v); len(c) == 0 || c[0] == '{' || c[0] == '[' {
			return "", invalid("custom_attributes.%s must be a string, number, boolean or null", k)
		}
		attrs[k] = v
	}
	if len(attrs) > maxAttributes {
		return "", invalid("custom_attributes: a contact holds at most %d attributes", maxAttributes)
	}
	b, err := json.Marshal(attrs)
	return string(b), err
}
