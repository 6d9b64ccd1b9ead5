// Package conversation holds the rules of conversations (SPEC CV1-CV4), apart from HTTP and SQL:
// how a conversation starts, who may reply and how, its states (open, snoozed until a time,
// closed), assignment to a teammate and a team. Each rule is a method that changes a
// Conversation in memory and returns the parts to record in its timeline; the caller stores
// both in one transaction.
package conversation

import (
	"fmt"
	"strings"
	"time"
)

// State is where a conversation stands (CV2).
type State string

// The states of a conversation.
const (
	Open    State = "open"
	Snoozed State = "snoozed"
	Closed  State = "closed"
)

// AuthorType says who wrote a part.
type AuthorType string

// Authors of parts.
const (
	AuthorAdmin AuthorType = "admin"
	AuthorUser  AuthorType = "user"
	AuthorLead  AuthorType = "lead"
	AuthorBot   AuthorType = "bot" // Helpdesk itself, e.g. when a snooze ends
)

// Author is who wrote a part or started a conversation.
type Author struct {
	Type AuthorType
	ID   int64
}

// IsContact tells whether the author is a customer.
func (a Author) IsContact() bool { return a.Type == AuthorUser || a.Type == AuthorLead }

// PartType is Intercom's part_type of a timeline entry.
type PartType string

// Part types. Comment parts are seen by the customer; everything else is internal to the team.
const (
	PartComment            PartType = "comment"
	PartNote               PartType = "note"
	PartAssignment         PartType = "assignment"
	PartClose              PartType = "close"
	PartOpen               PartType = "open"
	PartSnoozed            PartType = "snoozed"
	PartUnsnooze           PartType = "timer_unsnooze"
	PartParticipantAdded   PartType = "participant_added"
	PartParticipantRemoved PartType = "participant_removed"
	PartTitleChanged       PartType = "title_changed"
	// Ticket parts (package ticket).
	PartStateChanged       PartType = "ticket_state_updated_by_admin"
	PartTicketCreated      PartType = "ticket_created"
	PartLinked             PartType = "linked_ticket"
	PartUnlinked           PartType = "unlinked_ticket"
	PartLinkedStateChanged PartType = "linked_ticket_state_updated"
)

// Part is one entry in a conversation's timeline.
type Part struct {
	ID         int64
	Type       PartType
	Body       string
	Author     Author
	AssignedTo *Assignee // for assignment parts: who was assigned (ID 0 = unassigned)
	CreatedAt  time.Time
	// For the parts of tickets (package ticket): the states a state change went between, and
	// the ticket that a cross-posted note or event came from.
	FromStateID, ToStateID int64
	SourceTicketID         int64
	// Visible: the customer sees the part (package notify decides, SPEC N5).
	Visible bool
}

// Assignee names a teammate ("admin") or a team.
type Assignee struct {
	Type string // "admin" or "team"
	ID   int64
}

// Source is the message that started a conversation (CV1).
type Source struct {
	Type        string // "conversation" (Messenger/API), "email"
	DeliveredAs string // "customer_initiated"
	Subject     string
	Body        string
	Author      Author
}

