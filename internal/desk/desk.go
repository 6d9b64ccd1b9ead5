// Package desk carries out what teammates, customers and integrations do to conversations: each
// operation loads what it needs, applies the rules of package conversation, and stores the
// result with its timeline parts in one transaction. The API (and later the Inbox, the Messenger
// and email) call these operations; none of them repeats a rule.
package desk

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpdesk/helpdesk/internal/clock"
	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/notify"
	"github.com/helpdesk/helpdesk/internal/store"
)

// Desk runs operations against the store.
type Desk struct {
	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
	// ReplyEmailDelay is how long a teammate's reply waits to be seen in the Messenger before it
	// is emailed (N2; HELPDESK_REPLY_EMAIL_DELAY). Set it before use.
	ReplyEmailDelay time.Duration
}

// New returns a Desk.
func New(db *store.DB, clk clock.Clock, log *slog.Logger) *Desk {
	return &Desk{db: db, clock: clk, log: log, ReplyEmailDelay: notify.DefaultReplyEmailDelay}
}

// post adds parts to the timeline of thread id, each marked as the customer sees it or not,
// and records in tx the notifications they owe the thread's customers (N1-N5). from is the
// ticket the parts come from, if any. Every write to a thread comes here, with its parts or
// none, so this is where the thread is named to the change log for open Inbox pages (IN5).
func (d *Desk) post(ctx context.Context, tx *store.Tx, id int64, th notify.Thread, from *notify.Source, parts []conversation.Part) error {
	tx.Changed(id)
	for i := range parts {
		parts[i].Visible = notify.Visible(th, parts[i], from)
	}
	if err := tx.AddParts(ctx, id, parts); err != nil {
		return err
	}
	for _, p := range parts {
		if kind, ok := notify.Of(th, p, from); ok {
			due := notify.EmailDueAt(kind, p.CreatedAt, d.ReplyEmailDelay)
			if err := tx.AddNotifications(ctx, id, p, string(kind), due); err != nil {
				return err
			}
		}
	}
	return nil
}

// NotFoundError says which object named in a request does not exist.
type NotFoundError struct{ What string }

func (e *NotFoundError) Error() string { return e.What + " Not Found" }

// notFound turns the store's ErrNotFound into a NotFoundError naming what.
func notFound(err error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return &NotFoundError{What: what}
	}
	return err
}

// StartConversation opens a conversation with a contact's first message (CV1).
func (d *Desk) StartConversation(ctx context.Context, contactID int64, body string) (conversation.Conversation, error) {
	contact, err := d.db.Read().Contact(ctx, contactID)
	if err != nil {
		return conversation.Conversation{}, notFound(err, "Contact")
	}
	c, err := conversation.Start(contactAuthor(contact), body, d.clock.Now())
	if err != nil {
		return c, err
	}
	err = d.db.Tx(ctx, func(tx *store.Tx) error {
		err := tx.CreateConversation(ctx, &c)
		tx.Changed(c.ID) // IN5: a new conversation, without a part
		return err
	})
	if errors.Is(err, store.ErrInUse) {
		return c, &NotFoundError{What: "Contact"} // deleted since it was read
	}
	return c, err
}

func contactAuthor(c store.Contact) conversation.Author {
	if c.Role == "lead" {
		return conversation.Author{Type: conversation.AuthorLead, ID: c.ID}
	}
	return conversation.Author{Type: conversation.AuthorUser, ID: c.ID}
}

// change loads conversation id for update, lets fn apply a rule, and stores the conversation
// and the parts fn returns, all in one transaction. A ticket's id names no conversation here:
// tickets change through their own operations.
func (d *Desk) change(ctx context.Context, id int64, fn func(tx *store.Tx, c *conversation.Conversation, now time.Time) ([]conversation.Part, error)) (conversation.Conversation, error) {
	var c conversation.Conversation
	err := d.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		if c, err = tx.ConversationForUpdate(ctx, id); err != nil {
			return notFound(err, "Conversation")
		}
		if c.IsTicket {
			return &NotFoundError{What: "Conversation"}
		}
		parts, err := fn(tx, &c, d.clock.Now())
		if err != nil {
			return err
		}
		if err := tx.UpdateConversation(ctx, &c); err != nil {
			return err
		}
		return d.post(ctx, tx, c.ID, notify.ThreadOf(), nil, parts)
	})
	return c, err
}

