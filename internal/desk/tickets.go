package desk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/notify"
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
		var err error
		tk, err = d.createTicket(ctx, tx, n, d.clock.Now())
		return err
	})
	return tk, err
}

// createTicket is CreateTicket inside tx.
func (d *Desk) createTicket(ctx context.Context, tx *store.Tx, n NewTicket, now time.Time) (tk ticket.Ticket, err error) {
	typ, err := tx.TicketType(ctx, n.TypeID)
	if err != nil {
		return tk, notFound(err, "Ticket type")
	}
	if typ.Archived {
		return tk, &ticket.Error{Field: "ticket_type_id", Message: fmt.Sprintf("ticket type %q is archived", typ.Name)}
	}
	who := ticket.ByTeammate
	if n.By.IsContact() {
		who = ticket.ByContact
	}
	values, err := typ.Validate(n.Attributes, who, false)
	if err != nil {
		return tk, err
	}
	title, _ := values[ticket.TitleAttribute].(string)
	description, _ := values[ticket.DescriptionAttribute].(string)
	delete(values, ticket.TitleAttribute)
	delete(values, ticket.DescriptionAttribute)
	contactIDs, err := d.resolveContacts(ctx, tx, n.Contacts, now)
	if err != nil {
		return tk, err
	}
	if typ.Category == ticket.Customer && len(contactIDs) == 0 {
		return tk, &ticket.Error{Field: "contacts", Message: "a Customer ticket needs the contact it is for"}
	}
	var link *ticket.Target
	if n.LinkTo != 0 {
		t, err := tx.LinkTarget(ctx, n.LinkTo)
		if err != nil {
			return tk, notFound(err, "Conversation to link")
		}
		link = &t
	}
	shared, err := ticket.Sharing(typ, n.Shared, link)
	if err != nil {
		return tk, err
	}
	companyID, err := d.chooseCompany(ctx, tx, contactIDs, n.CompanyID)
	if err != nil {
		return tk, err
	}
	if n.AdminID != 0 {
		if err := assignable(ctx, tx, n.AdminID); err != nil {
			return tk, err
		}
	}
	if n.TeamID != 0 {
		if _, err := tx.Team(ctx, n.TeamID); err != nil {
			return tk, notFound(err, "Assignee team")
		}
	}
	states, err := tx.TicketStates(ctx)
	if err != nil {
		return tk, err
	}
	initial, ok := states.Initial()
	if !ok {
		return tk, errors.New("desk: no Submitted ticket state")
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
		return tk, err
	}
	parts := []conversation.Part{{Type: conversation.PartTicketCreated, Author: source, CreatedAt: now}}
	if err := d.post(ctx, tx, tk.ID, notify.ThreadOfTicket(tk.Category), nil, parts); err != nil {
		return tk, err
	}
	if link != nil {
		return tk, d.link(ctx, tx, &tk, *link, source, now)
	}
	return tk, nil
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
	from := &notify.Source{Category: tk.Category, Shared: tk.IsShared}
	if err := d.post(ctx, tx, target.ID, threadOfTarget(target), from, []conversation.Part{event}); err != nil {
		return err
	}
	event.SourceTicketID = target.ID
	return d.post(ctx, tx, tk.ID, notify.ThreadOfTicket(tk.Category), nil, []conversation.Part{event})
}

// threadOfTarget describes the timeline of a conversation or Customer ticket a ticket links to.
func threadOfTarget(t ticket.Target) notify.Thread {
	if t.IsTicket {
		return notify.ThreadOfTicket(t.Category)
	}
	return notify.ThreadOf()
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
		return d.post(ctx, tx, tk.ID, notify.ThreadOfTicket(tk.Category), nil, parts)
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
		return d.changeState(ctx, tx, tk, admin, stateID, now)
	})
}

