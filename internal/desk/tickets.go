package desk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// ContactRef names a contact by our id, the client's external id, or email; a contact named by
// an email nobody has is created, as a lead, as Intercom does.
type ContactRef struct {
	ID         int64
	ExternalID string
	Email      string
}

// NewTicket is what creating a ticket takes.
type NewTicket struct {
	TypeID   int64
	Contacts []ContactRef
	By       conversation.Author // the teammate (admin) or customer (user, lead) creating it
	// Attributes are the raw ticket_attributes: custom ones and _default_title_, _default_description_.
	Attributes map[string]json.RawMessage
	Shared     *bool  // the teammate's sharing choice (BO6); nil: not given
	LinkTo     int64  // conversation_to_link_id: a conversation or Customer ticket; 0: none
	CompanyID  *int64 // nil: not given (CO3 applies); 0: "No company"
	AdminID    int64  // assignee; 0: none
	TeamID     int64
	CreatedAt  time.Time // zero: now
}

// CreateTicket creates a ticket (TT1, TT3, TT5, CT1, CT2, CT4, BO1, BO6-BO8, TR1, TR2, CO1-CO3)
// and, when it is created from a conversation or Customer ticket, links the two.
func (d *Desk) CreateTicket(ctx context.Context, n NewTicket) (ticket.Ticket, error) {
	var tk ticket.Ticket
	err := d.db.Tx(ctx, func(tx *store.Tx) error {
		now := d.clock.Now()
		typ, err := tx.TicketType(ctx, n.TypeID)
		if err != nil {
			return notFound(err, "Ticket type")
		}
		if typ.Archived {
			return &ticket.Error{Field: "ticket_type_id", Message: fmt.Sprintf("ticket type %q is archived", typ.Name)}
		}
		who := ticket.ByTeammate
		if n.By.IsContact() {
			who = ticket.ByContact
		}
		values, err := typ.Validate(n.Attributes, who, false)
		if err != nil {
			return err
		}
		title, _ := values[ticket.TitleAttribute].(string)
		description, _ := values[ticket.DescriptionAttribute].(string)
		delete(values, ticket.TitleAttribute)
		delete(values, ticket.DescriptionAttribute)
		contactIDs, err := d.resolveContacts(ctx, tx, n.Contacts, now)
		if err != nil {
			return err
		}
		if typ.Category == ticket.Customer && len(contactIDs) == 0 {
			return &ticket.Error{Field: "contacts", Message: "a Customer ticket needs the contact it is for"}
		}
		var link *ticket.Target
		if n.LinkTo != 0 {
			t, err := tx.LinkTarget(ctx, n.LinkTo)
			if err != nil {
				return notFound(err, "Conversation to link")
			}
			link = &t
		}
		shared, err := ticket.Sharing(typ, n.Shared, link)
		if err != nil {
			return err
		}
		companies := make([][]int64, len(contactIDs))
		for i, id := range contactIDs {
			if companies[i], err = tx.ContactCompanyIDs(ctx, id); err != nil {
				return err
			}
		}
		companyID, err := ticket.ChooseCompany(companies, n.CompanyID)
		if err != nil {
			return err
		}
		if n.AdminID != 0 {
			if err := tx.AdminExists(ctx, n.AdminID); err != nil {
				return notFound(err, "Assignee admin")
			}
		}
		if n.TeamID != 0 {
			if _, err := tx.Team(ctx, n.TeamID); err != nil {
				return notFound(err, "Assignee team")
			}
		}
		states, err := tx.TicketStates(ctx)
		if err != nil {
			return err
		}
		initial, ok := states.Initial()
		if !ok {
			return errors.New("desk: no Submitted ticket state")
		}
		created := now
		if !n.CreatedAt.IsZero() {
			created = n.CreatedAt
		}
		source := n.By
		tk = ticket.Ticket{
			Conversation: conversation.Conversation{
				IsTicket: true, Title: strings.TrimSpace(title), State: conversation.Open,
				AdminAssigneeID: n.AdminID, TeamAssigneeID: n.TeamID, ContactIDs: contactIDs,
				Source:    conversation.Source{Type: "ticket", DeliveredAs: deliveredAs(source), Body: description, Author: source},
				CreatedAt: created, UpdatedAt: now,
			},
			Type: typ, Category: typ.Category, State: initial, Description: ticket.SanitizeDescription(description),
			Attributes: values, IsShared: shared, CompanyID: companyID,
		}
		if err := tx.CreateTicket(ctx, &tk); err != nil {
			return err
		}
		parts := []conversation.Part{{Type: conversation.PartTicketCreated, Author: source, CreatedAt: now}}
		if err := tx.AddParts(ctx, tk.ID, parts); err != nil {
			return err
		}
		if link != nil {
			return d.link(ctx, tx, &tk, *link, source, now)
		}
		return nil
	})
	return tk, err
}