// adminAuthor checks that a teammate exists and returns it as an author. It reads outside the
// write transaction, so as not to hold SQLite's single writer for it; teammates are not deleted.
func (d *Desk) adminAuthor(ctx context.Context, adminID int64) (conversation.Author, error) {
	if err := d.db.Read().AdminExists(ctx, adminID); err != nil {
		return conversation.Author{}, notFound(err, "Admin")
	}
	return conversation.Author{Type: conversation.AuthorAdmin, ID: adminID}, nil
}

// ContactReply adds a customer's comment; a snoozed or closed conversation opens (CV2).
func (d *Desk) ContactReply(ctx context.Context, id, contactID int64, body string) (conversation.Conversation, error) {
	return d.contactReply(ctx, id, contactID, body, nil)
}

// contactReply is ContactReply with also, when it is not nil, in the same transaction.
func (d *Desk) contactReply(ctx context.Context, id, contactID int64, body string, also func(*store.Tx) error) (conversation.Conversation, error) {
	contact, err := d.db.Read().Contact(ctx, contactID)
	if err != nil {
		return conversation.Conversation{}, notFound(err, "Contact")
	}
	return d.change(ctx, id, func(tx *store.Tx, c *conversation.Conversation, now time.Time) ([]conversation.Part, error) {
		// The participant check in ContactReplies runs inside the transaction: a contact who
		// was deleted meanwhile is no longer a participant.
		if err := tx.WithContacts(ctx, c); err != nil {
			return nil, err
		}
		if also != nil {
			if err := also(tx); err != nil {
				return nil, err
			}
		}
		return c.ContactReplies(contactAuthor(contact), body, now)
	})
}

// AdminReply adds a teammate's comment or note (CV1).
func (d *Desk) AdminReply(ctx context.Context, id, adminID int64, t conversation.PartType, body string) (conversation.Conversation, error) {
	admin, err := d.adminAuthor(ctx, adminID)
	if err != nil {
		return conversation.Conversation{}, err
	}
	return d.change(ctx, id, func(tx *store.Tx, c *conversation.Conversation, now time.Time) ([]conversation.Part, error) {
		p, err := c.AdminReplies(admin, t, body, now)
		return []conversation.Part{p}, err
	})
}

// Close closes a conversation, with an optional comment to the customer first.
func (d *Desk) Close(ctx context.Context, id, adminID int64, body string) (conversation.Conversation, error) {
	admin, err := d.adminAuthor(ctx, adminID)
	if err != nil {
		return conversation.Conversation{}, err
	}
	return d.change(ctx, id, func(tx *store.Tx, c *conversation.Conversation, now time.Time) ([]conversation.Part, error) {
		return []conversation.Part{c.Close(admin, body, now)}, nil
	})
}

// Open opens a snoozed or closed conversation.
func (d *Desk) Open(ctx context.Context, id, adminID int64) (conversation.Conversation, error) {
	admin, err := d.adminAuthor(ctx, adminID)
	if err != nil {
		return conversation.Conversation{}, err
	}
	return d.change(ctx, id, func(tx *store.Tx, c *conversation.Conversation, now time.Time) ([]conversation.Part, error) {
		return []conversation.Part{c.Open(admin, now)}, nil
	})
}

// Snooze snoozes a conversation until a time (CV2); Wake opens it then.
func (d *Desk) Snooze(ctx context.Context, id, adminID int64, until time.Time) (conversation.Conversation, error) {
	admin, err := d.adminAuthor(ctx, adminID)
	if err != nil {
		return conversation.Conversation{}, err
	}
	return d.change(ctx, id, func(tx *store.Tx, c *conversation.Conversation, now time.Time) ([]conversation.Part, error) {
		p, err := c.Snooze(admin, until, now)
		return []conversation.Part{p}, err
	})
}

// AssigneeType names who a conversation is assigned to.
type AssigneeType string

// Assignee types.
const (
	ToAdmin AssigneeType = "admin"
	ToTeam  AssigneeType = "team"
)