// changeState is ChangeState inside tx, for the operations that change a ticket's state with
// other things at once.
func (d *Desk) changeState(ctx context.Context, tx *store.Tx, tk *ticket.Ticket, admin conversation.Author, stateID int64, now time.Time) ([]conversation.Part, error) {
	states, err := tx.TicketStates(ctx)
	if err != nil {
		return nil, err
	}
	to, ok := states.ByID(stateID)
	if !ok {
		return nil, &ticket.Error{Field: "ticket_state_id", Message: "Ticket state id is not valid"}
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
		from := &notify.Source{Category: tk.Category, Shared: tk.IsShared}
		for _, l := range links {
			if l.TicketID == tk.ID {
				// Links go to conversations and Customer tickets, both threads customers see;
				// what they see of the event depends on the ticket it comes from (BO10).
				if err := d.post(ctx, tx, l.ConversationID, notify.ThreadOf(), from, []conversation.Part{event}); err != nil {
					return nil, err
				}
			}
		}
	}
	return []conversation.Part{part}, nil
}

// TicketChange is what updating a ticket may change (Intercom's update_ticket_request); nil
// leaves a field as it is.
type TicketChange struct {
	AdminID    int64 // the teammate making the change
	Attributes map[string]json.RawMessage
	StateID    *int64
	Open       *bool
	// SnoozedUntil snoozes the ticket; it goes with Open nil or true.
	SnoozedUntil *time.Time
	// AssigneeID is Intercom's assignee_id: a teammate, or a team when no teammate has the id
	// (Intercom's admins and teams share one id space; ours do not). 0 unassigns the teammate.
	AssigneeID     *int64
	TeamAssigneeID *int64 // an extension naming a team without doubt; 0: no team
	CompanyID      *int64 // 0: "No company"
	Shared         *bool
}

// UpdateTicket changes a ticket's attributes (TT3, TT5), state (ST2), open or closed (ST3),
// snooze, assignees and company (CO1, CO2) in one transaction, each change an event part in the
// ticket's timeline. Sharing was decided when the ticket was created (BO6): an update may only
// repeat it.
func (d *Desk) UpdateTicket(ctx context.Context, id int64, ch TicketChange) (ticket.Ticket, error) {
	admin, err := d.adminAuthor(ctx, ch.AdminID)
	if err != nil {
		return ticket.Ticket{}, err
	}
	if ch.Open != nil && !*ch.Open && ch.SnoozedUntil != nil {
		return ticket.Ticket{}, &ticket.Error{Field: "snoozed_until", Message: "a ticket being closed (open false) cannot be snoozed"}
	}
	return d.changeTicket(ctx, id, func(tx *store.Tx, tk *ticket.Ticket, now time.Time) ([]conversation.Part, error) {
		if ch.Shared != nil {
			if err := tk.SetSharing(*ch.Shared); err != nil {
				return nil, err
			}
		}
		changed, err := tk.Update(ch.Attributes, now)
		if err != nil {
			return nil, err
		}
		var parts []conversation.Part
		var changes []attributeChange
		for _, name := range changed {
			parts = append(parts, conversation.Part{Type: ticket.PartAttributeUpdated, Author: admin, CreatedAt: now})
			changes = append(changes, attributeChange{len(parts) - 1, attributeChangeOf(*tk, name)})
		}
		if ch.StateID != nil {
			p, err := d.changeState(ctx, tx, tk, admin, *ch.StateID, now)
			if err != nil {
				return nil, err
			}
			parts = append(parts, p...)
		}
		switch {
		case ch.Open != nil && !*ch.Open && tk.Conversation.State != conversation.Closed:
			parts = append(parts, tk.Close(admin, "", now)) // ST3: closing leaves the state alone
		case ch.SnoozedUntil != nil:
			p, err := tk.Snooze(admin, *ch.SnoozedUntil, now)
			if err != nil {
				return nil, err
			}
			parts = append(parts, p)
		case ch.Open != nil && *ch.Open && tk.Conversation.State != conversation.Open:
			parts = append(parts, tk.Open(admin, now))
		}
		teamID := ch.TeamAssigneeID
		if a := ch.AssigneeID; a != nil {
			toAdmin := *a == 0
			if !toAdmin {
				err := tx.AdminExists(ctx, *a)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return nil, err
				}
				toAdmin = err == nil
			}
			switch {
			case toAdmin && *a != tk.AdminAssigneeID:
				if *a != 0 {
					if err := assignable(ctx, tx, *a); err != nil {
						return nil, err
					}
				}
				parts = append(parts, tk.AssignAdmin(admin, *a, "", now))
			case !toAdmin && teamID != nil && *teamID != *a:
				return nil, &ticket.Error{Field: "assignee_id", Message: "names a team, and team_assignee_id another"}
			case !toAdmin:
				teamID = a
			}
		}
		if t := teamID; t != nil && *t != tk.TeamAssigneeID {
			if *t != 0 {
				if _, err := tx.Team(ctx, *t); err != nil {
					return nil, notFound(err, "Assignee")
				}
			}
			parts = append(parts, tk.AssignTeam(admin, *t, "", now))
		}
		if ch.CompanyID != nil {
			companyID, err := d.chooseCompany(ctx, tx, tk.ContactIDs, ch.CompanyID)
			if err != nil {
				return nil, err
			}
			if companyID != tk.CompanyID {
				tk.CompanyID, tk.UpdatedAt = companyID, now
				parts = append(parts, conversation.Part{Type: ticket.PartAttributeUpdated, Author: admin, CreatedAt: now})
				changes = append(changes, attributeChange{len(parts) - 1, store.AttributeChange{Label: "Company", Value: nullable(companyID)}})
			}
		}
		return nil, d.addParts(ctx, tx, tk, parts, changes)
	})
}

