// Package ticket holds the rules of tickets (SPEC TT, ST, CT, BO, TR, CO), apart from HTTP and
// SQL: ticket types and their attributes, states, the three categories and what each may do,
// sharing with the customer, links to conversations, cross-posting, trackers and companies.
// Read it top to bottom to learn those sections of SPEC; each rule says which one it is.
//
// A ticket is also a conversation (package conversation): it shares the conversation's id space,
// assignees, snooze and open/closed flag, and its timeline of parts.
package ticket

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Category is what kind of work a ticket type is for (SPEC Words).
type Category string

// The three categories.
const (
	Customer   Category = "Customer"    // followed by the customer (CT)
	BackOffice Category = "Back-office" // handed to another team, internal unless shared (BO)
	Tracker    Category = "Tracker"     // gathers every conversation hit by one problem (TR)
)

// ParseCategory reads a category by its name, or by Intercom's search values
// ("customer", "back_office", "tracker").
func ParseCategory(s string) (Category, bool) {
	switch s {
	case "Customer", "customer":
		return Customer, true
	case "Back-office", "back_office", "back-office", "backoffice":
		return BackOffice, true
	case "Tracker", "tracker":
		return Tracker, true
	}
	return "", false
}

// Error is a broken rule, naming the field of the request that broke it.
type Error struct {
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Field + ": " + e.Message }

func errorf(field, format string, args ...any) *Error {
	return &Error{Field: field, Message: fmt.Sprintf(format, args...)}
}

// withArticle puts "a" or "an" before a name, by its first letter: "an Outage", "a Bug".
func withArticle(name string) string {
	if name != "" && strings.ContainsRune("aeiouAEIOU", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

// Type is a ticket type (TT1): every ticket has one, and with it a category and attributes.
type Type struct {
	ID          int64
	Name        string
	Description string
	Icon        string
	Category    Category
	// IsInternal is Intercom's is_internal: tickets of the type are never shared with the
	// customer. TT4: a Back-office type does not allow sharing unless it says so; Customer
	// types are always shared (CT1), Tracker types never (TR1).
	IsInternal bool
	Archived   bool
	Attributes []Attribute
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// NewType checks a new ticket type (TT1, TT4). internal is the client's is_internal, nil when
// not given.
func NewType(name, description, icon string, category Category, internal *bool, now time.Time) (Type, error) {
	name = strings.TrimSpace(name)
	if err := checkName(name); err != nil {
		return Type{}, err
	}
	if category == "" {
		category = Customer // Intercom's default
	}
	t := Type{Name: name, Description: description, Icon: icon, Category: category, CreatedAt: now, UpdatedAt: now}
	if err := t.setInternal(internal); err != nil {
		return Type{}, err
	}
	t.Attributes = DefaultAttributes(now)
	return t, nil
}

// MaxNameLength is the longest name, in characters, of a type or an attribute: names are
// labels in forms and lists, and are indexed.
const MaxNameLength = 255

// checkName checks the name of a type or attribute.
func checkName(name string) error {
	if strings.TrimSpace(name) == "" {
		return errorf("name", "must not be blank")
	}
	if n := utf8.RuneCountInString(name); n > MaxNameLength {
		return errorf("name", "must be at most %d characters, not %d", MaxNameLength, n)
	}
	return nil
}

// setInternal applies TT4 to a requested is_internal.
func (t *Type) setInternal(internal *bool) error {
	switch t.Category {
	case Customer:
		if internal != nil && *internal {
			return errorf("is_internal", "Customer tickets are always shared with the customer (CT1); is_internal must be false")
		}
		t.IsInternal = false
	case Tracker:
		if internal != nil && !*internal {
			return errorf("is_internal", "Tracker tickets are never shared with customers (TR1); is_internal must be true")
		}
		t.IsInternal = true
	case BackOffice:
		t.IsInternal = internal == nil || *internal // sharing is off unless the type allows it
	default:
		return errorf("category", "must be Customer, Back-office or Tracker")
	}
	return nil
}

// TypeChange is a change to a type's own fields; nil leaves one as it is.
type TypeChange struct {
	Name, Description, Icon *string
	Category                *Category
	IsInternal              *bool // Intercom's is_internal (TT4)
	Archived                *bool
}

// Update applies a change. Changing the category re-applies TT4: a type that becomes Back-office
// does not allow sharing unless the change says so. The category is fixed once the type has
// tickets (hasTickets), since each ticket carries its category and what it allows (CT1, BO, TR1).
func (t *Type) Update(c TypeChange, hasTickets bool, now time.Time) error {
	if c.Name != nil {
		name := strings.TrimSpace(*c.Name)
		if err := checkName(name); err != nil {
			return err
		}
		t.Name = name
	}
	if c.Description != nil {
		t.Description = *c.Description
	}
	if c.Icon != nil {
		t.Icon = *c.Icon
	}
	internal := c.IsInternal
	if c.Category != nil && *c.Category != t.Category {
		if hasTickets {
			return errorf("category", "cannot change: the ticket type already has tickets")
		}
		t.Category = *c.Category
	} else if internal == nil && t.Category == BackOffice {
		internal = &t.IsInternal // unchanged Back-office type: keep its choice
	}
	if err := t.setInternal(internal); err != nil {
		return err
	}
	if c.Archived != nil {
		t.Archived = *c.Archived
	}
	t.UpdatedAt = now
	return nil
}

// AllowsSharing tells whether tickets of the type may be shared with the customer at all.
func (t Type) AllowsSharing() bool { return !t.IsInternal }

// InTicketForms tells whether the type appears in "Send ticket form" lists (BO11, CT3):
// Customer types, and Back-office types that allow sharing.
func (t Type) InTicketForms() bool {
	return !t.Archived && (t.Category == Customer || t.Category == BackOffice && t.AllowsSharing())
}