// Assign gives a conversation to a teammate or a team; assignee 0 unassigns (CV3).
func (d *Desk) Assign(ctx context.Context, id, byAdminID int64, to AssigneeType, assigneeID int64, body string) (conversation.Conversation, error) {
	by, err := d.adminAuthor(ctx, byAdminID)
	if err != nil {
		return conversation.Conversation{}, err
	}
	return d.change(ctx, id, func(tx *store.Tx, c *conversation.Conversation, now time.Time) ([]conversation.Part, error) {
		switch to {
		case ToAdmin:
			if assigneeID != 0 {
				if err := assignable(ctx, tx, assigneeID); err != nil {
					return nil, err
				}
			}
			return []conversation.Part{c.AssignAdmin(by, assigneeID, body, now)}, nil
		case ToTeam:
			if assigneeID != 0 {
				if _, err := tx.Team(ctx, assigneeID); err != nil {
					return nil, notFound(err, "Assignee team")
				}
			}
			return []conversation.Part{c.AssignTeam(by, assigneeID, body, now)}, nil
		}
		return nil, &conversation.Error{Field: "type", Message: "must be admin or team"}
	})
}

// assignable checks that teammate id exists and can be given work: a deactivated teammate
// (they left) cannot.
func assignable(ctx context.Context, tx *store.Tx, id int64) error {
	a, err := tx.Admin(ctx, id)
	if err != nil {
		return notFound(err, "Assignee admin")
	}
	if !a.Active() {
		return &conversation.Error{Field: "assignee_id", Message: fmt.Sprintf("%s is deactivated: choose another teammate", a.Name)}
	}
	return nil
}

// AttachContact adds a participant.
func (d *Desk) AttachContact(ctx context.Context, id, byAdminID, contactID int64) (conversation.Conversation, error) {
	by, err := d.adminAuthor(ctx, byAdminID)
	if err != nil {
		return conversation.Conversation{}, err
	}
	return d.change(ctx, id, func(tx *store.Tx, c *conversation.Conversation, now time.Time) ([]conversation.Part, error) {
		if _, err := tx.Contact(ctx, contactID); err != nil {
			return nil, notFound(err, "Contact")
		}
		if err := tx.WithContacts(ctx, c); err != nil {
			return nil, err
		}
		p, err := c.AddContact(by, contactID, now)
		if err != nil {
			return nil, err
		}
		return []conversation.Part{p}, tx.AddConversationContact(ctx, c.ID, contactID, now)
	})
}

// DetachContact removes a participant.
func (d *Desk) DetachContact(ctx context.Context, id, byAdminID, contactID int64) (conversation.Conversation, error) {
	by, err := d.adminAuthor(ctx, byAdminID)
	if err != nil {
		return conversation.Conversation{}, err
	}
	return d.change(ctx, id, func(tx *store.Tx, c *conversation.Conversation, now time.Time) ([]conversation.Part, error) {
		if err := tx.WithContacts(ctx, c); err != nil {
			return nil, err
		}
		p, err := c.RemoveContact(by, contactID, now)
		if err != nil {
			return nil, err
		}
		return []conversation.Part{p}, tx.RemoveConversationContact(ctx, c.ID, contactID)
	})
}

// Update changes a conversation's title and read flag; nil leaves a field as it is.
func (d *Desk) Update(ctx context.Context, id, byAdminID int64, title *string, read *bool) (conversation.Conversation, error) {
	return d.change(ctx, id, func(tx *store.Tx, c *conversation.Conversation, now time.Time) ([]conversation.Part, error) {
		var parts []conversation.Part
		if title != nil && *title != c.Title {
			by := conversation.Author{Type: conversation.AuthorAdmin, ID: byAdminID}
			parts = append(parts, c.SetTitle(by, *title, now))
		}
		if read != nil {
			c.Read = *read
		}
		return parts, nil
	})
}

// Tag applies a tag to a conversation (CV4), as byAdminID.
func (d *Desk) Tag(ctx context.Context, id, tagID, byAdminID int64) (store.Tagging, error) {
	return d.tag(ctx, id, byAdminID, false, TagRef{ID: tagID})
}

// TagRef names a tag to apply: by ID, or by Name, made when no tag has it yet.
type TagRef struct {
	ID   int64
	Name string
}

