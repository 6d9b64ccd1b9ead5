package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/notify"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// LinkTicket links a conversation or Customer ticket to an existing Back-office or Tracker
// ticket (BO1, TR2: "link to existing tracker"), with an event in both timelines. The rules of
// ticket.CanLink apply, and the database's unique indexes keep TR2 and BO7 in a race.
func (d *Desk) LinkTicket(ctx context.Context, ticketID, adminID, targetID int64) error {
	admin, err := d.adminAuthor(ctx, adminID)
	if err != nil {
		return err
	}
	_, err = d.changeTicket(ctx, ticketID, func(tx *store.Tx, tk *ticket.Ticket, now time.Time) ([]conversation.Part, error) {
		target, err := tx.LinkTarget(ctx, targetID)
		if err != nil {
			return nil, notFound(err, "Conversation")
		}
		tk.UpdatedAt = now
		err = d.link(ctx, tx, tk, target, admin, now)
		if errors.Is(err, store.ErrInUse) { // PostgreSQL: deleted since LinkTarget read it
			return nil, &NotFoundError{What: "Conversation"}
		}
		if err != nil || tk.Category != ticket.BackOffice {
			return nil, err
		}
		return nil, d.keepContext(ctx, tx, tk, targetID, admin, now)
	})
	return err
}