// resolveContacts finds (or, by email, creates) the contacts a ticket is for, without repeats.
func (d *Desk) resolveContacts(ctx context.Context, tx *store.Tx, refs []ContactRef, now time.Time) ([]int64, error) {
	var ids []int64
	seen := map[int64]bool{}
	for i, r := range refs {
		var c store.Contact
		var err error
		switch {
		case r.ID != 0:
			c, err = tx.Contact(ctx, r.ID)
		case r.ExternalID != "":
			c, err = tx.ContactByExternalID(ctx, r.ExternalID)
		case r.Email != "":
			c, err = tx.ContactByEmail(ctx, r.Email)
			if errors.Is(err, store.ErrNotFound) {
				c = store.Contact{Role: "lead", Email: r.Email, CreatedAt: now, UpdatedAt: now}
				err = tx.CreateContact(ctx, &c)
			}
		default:
			return nil, &ticket.Error{Field: fmt.Sprintf("contacts[%d]", i), Message: "needs an id, external_id or email"}
		}
		if err != nil {
			return nil, notFound(err, "Contact")
		}
		if !seen[c.ID] {
			seen[c.ID] = true
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

func deliveredAs(a conversation.Author) string {
	if a.IsContact() {
		return "customer_initiated"
	}
	return "admin_initiated"
}

// link links tk to target (BO1, TR2) inside tx, with an event in both timelines.
func (d *Desk) link(ctx context.Context, tx *store.Tx, tk *ticket.Ticket, target ticket.Target, by conversation.Author, now time.Time) error {
	if err := tk.CanLink(target); err != nil {
		return err
	}
	err := tx.AddTicketLink(ctx, store.Link{TicketID: tk.ID, ConversationID: target.ID, Kind: tk.Category, Shared: tk.IsShared}, now)
	if errors.Is(err, store.ErrConflict) {
		return &ticket.Error{Field: "id", Message: fmt.Sprintf("ticket %d cannot be linked to %d: already linked, or the conversation already has a tracker or a shared Back-office ticket (TR2, BO7)", tk.ID, target.ID)}
	}
	if err != nil {
		return err
	}
	event := conversation.Part{Type: conversation.PartLinked, Author: by, CreatedAt: now, SourceTicketID: tk.ID}
	if err := tx.AddParts(ctx, target.ID, []conversation.Part{event}); err != nil {
		return err
	}
	event.SourceTicketID = target.ID
	return tx.AddParts(ctx, tk.ID, []conversation.Part{event})
}

// changeTicket loads ticket id for update, lets fn apply rules, and stores the ticket and the
// parts fn returns, in one transaction.
func (d *Desk) changeTicket(ctx context.Context, id int64, fn func(tx *store.Tx, tk *ticket.Ticket, now time.Time) ([]conversation.Part, error)) (ticket.Ticket, error) {
	var tk ticket.Ticket
	err := d.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		if tk, err = tx.TicketForUpdate(ctx, id); err != nil {
			return notFound(err, "Ticket")
		}
		now := d.clock.Now()
		parts, err := fn(tx, &tk, now)
		if err != nil {
			return err
		}
		if err := tx.UpdateTicket(ctx, &tk); err != nil {
			return err
		}
		return tx.AddParts(ctx, tk.ID, parts)
	})
	return tk, err
}

// ChangeState moves a ticket to another state (ST2): an event part, a row of state history,
// and, for a Back-office ticket, an event in every linked conversation and Customer ticket (BO4).
func (d *Desk) ChangeState(ctx context.Context, id, adminID, stateID int64) (ticket.Ticket, error) {
	admin, err := d.adminAuthor(ctx, adminID)
	if err != nil {
		return ticket.Ticket{}, err
	}
	return d.changeTicket(ctx, id, func(tx *store.Tx, tk *ticket.Ticket, now time.Time) ([]conversation.Part, error) {
		states, err := tx.TicketStates(ctx)
		if err != nil {
			return nil, err
		}
		to, ok := states.ByID(stateID)
		if !ok {
			return nil, &NotFoundError{What: "Ticket state"}
		}
		change, changed, err := tk.ChangeState(to, now)
		if err != nil || !changed {
			return nil, err
		}
		if err := tx.RecordStateChange(ctx, tk.ID, change); err != nil {
			return nil, err
		}
		part := conversation.Part{Type: conversation.PartStateChanged, Author: admin, CreatedAt: now,
			FromStateID: change.From.ID, ToStateID: change.To.ID}
		if tk.Category == ticket.BackOffice {
			links, err := tx.Links(ctx, tk.ID)
			if err != nil {
				return nil, err
			}
			event := conversation.Part{Type: conversation.PartLinkedStateChanged, Author: admin, CreatedAt: now,
				FromStateID: change.From.ID, ToStateID: change.To.ID, SourceTicketID: tk.ID}
			for _, l := range links {
				if l.TicketID == tk.ID {
					if err := tx.AddParts(ctx, l.ConversationID, []conversation.Part{event}); err != nil {
						return nil, err
					}
				}
			}
		}
		return []conversation.Part{part}, nil
	})
}