// ApplyTag applies a tag, named or not yet made, to a conversation or a ticket (CV4, BO9). A
// refused tagging makes no tag.
func (d *Desk) ApplyTag(ctx context.Context, id, byAdminID int64, isTicket bool, ref TagRef) (store.Tagging, error) {
	return d.tag(ctx, id, byAdminID, isTicket, ref)
}

func (d *Desk) tag(ctx context.Context, id, byAdminID int64, isTicket bool, ref TagRef) (store.Tagging, error) {
	if _, err := d.adminAuthor(ctx, byAdminID); err != nil {
		return store.Tagging{}, err
	}
	name := strings.TrimSpace(ref.Name)
	if ref.ID == 0 {
		if err := checkText("name", name); err != nil {
			return store.Tagging{}, err
		}
		if name == "" || utf8.RuneCountInString(name) > 255 {
			return store.Tagging{}, fieldErr("name", "a tag's name must have 1 to 255 characters")
		}
	}
	var t store.Tagging
	err := d.db.Tx(ctx, func(tx *store.Tx) error {
		if isTicket {
			tk, err := tx.Ticket(ctx, id)
			if err != nil {
				return notFound(err, "Ticket")
			}
			if err := tk.CanTag(); err != nil { // BO9, TR1
				return err
			}
		} else if c, err := tx.Conversation(ctx, id); err != nil || c.IsTicket {
			return notFound(cmp.Or(err, store.ErrNotFound), "Conversation")
		}
		now := d.clock.Now()
		var err error
		if ref.ID != 0 {
			t.Tag, err = tx.Tag(ctx, ref.ID)
		} else {
			t.Tag, err = tx.CreateTag(ctx, name, now)
		}
		if err != nil {
			return notFound(err, "Tag")
		}
		t.ObjectID, t.AppliedAt, t.AppliedBy = id, now, byAdminID
		tx.Changed(id) // IN5: tags add no part
		return tx.TagConversation(ctx, id, t.ID, byAdminID, now)
	})
	return t, err
}

// Untag removes a tag from a conversation (CV4).
func (d *Desk) Untag(ctx context.Context, id, tagID int64) (store.Tag, error) {
	var tag store.Tag
	err := d.db.Tx(ctx, func(tx *store.Tx) error {
		if c, err := tx.Conversation(ctx, id); err != nil || c.IsTicket {
			return notFound(cmp.Or(err, store.ErrNotFound), "Conversation")
		}
		var err error
		if tag, err = tx.Tag(ctx, tagID); err != nil {
			return notFound(err, "Tag")
		}
		removed, err := tx.UntagConversation(ctx, id, tagID)
		if err == nil && !removed {
			return &NotFoundError{What: "Tag on this conversation"}
		}
		tx.Changed(id) // IN5
		return err
	})
	return tag, err
}

// WakeSnoozed opens every conversation whose snooze has ended (CV2) and returns how many it
// opened. Being driven by the stored snoozed_until, it survives restarts: a conversation whose
// time passed while the server was down opens at the next sweep.
func (d *Desk) WakeSnoozed(ctx context.Context) (int, error) {
	woken := 0
	for {
		ids, err := d.db.Read().DueSnoozes(ctx, d.clock.Now(), 100)
		if err != nil {
			return woken, fmt.Errorf("desk: wake snoozed: %w", err)
		}
		for _, id := range ids {
			_, err := d.change(ctx, id, func(tx *store.Tx, c *conversation.Conversation, now time.Time) ([]conversation.Part, error) {
				p, ok := c.Wake(now)
				if !ok {
					return nil, nil // a teammate or the customer got there first
				}
				woken++
				return []conversation.Part{p}, nil
			})
			if err != nil {
				return woken, fmt.Errorf("desk: wake conversation %d: %w", id, err)
			}
		}
		if len(ids) < 100 {
			return woken, nil
		}
	}
}

// RunSnoozeSweeper calls WakeSnoozed every interval until ctx ends.
func (d *Desk) RunSnoozeSweeper(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := d.WakeSnoozed(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("snooze sweep failed", "err", err)
		} else if n > 0 {
			d.log.Info("snoozed conversations opened", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