type attributeChange struct {
	part   int // index in the parts
	change store.AttributeChange
}

// addParts adds parts to a ticket's timeline and records what the attribute parts among them
// changed.
func (d *Desk) addParts(ctx context.Context, tx *store.Tx, tk *ticket.Ticket, parts []conversation.Part, changes []attributeChange) error {
	if err := d.post(ctx, tx, tk.ID, notify.ThreadOfTicket(tk.Category), nil, parts); err != nil {
		return err
	}
	for _, c := range changes {
		if err := tx.SetAttributeChange(ctx, parts[c.part].ID, c.change); err != nil {
			return err
		}
	}
	return nil
}

func attributeChangeOf(tk ticket.Ticket, name string) store.AttributeChange {
	c := store.AttributeChange{Label: name}
	for _, a := range tk.Type.Attributes {
		if a.Name == name {
			c.AttributeID = a.ID
			if a.Default && a.Description != "" {
				c.Label = a.Description
			}
		}
	}
	switch name {
	case ticket.TitleAttribute:
		c.Value = tk.Title
	case ticket.DescriptionAttribute:
		c.Value = tk.Description
	default:
		c.Value = tk.Attributes[name]
	}
	return c
}

func nullable(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// chooseCompany applies CO2 and CO3 to the companies of contacts.
func (d *Desk) chooseCompany(ctx context.Context, tx *store.Tx, contactIDs []int64, requested *int64) (int64, error) {
	companies := make([][]int64, len(contactIDs))
	for i, id := range contactIDs {
		var err error
		if companies[i], err = tx.ContactCompanyIDs(ctx, id); err != nil {
			return 0, err
		}
	}
	return ticket.ChooseCompany(companies, requested)
}

// ChangeTicketType moves a ticket to another type of the same category (TT1, TT4, TT5) and to
// state stateID (ST2), in one transaction.
func (d *Desk) ChangeTicketType(ctx context.Context, id, adminID, typeID, stateID int64, attrs map[string]json.RawMessage) (ticket.Ticket, error) {
	admin, err := d.adminAuthor(ctx, adminID)
	if err != nil {
		return ticket.Ticket{}, err
	}
	return d.changeTicket(ctx, id, func(tx *store.Tx, tk *ticket.Ticket, now time.Time) ([]conversation.Part, error) {
		to, err := tx.TicketType(ctx, typeID)
		if err != nil {
			return nil, notFound(err, "Ticket type")
		}
		if err := tk.ChangeType(to, attrs, now); err != nil {
			return nil, err
		}
		tk.Category = to.Category
		parts := []conversation.Part{{Type: ticket.PartTypeChanged, Body: to.Name, Author: admin, CreatedAt: now}}
		p, err := d.changeState(ctx, tx, tk, admin, stateID, now)
		return append(parts, p...), err
	})
}

// Conversion is what converting a conversation to a ticket takes (CT2).
type Conversion struct {
	ConversationID int64
	AdminID        int64
	TypeID         int64
	StateID        int64 // 0: Submitted
	Attributes     map[string]json.RawMessage
	CompanyID      *int64 // nil: CO3 chooses; 0: "No company"
}

// ConvertConversation makes a Customer ticket of a conversation in place (CT2, CO1-CO3): the
// ticket keeps the conversation's id, participants and timeline, in one transaction.
func (d *Desk) ConvertConversation(ctx context.Context, cv Conversion) (ticket.Ticket, error) {
	admin, err := d.adminAuthor(ctx, cv.AdminID)
	if err != nil {
		return ticket.Ticket{}, err
	}
	var tk ticket.Ticket
	err = d.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		tk, err = d.convert(ctx, tx, cv, admin, ticket.ByTeammate, d.clock.Now())
		return err
	})
	return tk, err
}

