package api

import (
	"context"
	"fmt"
	"strconv"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// maxLinkedObjects is how many linked objects a conversation or ticket shows, as Intercom does;
// total_count and has_more tell the rest.
const maxLinkedObjects = 1000

// ticketJSON is Intercom's ticket object, with our company extension.
type ticketJSON struct {
	Type                  string            `json:"type"`
	ID                    string            `json:"id"`
	TicketID              string            `json:"ticket_id"`
	Category              string            `json:"category"`
	TicketAttributes      map[string]any    `json:"ticket_attributes"`
	TicketState           ticketStateJSON   `json:"ticket_state"`
	TicketType            ticketTypeJSON    `json:"ticket_type"`
	Contacts              contactRefsJSON   `json:"contacts"`
	AdminAssigneeID       int64             `json:"admin_assignee_id"`
	TeamAssigneeID        int64             `json:"team_assignee_id"`
	CreatedAt             int64             `json:"created_at"`
	UpdatedAt             int64             `json:"updated_at"`
	Open                  bool              `json:"open"`
	SnoozedUntil          *int64            `json:"snoozed_until,omitempty"`
	LinkedObjects         linkedObjectsJSON `json:"linked_objects"`
	TicketParts           *ticketPartsJSON  `json:"ticket_parts,omitempty"`
	IsShared              bool              `json:"is_shared"`
	PreviousTicketStateID *string           `json:"previous_ticket_state_id"`
	// Company is an extension (SPEC CO1): the company the ticket is for, or null.
	Company *ticketCompanyJSON `json:"company"`
}

type ticketStateJSON struct {
	Type          string `json:"type"`
	ID            string `json:"id"`
	Category      string `json:"category"`
	InternalLabel string `json:"internal_label"`
	ExternalLabel string `json:"external_label"`
}

func toTicketState(s ticket.State) ticketStateJSON {
	return ticketStateJSON{Type: "ticket_state", ID: idString(s.ID), Category: string(s.Category),
		InternalLabel: s.InternalLabel, ExternalLabel: s.ExternalLabel}
}

type ticketTypeJSON struct {
	Type                 string                  `json:"type"`
	ID                   string                  `json:"id"`
	Category             string                  `json:"category"`
	Name                 string                  `json:"name"`
	Description          string                  `json:"description"`
	Icon                 string                  `json:"icon"`
	WorkspaceID          string                  `json:"workspace_id"`
	IsInternal           bool                    `json:"is_internal"`
	TicketTypeAttributes ticketTypeAttributeList `json:"ticket_type_attributes"`
	Archived             bool                    `json:"archived"`
	CreatedAt            int64                   `json:"created_at"`
	UpdatedAt            int64                   `json:"updated_at"`
}

type ticketTypeAttributeList struct {
	Type                 string                    `json:"type"`
	TicketTypeAttributes []ticketTypeAttributeJSON `json:"ticket_type_attributes"`
}

type ticketTypeAttributeJSON struct {
	Type                        string         `json:"type"`
	ID                          string         `json:"id"`
	WorkspaceID                 string         `json:"workspace_id"`
	Name                        string         `json:"name"`
	Description                 string         `json:"description"`
	DataType                    string         `json:"data_type"`
	InputOptions                map[string]any `json:"input_options"`
	Order                       int            `json:"order"`
	RequiredToCreate            bool           `json:"required_to_create"`
	RequiredToCreateForContacts bool           `json:"required_to_create_for_contacts"`
	VisibleOnCreate             bool           `json:"visible_on_create"`
	VisibleToContacts           bool           `json:"visible_to_contacts"`
	Default                     bool           `json:"default"`
	TicketTypeID                int64          `json:"ticket_type_id"`
	Archived                    bool           `json:"archived"`
	CreatedAt                   int64          `json:"created_at"`
	UpdatedAt                   int64          `json:"updated_at"`
}

func toTicketType(t ticket.Type) ticketTypeJSON {
	j := ticketTypeJSON{Type: "ticket_type", ID: idString(t.ID), Category: string(t.Category), Name: t.Name,
		Description: t.Description, Icon: t.Icon, WorkspaceID: "helpdesk", IsInternal: t.IsInternal, Archived: t.Archived,
		CreatedAt: unix(t.CreatedAt), UpdatedAt: unix(t.UpdatedAt),
		TicketTypeAttributes: ticketTypeAttributeList{Type: "ticket_type_attributes.list", TicketTypeAttributes: []ticketTypeAttributeJSON{}}}
	for _, a := range t.Attributes {
		j.TicketTypeAttributes.TicketTypeAttributes = append(j.TicketTypeAttributes.TicketTypeAttributes, toTicketTypeAttribute(t.ID, a))
	}
	return j
}

func toTicketTypeAttribute(typeID int64, a ticket.Attribute) ticketTypeAttributeJSON {
	opts := map[string]any{}
	if a.DataType == ticket.List {
		items := make([]map[string]any, len(a.ListItems))
		for i, it := range a.ListItems {
			items[i] = map[string]any{"label": it, "archived": false}
		}
		opts["list_items"] = items
		opts["allow_multiple_values"] = a.AllowMultiple
	}
	if a.DataType == ticket.String {
		opts["multiline"] = a.Multiline
	}
	if a.DataType == ticket.Files {
		opts["allow_multiple_values"] = a.AllowMultiple
	}
	return ticketTypeAttributeJSON{Type: "ticket_type_attribute", ID: idString(a.ID), WorkspaceID: "helpdesk", Name: a.Name,
		Description: a.Description, DataType: string(a.DataType), InputOptions: opts, Order: a.Order,
		RequiredToCreate: a.RequiredToCreate, RequiredToCreateForContacts: a.RequiredForContacts,
		VisibleOnCreate: a.VisibleOnCreate, VisibleToContacts: a.VisibleToContacts, Default: a.Default,
		TicketTypeID: typeID, Archived: a.Archived, CreatedAt: unix(a.CreatedAt), UpdatedAt: unix(a.UpdatedAt)}
}

type ticketPartsJSON struct {
	Type        string           `json:"type"`
	TicketParts []ticketPartJSON `json:"ticket_parts"`
	TotalCount  int              `json:"total_count"`
}

type ticketPartJSON struct {
	Type                string     `json:"type"`
	ID                  string     `json:"id"`
	PartType            string     `json:"part_type"`
	Body                *string    `json:"body"`
	PreviousTicketState string     `json:"previous_ticket_state,omitempty"`
	TicketState         string     `json:"ticket_state,omitempty"`
	CreatedAt           int64      `json:"created_at"`
	UpdatedAt           int64      `json:"updated_at"`
	AssignedTo          *refJSON   `json:"assigned_to,omitempty"`
	Author              authorJSON `json:"author"`
	Attachments         []any      `json:"attachments"`
	Redacted            bool       `json:"redacted"`
	// UpdatedAttributeData says what a ticket_attribute_updated_by_admin part changed.
	UpdatedAttributeData *updatedAttributeJSON `json:"updated_attribute_data,omitempty"`
}

type updatedAttributeJSON struct {
	Attribute struct {
		Type  string `json:"type"`
		ID    string `json:"id"`
		Label string `json:"label"`
	} `json:"attribute"`
	Value struct {
		Type  string  `json:"type"`
		ID    *string `json:"id"`
		Label any     `json:"label"`
	} `json:"value"`
}

// toUpdatedAttribute renders a recorded attribute change as Intercom's updated_attribute_data:
// the value's label is its text (a list of texts for several values), "" when cleared.
func toUpdatedAttribute(c store.AttributeChange) *updatedAttributeJSON {
	j := &updatedAttributeJSON{}
	j.Attribute.Type, j.Attribute.ID, j.Attribute.Label = "attribute", idString(c.AttributeID), c.Label
	j.Value.Type = "value"
	switch v := c.Value.(type) {
	case nil:
		j.Value.Label = ""
	case string:
		j.Value.ID, j.Value.Label = &v, v
	case []any:
		labels := make([]string, len(v))
		for i, x := range v {
			labels[i] = fmt.Sprint(x)
		}
		j.Value.Label = labels
	case float64:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		j.Value.ID, j.Value.Label = &s, s
	default:
		s := fmt.Sprint(v)
		j.Value.ID, j.Value.Label = &s, s
	}
	return j
}

type ticketCompanyJSON struct {
	Type      string  `json:"type"`
	ID        string  `json:"id"`
	CompanyID string  `json:"company_id"`
	Name      *string `json:"name"`
}

type linkedObjectJSON struct {
	Type     string  `json:"type"`
	ID       string  `json:"id"`
	Category *string `json:"category"`
}

// toLinkedObjects renders the links of object id: the other end of each.
func toLinkedObjects(id int64, links []store.Link, total int) linkedObjectsJSON {
	j := linkedObjectsJSON{Type: "list", Data: []any{}, TotalCount: total, HasMore: total > len(links)}
	for _, l := range links {
		o := linkedObjectJSON{Type: "ticket", ID: idString(l.TicketID)}
		cat := string(l.Kind)
		o.Category = &cat
		if l.TicketID == id {
			o.ID = idString(l.ConversationID)
			if l.IsTicket {
				c := string(l.Category)
				o.Category = &c
			} else {
				o.Type, o.Category = "conversation", nil
			}
		}
		j.Data = append(j.Data, o)
	}
	return j
}

// writeTicket loads a ticket with all it shows and renders it.
func (s *Server) ticketJSON(ctx context.Context, id int64, withParts bool) (ticketJSON, error) {
	q := s.db.Read()
	tk, err := q.Ticket(ctx, id)
	if err != nil {
		return ticketJSON{}, notFoundAs(err, "Ticket")
	}
	var parts []conversation.Part
	if withParts {
		if parts, err = q.Parts(ctx, id); err != nil {
			return ticketJSON{}, err
		}
	}
	links, total, err := q.LinkedObjects(ctx, id, maxLinkedObjects)
	if err != nil {
		return ticketJSON{}, err
	}
	p, err := s.loadPeople(ctx, q, []conversation.Conversation{tk.Conversation}, parts)
	if err != nil {
		return ticketJSON{}, err
	}
	var company *store.Company
	if tk.CompanyID != 0 {
		c, err := q.Company(ctx, tk.CompanyID)
		if err != nil {
			return ticketJSON{}, err
		}
		company = &c
	}
	var states ticket.States
	if withParts {
		if states, err = q.TicketStates(ctx); err != nil {
			return ticketJSON{}, err
		}
	}
	j := toTicket(tk, parts, states, links, total, company, p)
	if withParts {
		changes, err := q.AttributeChanges(ctx, id)
		if err != nil {
			return ticketJSON{}, err
		}
		for i := range j.TicketParts.TicketParts {
			if c, ok := changes[parts[i].ID]; ok {
				j.TicketParts.TicketParts[i].UpdatedAttributeData = toUpdatedAttribute(c)
			}
		}
	}
	return j, nil
}

// ticketListJSON renders a page of tickets, without their parts, as Intercom's search does.
func (s *Server) ticketListJSON(ctx context.Context, list []ticket.Ticket) ([]ticketJSON, error) {
	q := s.db.Read()
	convs := make([]conversation.Conversation, len(list))
	for i, tk := range list {
		convs[i] = tk.Conversation
	}
	p, err := s.loadPeople(ctx, q, convs, nil)
	if err != nil {
		return nil, err
	}
	companies := map[int64]*store.Company{}
	out := make([]ticketJSON, len(list))
	for i, tk := range list {
		links, total, err := q.LinkedObjects(ctx, tk.ID, maxLinkedObjects)
		if err != nil {
			return nil, err
		}
		company, seen := companies[tk.CompanyID]
		if !seen && tk.CompanyID != 0 {
			c, err := q.Company(ctx, tk.CompanyID)
			if err != nil {
				return nil, err
			}
			company = &c
			companies[tk.CompanyID] = company
		}
		out[i] = toTicket(tk, nil, nil, links, total, company, p)
	}
	return out, nil
}

func toTicket(tk ticket.Ticket, parts []conversation.Part, states ticket.States, links []store.Link, total int, company *store.Company, p people) ticketJSON {
	attrs := map[string]any{}
	for k, v := range tk.Attributes {
		attrs[k] = v
	}
	attrs[ticket.TitleAttribute] = tk.Title
	attrs[ticket.DescriptionAttribute] = tk.Description
	j := ticketJSON{Type: "ticket", ID: idString(tk.ID), TicketID: strconv.FormatInt(tk.Number, 10), Category: string(tk.Category),
		TicketAttributes: attrs, TicketState: toTicketState(tk.State), TicketType: toTicketType(tk.Type),
		Contacts:        contactRefsJSON{Type: "contact.list", Contacts: []contactRefJSON{}},
		AdminAssigneeID: tk.AdminAssigneeID, TeamAssigneeID: tk.TeamAssigneeID,
		CreatedAt: unix(tk.CreatedAt), UpdatedAt: unix(tk.UpdatedAt), Open: tk.IsOpen(), IsShared: tk.IsShared,
		LinkedObjects: toLinkedObjects(tk.ID, links, total)}
	if tk.Conversation.State == conversation.Snoozed {
		v := unix(tk.SnoozedUntil)
		j.SnoozedUntil = &v
	}
	if tk.PreviousStateID != 0 {
		v := idString(tk.PreviousStateID)
		j.PreviousTicketStateID = &v
	}
	for _, id := range tk.ContactIDs {
		ref := contactRefJSON{Type: "contact", ID: idString(id)}
		if c, ok := p.contacts[id]; ok && c.ExternalID.Valid {
			ref.ExternalID = &c.ExternalID.String
		}
		j.Contacts.Contacts = append(j.Contacts.Contacts, ref)
	}
	if company != nil {
		j.Company = &ticketCompanyJSON{Type: "company", ID: idString(company.ID), CompanyID: company.CompanyID}
		if company.Name.Valid {
			j.Company.Name = &company.Name.String
		}
	}
	if parts != nil {
		j.TicketParts = &ticketPartsJSON{Type: "ticket_part.list", TicketParts: make([]ticketPartJSON, len(parts)), TotalCount: len(parts)}
		for i, part := range parts {
			j.TicketParts.TicketParts[i] = toTicketPart(part, states, p)
		}
	}
	return j
}

func toTicketPart(part conversation.Part, states ticket.States, p people) ticketPartJSON {
	author := p.author(part.Author)
	if author.Type == string(conversation.AuthorLead) {
		author.Type = string(conversation.AuthorUser) // ticket part authors are admin, bot, team or user
	}
	j := ticketPartJSON{Type: "ticket_part", ID: idString(part.ID), PartType: string(part.Type),
		CreatedAt: unix(part.CreatedAt), UpdatedAt: unix(part.CreatedAt), Author: author, Attachments: []any{}}
	if part.Body != "" {
		j.Body = &part.Body
	}
	if part.AssignedTo != nil {
		j.AssignedTo = &refJSON{Type: part.AssignedTo.Type, ID: idString(part.AssignedTo.ID)}
	}
	if from, ok := states.ByID(part.FromStateID); ok {
		j.PreviousTicketState = string(from.Category)
	}
	if to, ok := states.ByID(part.ToStateID); ok {
		j.TicketState = string(to.Category)
	}
	return j
}
