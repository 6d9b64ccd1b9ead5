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
	"time"
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
	if name == "" {
		return Type{}, errorf("name", "must not be blank")
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

// Update changes a type's fields; nil leaves one as it is. Changing the category re-applies TT4.
func (t *Type) Update(name, description, icon *string, category *Category, internal *bool, archived *bool, now time.Time) error {
	if name != nil {
		if *name == "" {
			return errorf("name", "must not be blank")
		}
		t.Name = *name
	}
	if description != nil {
		t.Description = *description
	}
	if icon != nil {
		t.Icon = *icon
	}
	if category != nil {
		t.Category = *category
	}
	if category != nil || internal != nil {
		if internal == nil && t.Category == BackOffice {
			internal = &t.IsInternal
		}
		if err := t.setInternal(internal); err != nil {
			return err
		}
	}
	if archived != nil {
		t.Archived = *archived
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