// convert is ConvertConversation inside tx, by a teammate or (a ticket form, CT3) a customer.
func (d *Desk) convert(ctx context.Context, tx *store.Tx, cv Conversion, by conversation.Author, who ticket.Audience, now time.Time) (tk ticket.Ticket, err error) {
	c, err := tx.ConversationForUpdate(ctx, cv.ConversationID)
	if err != nil {
		return tk, notFound(err, "Conversation")
	}
	if c.IsTicket {
		return tk, &NotFoundError{What: "Conversation"}
	}
	if err := tx.WithContacts(ctx, &c); err != nil {
		return tk, err
	}
	typ, err := tx.TicketType(ctx, cv.TypeID)
	if err != nil {
		return tk, notFound(err, "Ticket type")
	}
	target, err := tx.LinkTarget(ctx, c.ID)
	if err != nil {
		return tk, err
	}
	if err := ticket.CanConvert(typ, target); err != nil {
		return tk, err
	}
	if len(c.ContactIDs) == 0 {
		return tk, &ticket.Error{Field: "id", Message: "the conversation has no contact left for a Customer ticket to be for"}
	}
	states, err := tx.TicketStates(ctx)
	if err != nil {
		return tk, err
	}
	state, ok := states.Initial()
	if cv.StateID != 0 {
		if state, ok = states.ByID(cv.StateID); !ok {
			return tk, &ticket.Error{Field: "ticket_state_id", Message: "Ticket state id is not valid"}
		}
		if state.Archived {
			return tk, &ticket.Error{Field: "ticket_state_id", Message: fmt.Sprintf("state %q is archived", state.InternalLabel)}
		}
	}
	if !ok {
		return tk, errors.New("desk: no Submitted ticket state")
	}
	companyID, err := d.chooseCompany(ctx, tx, c.ContactIDs, cv.CompanyID)
	if err != nil {
		return tk, err
	}
	if tk, err = ticket.Convert(c, typ, cv.Attributes, who, state, companyID, now); err != nil {
		return tk, err
	}
	if err := tx.ConvertToTicket(ctx, &tk, now); err != nil {
		return tk, err
	}
	part := conversation.Part{Type: conversation.PartStateChanged, Author: by, CreatedAt: now,
		FromStateID: state.ID, ToStateID: state.ID}
	return tk, d.post(ctx, tx, tk.ID, notify.ThreadOfTicket(tk.Category), nil, []conversation.Part{part})
}

// DeleteTicket removes a ticket with its timeline, links and state history, for good.
func (d *Desk) DeleteTicket(ctx context.Context, id int64) error {
	return d.db.Tx(ctx, func(tx *store.Tx) error {
		// IN5: the ticket, and what it links with, whose links go with it.
		if err := tx.ChangedLinks(ctx, id); err != nil {
			return err
		}
		tx.Changed(id)
		return notFound(tx.DeleteTicket(ctx, id), "Ticket")
	})
}