// Conversation is a thread between contacts and teammates.
type Conversation struct {
	ID              int64
	IsTicket        bool // the conversation of a ticket (package ticket), sharing its id
	Title           string
	State           State
	Read            bool
	AdminAssigneeID int64 // 0: no teammate
	TeamAssigneeID  int64 // 0: no team
	SnoozedUntil    time.Time
	WaitingSince    time.Time // when the customer started waiting for an answer; zero when not waiting
	Source          Source
	ContactIDs      []int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Error is a broken rule, naming the field of the request that broke it.
type Error struct {
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Field + ": " + e.Message }

// Start begins a conversation with a contact's message (CV1). The conversation opens, waiting
// for a teammate's answer.
func Start(contact Author, body string, now time.Time) (Conversation, error) {
	if !contact.IsContact() || contact.ID == 0 {
		return Conversation{}, &Error{"from", "a conversation is started by a contact (user or lead)"}
	}
	if strings.TrimSpace(body) == "" {
		return Conversation{}, &Error{"body", "must not be blank"}
	}
	return Conversation{
		State:        Open,
		Source:       Source{Type: "conversation", DeliveredAs: "customer_initiated", Body: body, Author: contact},
		ContactIDs:   []int64{contact.ID},
		WaitingSince: now,
		CreatedAt:    now,
		UpdatedAt:    now,
	}, nil
}

// IsOpen is Intercom's "open" flag: a snoozed conversation is still open, a closed one is not.
func (c *Conversation) IsOpen() bool { return c.State != Closed }

// HasContact tells whether the contact takes part in the conversation.
func (c *Conversation) HasContact(id int64) bool {
	for _, x := range c.ContactIDs {
		if x == id {
			return true
		}
	}
	return false
}

// ContactReplies adds a customer's comment. A snoozed or closed conversation opens again: the
// customer is waiting (CV2).
func (c *Conversation) ContactReplies(contact Author, body string, now time.Time) ([]Part, error) {
	if !contact.IsContact() {
		return nil, &Error{"type", "a contact reply needs a user or lead"}
	}
	if !c.HasContact(contact.ID) {
		return nil, &Error{"intercom_user_id", fmt.Sprintf("contact %d is not a participant of conversation %d", contact.ID, c.ID)}
	}
	if strings.TrimSpace(body) == "" {
		return nil, &Error{"body", "must not be blank"}
	}
	var parts []Part
	if c.State != Open { // CV2: the customer's message opens it, an event teammates see
		parts = append(parts, Part{Type: PartOpen, Author: contact, CreatedAt: now})
		c.State = Open
		c.SnoozedUntil = time.Time{}
	}
	parts = append(parts, Part{Type: PartComment, Body: body, Author: contact, CreatedAt: now})
	if c.WaitingSince.IsZero() {
		c.WaitingSince = now
	}
	c.Read = false
	c.UpdatedAt = now
	return parts, nil
}

// AdminReplies adds a teammate's comment (seen by the customer) or note (internal) (CV1).
// Replying does not change the state: a teammate closes or snoozes explicitly.
func (c *Conversation) AdminReplies(admin Author, t PartType, body string, now time.Time) (Part, error) {
	if t != PartComment && t != PartNote {
		return Part{}, &Error{"message_type", "must be comment or note"}
	}
	if strings.TrimSpace(body) == "" {
		return Part{}, &Error{"body", "must not be blank"}
	}
	if t == PartComment {
		c.WaitingSince = time.Time{}
	}
	c.Read = true
	c.UpdatedAt = now
	return Part{Type: t, Body: body, Author: admin, CreatedAt: now}, nil
}

// Close closes the conversation, with an optional message to the customer.
func (c *Conversation) Close(admin Author, body string, now time.Time) Part {
	c.State = Closed
	c.SnoozedUntil = time.Time{}
	c.WaitingSince = time.Time{}
	c.UpdatedAt = now
	return Part{Type: PartClose, Body: body, Author: admin, CreatedAt: now}
}

// Open opens a snoozed or closed conversation.
func (c *Conversation) Open(admin Author, now time.Time) Part {
	c.State = Open
	c.SnoozedUntil = time.Time{}
	c.UpdatedAt = now
	return Part{Type: PartOpen, Author: admin, CreatedAt: now}
}

// Snooze puts the conversation aside until a time in the future (CV2).
func (c *Conversation) Snooze(admin Author, until, now time.Time) (Part, error) {
	if !until.After(now) {
		return Part{}, &Error{"snoozed_until", "must be in the future"}
	}
	c.State = Snoozed
	c.SnoozedUntil = until
	c.UpdatedAt = now
	return Part{Type: PartSnoozed, Author: admin, CreatedAt: now}, nil
}

// SnoozeEnded reports whether the conversation is snoozed until a time that has come.
func (c *Conversation) SnoozeEnded(now time.Time) bool {
	return c.State == Snoozed && !c.SnoozedUntil.After(now)
}

// Wake opens a conversation whose snooze has ended (CV2); it reports false and changes
// nothing when the snooze has not ended.
func (c *Conversation) Wake(now time.Time) (Part, bool) {
	if !c.SnoozeEnded(now) {
		return Part{}, false
	}
	c.State = Open
	c.SnoozedUntil = time.Time{}
	c.UpdatedAt = now
	return Part{Type: PartUnsnooze, Author: Author{Type: AuthorBot}, CreatedAt: now}, true
}

// AssignAdmin gives the conversation to a teammate, or to none with id 0 (CV3).
func (c *Conversation) AssignAdmin(by Author, adminID int64, body string, now time.Time) Part {
	c.AdminAssigneeID = adminID
	c.UpdatedAt = now
	return Part{Type: PartAssignment, Body: body, Author: by, AssignedTo: &Assignee{Type: "admin", ID: adminID}, CreatedAt: now}
}

// AssignTeam gives the conversation to a team, or to none with id 0 (CV3).
func (c *Conversation) AssignTeam(by Author, teamID int64, body string, now time.Time) Part {
	c.TeamAssigneeID = teamID
	c.UpdatedAt = now
	return Part{Type: PartAssignment, Body: body, Author: by, AssignedTo: &Assignee{Type: "team", ID: teamID}, CreatedAt: now}
}

// AddContact makes a contact a participant.
func (c *Conversation) AddContact(by Author, contactID int64, now time.Time) (Part, error) {
	if c.HasContact(contactID) {
		return Part{}, &Error{"customer", fmt.Sprintf("contact %d already takes part in the conversation", contactID)}
	}
	c.ContactIDs = append(c.ContactIDs, contactID)
	c.UpdatedAt = now
	return Part{Type: PartParticipantAdded, Author: by, CreatedAt: now}, nil
}

// RemoveContact takes a participant out; the last one cannot leave.
func (c *Conversation) RemoveContact(by Author, contactID int64, now time.Time) (Part, error) {
	if !c.HasContact(contactID) {
		return Part{}, &Error{"contact_id", fmt.Sprintf("contact %d does not take part in the conversation", contactID)}
	}
	if len(c.ContactIDs) == 1 {
		return Part{}, &Error{"contact_id", "the last contact cannot be removed from a conversation"}
	}
	kept := c.ContactIDs[:0:0]
	for _, id := range c.ContactIDs {
		if id != contactID {
			kept = append(kept, id)
		}
	}
	c.ContactIDs = kept
	c.UpdatedAt = now
	return Part{Type: PartParticipantRemoved, Author: by, CreatedAt: now}, nil
}

// SetTitle changes the title.
func (c *Conversation) SetTitle(by Author, title string, now time.Time) Part {
	c.Title = title
	c.UpdatedAt = now
	return Part{Type: PartTitleChanged, Body: title, Author: by, CreatedAt: now}
}
