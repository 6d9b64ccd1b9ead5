package desk

import (
	"context"
	"encoding/json"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/notify"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// SendTicketForm posts a ticket form of a type into a conversation, for its customer to fill in
// (CT3): a Customer type, or a Back-office type that allows sharing (BO11). adminID is the
// teammate sending it; an automation rule sending the same form would call this too, with the
// teammate it acts for.
func (d *Desk) SendTicketForm(ctx context.Context, conversationID, adminID, typeID int64) (store.TicketForm, error) {
	admin, err := d.adminAuthor(ctx, adminID)
	if err != nil {
		return store.TicketForm{}, err
	}
	var f store.TicketForm
	// Not d.change, which answers a ticket's id with a 404: CanSendForm refuses it by name, as
	// it refuses every other form that could never be submitted.
	err = d.db.Tx(ctx, func(tx *store.Tx) error {
		now := d.clock.Now()
		c, err := tx.ConversationForUpdate(ctx, conversationID)
		if err != nil {
			return notFound(err, "Conversation")
		}
		typ, err := tx.TicketType(ctx, typeID)
		if err != nil {
			return notFound(err, "Ticket type")
		}
		target, err := tx.LinkTarget(ctx, c.ID)
		if err != nil {
			return err
		}
		if err := ticket.CanSendForm(typ, target); err != nil {
			return err
		}
		parts := []conversation.Part{{Type: notify.PartTicketForm, Body: typ.Name, Author: admin, CreatedAt: now}}
		if err := d.post(ctx, tx, c.ID, notify.ThreadOf(), nil, parts); err != nil {
			return err
		}
		c.UpdatedAt = now
		if err := tx.UpdateConversation(ctx, &c); err != nil {
			return err
		}
		f = store.TicketForm{ConversationID: c.ID, PartID: parts[0].ID, TicketTypeID: typ.ID, SentBy: adminID, SentAt: now}
		return tx.AddTicketForm(ctx, &f)
	})
	return f, err
}

// SubmitTicketForm is a customer filling in a ticket form sent into their conversation (CT3):
// the customer-visible attributes, required ones enforced (TT5). A Customer type turns the
// conversation into the ticket, in place (as CT2's conversion does, so the customer keeps one
// thread); a Back-office type creates a shared Back-office ticket linked to the conversation
// (BO6, BO10). A form is submitted once.
func (d *Desk) SubmitTicketForm(ctx context.Context, formID, contactID int64, attrs map[string]json.RawMessage) (ticket.Ticket, error) {
	contact, err := d.db.Read().Contact(ctx, contactID)
	if err != nil {
		return ticket.Ticket{}, notFound(err, "Contact")
	}
	author := contactAuthor(contact)
	var tk ticket.Ticket
	err = d.db.Tx(ctx, func(tx *store.Tx) error {
		now := d.clock.Now()
		f, err := tx.TicketFormForUpdate(ctx, formID)
		if err != nil {
			return notFound(err, "Ticket form")
		}
		if ok, err := tx.IsParticipant(ctx, contactID, f.ConversationID); err != nil {
			return err
		} else if !ok {
			return &NotFoundError{What: "Ticket form"}
		}
		// A submitted form whose ticket was deleted since has ticket_id NULL, and stays submitted.
		if f.TicketID != 0 || !f.SubmittedAt.IsZero() {
			return &ticket.Error{Field: "form", Message: "this form was submitted already"}
		}
		typ, err := tx.TicketType(ctx, f.TicketTypeID)
		if err != nil {
			return notFound(err, "Ticket type")
		}
		target, err := tx.LinkTarget(ctx, f.ConversationID)
		if err != nil {
			return err
		}
		if target.IsTicket && typ.Category == ticket.Customer {
			// Converted meanwhile by a teammate, or by another form (CT2): convert would say
			// the conversation is not found.
			return &ticket.Error{Field: "form", Message: "this conversation is a ticket already"}
		}
		if typ.Category == ticket.Customer {
			tk, err = d.convert(ctx, tx, Conversion{ConversationID: f.ConversationID, TypeID: typ.ID, Attributes: attrs}, author, ticket.ByContact, now)
		} else {
			shared := true
			tk, err = d.createTicket(ctx, tx, NewTicket{TypeID: typ.ID, Contacts: []ContactRef{{ID: contactID}}, By: author,
				Attributes: attrs, Shared: &shared, LinkTo: f.ConversationID}, now)
		}
		if err != nil {
			return err
		}
		return tx.SetTicketFormSubmitted(ctx, f.ID, tk.ID, now)
	})
	return tk, err
}

// CustomerCreateTicket is a customer creating a ticket of a Customer type without a
// conversation (CT4), from the Messenger's ticket form: the customer-visible attributes,
// required ones enforced.
func (d *Desk) CustomerCreateTicket(ctx context.Context, contactID, typeID int64, attrs map[string]json.RawMessage) (ticket.Ticket, error) {
	contact, err := d.db.Read().Contact(ctx, contactID)
	if err != nil {
		return ticket.Ticket{}, notFound(err, "Contact")
	}
	typ, err := d.db.Read().TicketType(ctx, typeID)
	if err != nil {
		return ticket.Ticket{}, notFound(err, "Ticket type")
	}
	if typ.Category != ticket.Customer {
		return ticket.Ticket{}, &NotFoundError{What: "Ticket type"} // customers see only Customer types
	}
	return d.CreateTicket(ctx, NewTicket{TypeID: typeID, Contacts: []ContactRef{{ID: contactID}}, By: contactAuthor(contact), Attributes: attrs})
}
