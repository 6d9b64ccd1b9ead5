// Package notify holds the rules of what customers see and are told (SPEC N1-N5, M2, M3, BO10),
// apart from HTTP, SQL and mail: which parts of a timeline a customer sees, and which parts owe
// the thread's customers a notification (badge, Recent tickets, an event, an email).
//
// A customer's threads are conversations and Customer tickets. A shared Back-office ticket
// reaches the customer through the conversation it is linked to, where its link and its state
// changes are posted as events (BO4, BO10): it looks like a Customer ticket shown at the top of
// that conversation. Back-office tickets (shared or not) and Tracker tickets are never threads
// a customer sees (N5).
package notify

import (
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// Kind is what a notification is about. The values are those of package mail's email kinds.
type Kind string

// The notifications (N1-N3), and a teammate's reply in a plain conversation, which the customer
// is told of as N2 tells of a reply on a ticket.
const (
	TicketSubmitted    Kind = "ticket-submitted"
	TicketReply        Kind = "ticket-reply"
	TicketStateChanged Kind = "ticket-state"
	ConversationReply  Kind = "conversation-reply"
)

// DefaultReplyEmailDelay is how long a reply waits to be seen in the Messenger before it is
// emailed (N2), unless the operator says otherwise (HELPDESK_REPLY_EMAIL_DELAY).
const DefaultReplyEmailDelay = 3 * time.Minute

// Thread is a timeline as the customer may see it.
type Thread struct {
	IsTicket bool
	Category ticket.Category // when IsTicket
}

// ThreadOf describes a conversation; ThreadOfTicket a ticket.
func ThreadOf() Thread { return Thread{} }

// ThreadOfTicket describes a ticket's timeline.
func ThreadOfTicket(c ticket.Category) Thread { return Thread{IsTicket: true, Category: c} }

// CustomerSees tells whether the thread is one a customer sees at all: a conversation or a
// Customer ticket (N5: never a Back-office or Tracker ticket's own timeline).
func (t Thread) CustomerSees() bool { return !t.IsTicket || t.Category == ticket.Customer }

// Source is the ticket an event or cross-posted note comes from, when it comes from one.
type Source struct {
	Category ticket.Category
	Shared   bool
}

// sharedBackOffice tells whether the source is a Back-office ticket shared with the customer.
func (s *Source) sharedBackOffice() bool {
	return s != nil && s.Category == ticket.BackOffice && s.Shared
}

// Visible tells whether the customers of thread t see part p (M2, N5). from is the ticket p
// comes from (its SourceTicketID), nil when none.
func Visible(t Thread, p conversation.Part, from *Source) bool {
	if !t.CustomerSees() {
		return false
	}
	switch p.Type {
	case conversation.PartComment, PartTicketForm:
		return true
	case conversation.PartTicketCreated, conversation.PartStateChanged:
		return t.IsTicket // a Customer ticket's own events
	case conversation.PartLinked, conversation.PartLinkedStateChanged:
		return from.sharedBackOffice() // BO10: a shared Back-office ticket's events
	}
	return false // notes, assignments, snoozes, closes, attribute changes, unlinks: internal
}

// Of tells which notification, if any, part p of thread t owes the thread's customers (N1-N3).
// Only visible parts notify; a customer's own comment notifies no one; closing a ticket without
// resolving it is a close part, which notifies no one (N3).
func Of(t Thread, p conversation.Part, from *Source) (Kind, bool) {
	if !Visible(t, p, from) {
		return "", false
	}
	switch p.Type {
	case conversation.PartComment:
		if p.Author.IsContact() {
			return "", false
		}
		if t.IsTicket {
			return TicketReply, true
		}
		// In a conversation showing a shared Back-office ticket (BO10) the email shows the
		// ticket: its sender looks that up when it composes the email.
		return ConversationReply, true
	case conversation.PartTicketCreated, conversation.PartLinked:
		return TicketSubmitted, true
	case conversation.PartStateChanged, conversation.PartLinkedStateChanged:
		if p.FromStateID == p.ToStateID {
			// A conversation converted to a ticket records its first state so (CT2): the
			// ticket is submitted.
			return TicketSubmitted, true
		}
		return TicketStateChanged, true
	}
	return "", false
}

// EmailDueAt is when the email of a notification may go: at once, or for a reply after delay,
// if the customer has not seen it in the Messenger by then (N2).
func EmailDueAt(k Kind, created time.Time, delay time.Duration) time.Time {
	if k == TicketReply || k == ConversationReply {
		return created.Add(delay)
	}
	return created
}

// EmailStillOwed tells, when a notification's email is due, whether it should still go: a
// reply the customer has seen in the Messenger (seenPartID at or after the part) is not emailed
// (N2); the other notifications always are (N1, N3).
func EmailStillOwed(k Kind, partID, seenPartID int64) bool {
	if k == TicketReply || k == ConversationReply {
		return seenPartID < partID
	}
	return true
}

// PartTicketForm is the part a teammate's "Send ticket form" posts in a conversation (CT3): the
// customer sees it as a form to fill in.
const PartTicketForm conversation.PartType = "ticket_form"