// keepContext gives a Back-office ticket linked to a conversation or Customer ticket that
// conversation's customers (BO1: the customer's context stays with the work), each an event,
// and, when it has no company yet, the company CO3 selects for them (CO1), an event too. A
// tracker gathers many customers' conversations and takes none of them.
func (d *Desk) keepContext(ctx context.Context, tx *store.Tx, tk *ticket.Ticket, targetID int64, admin conversation.Author, now time.Time) error {
	byTarget, err := tx.ConversationContacts(ctx, targetID)
	if err != nil {
		return err
	}
	var parts []conversation.Part
	var changes []attributeChange
	for _, id := range byTarget[targetID] {
		if tk.HasContact(id) {
			continue
		}
		p, err := tk.AddContact(admin, id, now)
		if err != nil {
			return err
		}
		if err := tx.AddConversationContact(ctx, tk.ID, id, now); err != nil {
			return err
		}
		parts = append(parts, p)
	}
	if len(parts) > 0 && tk.CompanyID == 0 {
		companyID, err := d.chooseCompany(ctx, tx, tk.ContactIDs, nil)
		if err != nil {
			return err
		}
		if companyID != 0 {
			tk.CompanyID = companyID
			parts = append(parts, conversation.Part{Type: ticket.PartAttributeUpdated, Author: admin, CreatedAt: now})
			changes = append(changes, attributeChange{len(parts) - 1, store.AttributeChange{Label: "Company", Value: nullable(companyID)}})
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return d.addParts(ctx, tx, tk, parts, changes) // changeTicket stores tk afterwards
}

// UnlinkTicket removes the link between a ticket and a conversation or Customer ticket, with an
// event in both timelines.
func (d *Desk) UnlinkTicket(ctx context.Context, ticketID, adminID, targetID int64) error {
	admin, err := d.adminAuthor(ctx, adminID)
	if err != nil {
		return err
	}
	_, err = d.changeTicket(ctx, ticketID, func(tx *store.Tx, tk *ticket.Ticket, now time.Time) ([]conversation.Part, error) {
		if err := tx.RemoveTicketLink(ctx, tk.ID, targetID); err != nil {
			return nil, notFound(err, "Conversation linked to this ticket")
		}
		event := conversation.Part{Type: conversation.PartUnlinked, Author: admin, CreatedAt: now, SourceTicketID: tk.ID}
		from := &notify.Source{Category: tk.Category, Shared: tk.IsShared}
		if err := d.post(ctx, tx, targetID, notify.ThreadOf(), from, []conversation.Part{event}); err != nil {
			return nil, err
		}
		tk.UpdatedAt = now
		event.SourceTicketID = targetID
		return []conversation.Part{event}, nil
	})
	return err
}

// AdminReplyTicket adds a teammate's comment or note to a ticket (BO2, TR1: comments only where
// the customer sees the ticket). With crossPost, a note on a Back-office ticket also goes, as an
// internal note naming the ticket, into every linked conversation and Customer ticket (BO3),
// and un-snoozes those assigned to another teammate than the ticket (BO5); all in one
// transaction. It returns the ticket's new part.
func (d *Desk) AdminReplyTicket(ctx context.Context, id, adminID int64, t conversation.PartType, body string, crossPost bool) (conversation.Part, error) {
	admin, err := d.adminAuthor(ctx, adminID)
	if err != nil {
		return conversation.Part{}, err
	}
	var parts []conversation.Part
	_, err = d.changeTicket(ctx, id, func(tx *store.Tx, tk *ticket.Ticket, now time.Time) ([]conversation.Part, error) {
		if err := tk.CanReply(admin, t); err != nil {
			return nil, err
		}
		if crossPost {
			if err := tk.CanCrossPost(t); err != nil {
				return nil, err
			}
		}
		note, err := tk.AdminReplies(admin, t, body, now)
		if err != nil {
			return nil, err
		}
		if crossPost {
			n, err := d.crossPost(ctx, tx, *tk, note, now)
			if err != nil {
				return nil, err
			}
			if n > 0 { // the note names its own ticket: it went out (BO3)
				note.SourceTicketID = tk.ID
			}
		}
		parts = []conversation.Part{note}
		return parts, nil
	})
	if err != nil {
		return conversation.Part{}, err
	}
	return parts[0], nil // AddParts has set its id
}

// crossPost copies note into every conversation and Customer ticket tk links to (BO3), and
// opens those that are snoozed and assigned to another teammate than tk (BO5), and tells how
// many it reached. The targets are locked in id order, so that two cross-posts cannot deadlock.
func (d *Desk) crossPost(ctx context.Context, tx *store.Tx, tk ticket.Ticket, note conversation.Part, now time.Time) (int, error) {
	ids, err := tx.LinkedConversationIDs(ctx, tk.ID)
	if err != nil {
		return 0, err
	}
	reached := 0
	for _, id := range ids {
		c, err := tx.ConversationForUpdate(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue // PostgreSQL: deleted, with its link, since the links were read
		}
		if err != nil {
			return 0, fmt.Errorf("desk: cross-post to %d: %w", id, err)
		}
		copied := ticket.CrossPost(note)
		copied.SourceTicketID = tk.ID
		parts := []conversation.Part{copied}
		if ticket.WakesOnCrossPost(c, tk.AdminAssigneeID) {
			opened := c.Open(note.Author, now)
			opened.SourceTicketID = tk.ID
			parts = append(parts, opened)
		}
		c.UpdatedAt = now
		if err := tx.UpdateConversation(ctx, &c); err != nil {
			return 0, err
		}
		th := notify.ThreadOf()
		if c.IsTicket {
			th = notify.ThreadOfTicket(ticket.Customer) // links go to Customer tickets only
		}
		if err := d.post(ctx, tx, id, th, &notify.Source{Category: tk.Category, Shared: tk.IsShared}, parts); err != nil {
			return 0, err
		}
		reached++
	}
	return reached, nil
}

// ContactReplyTicket adds a customer's comment to a ticket shared with them (CT1, BO2, TR1); a
// snoozed or closed ticket opens again (CV2).
func (d *Desk) ContactReplyTicket(ctx context.Context, id, contactID int64, body string) (conversation.Part, error) {
	return d.contactReplyTicket(ctx, id, contactID, body, nil)
}

// contactReplyTicket is ContactReplyTicket with also, when it is not nil, in the same
// transaction.
func (d *Desk) contactReplyTicket(ctx context.Context, id, contactID int64, body string, also func(*store.Tx) error) (conversation.Part, error) {
	contact, err := d.db.Read().Contact(ctx, contactID)
	if err != nil {
		return conversation.Part{}, notFound(err, "Contact")
	}
	author := contactAuthor(contact)
	var parts []conversation.Part
	_, err = d.changeTicket(ctx, id, func(tx *store.Tx, tk *ticket.Ticket, now time.Time) ([]conversation.Part, error) {
		if err := tk.CanReply(author, conversation.PartComment); err != nil {
			return nil, err
		}
		if also != nil {
			if err := also(tx); err != nil {
				return nil, err
			}
		}
		var err error
		parts, err = tk.ContactReplies(author, body, now)
		return parts, err
	})
	if err != nil {
		return conversation.Part{}, err
	}
	return parts[0], nil
}

// Broadcast posts a teammate's comment, seen by the customer, in every conversation and
// Customer ticket linked to a Tracker ticket (TR4), and an internal note in the tracker saying
// so. However many links there are (TR5), it is three statements in one transaction, none of
// which reads the links into memory: a crash leaves every comment posted or none, and a linked
// conversation deleted meanwhile is left out. It returns how many conversations and tickets it
// reached.
func (d *Desk) Broadcast(ctx context.Context, id, adminID int64, body string) (int64, error) {
	admin, err := d.adminAuthor(ctx, adminID)
	if err != nil {
		return 0, err
	}
	if strings.TrimSpace(body) == "" {
		return 0, &ticket.Error{Field: "body", Message: "must not be blank"}
	}
	var reached int64
	_, err = d.changeTicket(ctx, id, func(tx *store.Tx, tk *ticket.Ticket, now time.Time) ([]conversation.Part, error) {
		if err := tk.CanBroadcast(); err != nil {
			return nil, err
		}
		comment := conversation.Part{Type: conversation.PartComment, Body: body, Author: admin, CreatedAt: now}
		var err error
		due := notify.EmailDueAt(notify.TicketReply, now, d.ReplyEmailDelay)
		if reached, err = tx.BroadcastToLinked(ctx, tk.ID, comment, due); err != nil {
			return nil, err
		}
		if err := tx.ChangedLinks(ctx, tk.ID); err != nil { // IN5, in one statement too
			return nil, err
		}
		tk.UpdatedAt = now
		note := conversation.Part{Type: conversation.PartNote, Author: admin, CreatedAt: now,
			Body: fmt.Sprintf("<p>Broadcast to %d linked conversations and tickets:</p>%s", reached, body)}
		return []conversation.Part{note}, nil
	})
	return reached, err
}

// TagTicket applies a tag to a ticket: only to one shared with the customer (BO9, TR1).
func (d *Desk) TagTicket(ctx context.Context, id, tagID, adminID int64) (store.Tagging, error) {
	return d.tag(ctx, id, adminID, true, TagRef{ID: tagID})
}

// UntagTicket removes a tag from a ticket.
func (d *Desk) UntagTicket(ctx context.Context, id, tagID int64) (store.Tag, error) {
	var tag store.Tag
	err := d.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Ticket(ctx, id); err != nil {
			return notFound(err, "Ticket")
		}
		var err error
		if tag, err = tx.Tag(ctx, tagID); err != nil {
			return notFound(err, "Tag")
		}
		removed, err := tx.UntagConversation(ctx, id, tagID)
		if err == nil && !removed {
			return &NotFoundError{What: "Tag on this ticket"}
		}
		tx.Changed(id) // IN5
		return err
	})
	return tag, err
}
