package ticket

import (
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
)

// Ticket is a tracked piece of work. Its conversation carries the id, title, assignees, open or
// closed (ST3), snooze, participants and timeline.
type Ticket struct {
	conversation.Conversation
	Number          int64 // the short "Ticket ID" people quote (TT3), unique in the workspace
	Type            Type
	Category        Category
	State           State
	PreviousStateID int64
	Description     string // sanitised HTML (TT3)
	Attributes      Values // custom attributes; title and description live apart
	IsShared        bool
	CompanyID       int64 // 0: no company
}

// Target is a conversation or Customer ticket that a Back-office or Tracker ticket links to.
type Target struct {
	ID              int64
	IsTicket        bool
	Category        Category // when IsTicket
	State           conversation.State
	AdminAssigneeID int64
	// What is linked to it already.
	HasTracker          bool
	HasSharedBackOffice bool
}

// Sharing decides is_shared for a new ticket (CT1, TR1, TT4, BO6, BO7, BO8). requested is the
// teammate's choice (nil: not given); link is what the ticket is created from, if anything.
func Sharing(t Type, requested *bool, link *Target) (bool, error) {
	switch t.Category {
	case Customer:
		if requested != nil && !*requested {
			return false, errorf("is_shared", "Customer tickets are always shared with the customer (CT1)")
		}
		return true, nil
	case Tracker:
		if requested != nil && *requested {
			return false, errorf("is_shared", "Tracker tickets are never shared with customers (TR1)")
		}
		return false, nil
	}
	if requested == nil || !*requested {
		return false, nil // Back-office tickets are internal unless a teammate shares one
	}
	switch {
	case !t.AllowsSharing():
		return false, errorf("is_shared", "ticket type %q does not allow sharing with customers (TT4)", t.Name)
	case link == nil:
		return false, errorf("is_shared", "only a Back-office ticket linked to a customer conversation can be shared (BO6)")
	case link.IsTicket:
		return false, errorf("is_shared", "a Back-office ticket linked to a Customer ticket cannot be shared (BO8)")
	case link.HasSharedBackOffice:
		return false, errorf("is_shared", "conversation %d already has a shared Back-office ticket; one is allowed (BO7)", link.ID)
	}
	return true, nil
}

// CanLink checks that ticket may link to target (BO1, TR2, BO7, BO8).
func (tk Ticket) CanLink(target Target) error {
	switch {
	case tk.Category == Customer:
		return errorf("id", "Customer tickets are linked to, not from: link a Back-office or Tracker ticket to them")
	case target.ID == tk.ID:
		return errorf("id", "a ticket cannot link to itself")
	case target.IsTicket && target.Category != Customer:
		return errorf("id", "%s tickets link to conversations and Customer tickets, not to a %s ticket", tk.Category, target.Category)
	case tk.Category == Tracker && target.HasTracker:
		return errorf("id", "conversation %d is already linked to a tracker; one is allowed (TR2)", target.ID)
	case tk.Category == BackOffice && tk.IsShared && target.IsTicket:
		return errorf("id", "a shared Back-office ticket cannot link to a Customer ticket (BO8)")
	case tk.Category == BackOffice && tk.IsShared && target.HasSharedBackOffice:
		return errorf("id", "conversation %d already has a shared Back-office ticket; one is allowed (BO7)", target.ID)
	}
	return nil
}

// CanTag checks BO9: only tickets shared with the customer are tagged.
func (tk Ticket) CanTag() error {
	if !tk.IsShared {
		return errorf("id", "only tickets shared with the customer can be tagged; this %s ticket is not (BO9)", tk.Category)
	}
	return nil
}

// CanReply checks who may add what to a ticket's timeline (BO2, TR1, CT1): teammates add notes to
// every ticket, and comments only where the customer sees the ticket; customers comment only on
// tickets shared with them.
func (tk Ticket) CanReply(author conversation.Author, t conversation.PartType) error {
	if author.IsContact() {
		if !tk.IsShared {
			return errorf("type", "this ticket is not shared with the customer")
		}
		return nil
	}
	if t == conversation.PartComment && !tk.IsShared {
		switch tk.Category {
		case BackOffice:
			return errorf("message_type", "Back-office tickets take internal notes only; reply to the customer in the linked conversation (BO2)")
		case Tracker:
			return errorf("message_type", "Tracker tickets take internal notes only; broadcast to reach the customers (TR4)")
		}
	}
	return nil
}

// CanCrossPost tells where cross_post applies (BO3): to notes on Back-office tickets, the only
// tickets whose notes are meant for the teammates of the linked conversations. A tracker talks
// to its conversations' customers by broadcast (TR4), not by notes in each.
func (tk Ticket) CanCrossPost(t conversation.PartType) error {
	switch {
	case t != conversation.PartNote:
		return errorf("cross_post", "only notes are cross-posted; a comment is never copied into other conversations (BO3)")
	case tk.Category != BackOffice:
		return errorf("cross_post", "only notes on Back-office tickets are cross-posted, not on a %s ticket (BO3)", tk.Category)
	}
	return nil
}

// CanBroadcast checks TR4: the tracker is the one ticket that speaks to all its customers.
func (tk Ticket) CanBroadcast() error {
	if tk.Category != Tracker {
		return errorf("id", "only Tracker tickets broadcast; this is a %s ticket (TR4)", tk.Category)
	}
	return nil
}

// CrossPost returns the note a cross-posted note leaves in one linked conversation or Customer
// ticket (BO3): an internal note, whoever wrote it, that names its ticket.
func CrossPost(note conversation.Part) conversation.Part {
	return conversation.Part{Type: conversation.PartNote, Body: note.Body, Author: note.Author, CreatedAt: note.CreatedAt}
}

// WakesOnCrossPost tells BO5: a cross-posted note un-snoozes a snoozed conversation when the
// conversation's assignee is not the Back-office ticket's; it stays snoozed when they are the same.
func WakesOnCrossPost(target conversation.Conversation, ticketAssignee int64) bool {
	return target.State == conversation.Snoozed && target.AdminAssigneeID != ticketAssignee
}

// ChangeState moves the ticket to another state (ST2) and returns the change; moving to the
// state it is in changes nothing (ok false).
func (tk *Ticket) ChangeState(to State, now time.Time) (StateChange, bool, error) {
	if to.Archived {
		return StateChange{}, false, errorf("ticket_state_id", "state %q is archived", to.InternalLabel)
	}
	if to.ID == tk.State.ID {
		return StateChange{}, false, nil
	}
	change := StateChange{From: tk.State, To: to, At: now}
	tk.PreviousStateID = tk.State.ID
	tk.State = to
	tk.UpdatedAt = now
	return change, true, nil
}

// ChooseCompany applies CO2 and CO3. companies are the companies of each participating contact.
// requested is the client's choice: nil when not given, 0 for "No company".
func ChooseCompany(companies [][]int64, requested *int64) (int64, error) {
	allowed := map[int64]bool{}
	for _, cs := range companies {
		for _, c := range cs {
			allowed[c] = true
		}
	}
	if requested != nil {
		if *requested != 0 && !allowed[*requested] {
			return 0, errorf("company_id", "company %d is not a company of the ticket's contacts (CO2)", *requested)
		}
		return *requested, nil
	}
	if len(allowed) == 1 { // CO3: one contact in exactly one company is chosen for the teammate
		for c := range allowed {
			return c, nil
		}
	}
	return 0, nil
}

// CanSendForm checks that a ticket form of type t may be sent into a conversation (CT3, BO11):
// Customer types, and Back-office types that allow sharing, since submitting the form creates a
// ticket the customer follows. An archived type sends no form.
func CanSendForm(t Type, target Target) error {
	switch {
	case t.Archived:
		return errorf("ticket_type_id", "ticket type %q is archived", t.Name)
	case t.Category == Customer:
	case t.Category == BackOffice && t.AllowsSharing():
	default:
		return errorf("ticket_type_id", "ticket type %q cannot be sent as a ticket form: only Customer types and Back-office types that allow sharing can (BO11)", t.Name)
	}
	if target.IsTicket {
		return errorf("id", "ticket forms are sent into conversations, and %d is a ticket", target.ID)
	}
	if target.HasSharedBackOffice {
		if t.Category == BackOffice {
			return errorf("ticket_type_id", "conversation %d already has a shared Back-office ticket; one is allowed (BO7)", target.ID)
		}
		// Submitting it would make the conversation a Customer ticket, which a shared
		// Back-office ticket cannot be linked to (BO8, as CanConvert says).
		return errorf("ticket_type_id", "conversation %d has a shared Back-office ticket, so it cannot become a Customer ticket (BO8)", target.ID)
	}
	return nil
}
