package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// createTicketTypeAttributeRequest is Intercom's create_ticket_type_attribute_request.
type createTicketTypeAttributeRequest struct {
	Name                        *string `json:"name"`
	Description                 *string `json:"description"`
	DataType                    *string `json:"data_type"`
	RequiredToCreate            *bool   `json:"required_to_create"`
	RequiredToCreateForContacts *bool   `json:"required_to_create_for_contacts"`
	VisibleOnCreate             *bool   `json:"visible_on_create"`
	VisibleToContacts           *bool   `json:"visible_to_contacts"`
	Multiline                   *bool   `json:"multiline"`
	ListItems                   *string `json:"list_items"`
	AllowMultipleValues         *bool   `json:"allow_multiple_values"`
}

// createTicketTypeAttribute adds a custom attribute to a type, after the others (TT2).
func (s *Server) createTicketTypeAttribute(w http.ResponseWriter, r *http.Request) error {
	typeID, err := pathID(r, "id", "Ticket type")
	if err != nil {
		return err
	}
	var req createTicketTypeAttributeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	switch {
	case req.Name == nil:
		return missing("name")
	case req.Description == nil:
		return missing("description")
	case req.DataType == nil:
		return missing("data_type")
	}
	if err := noNUL("name", req.Name, "description", req.Description, "data_type", req.DataType, "list_items", req.ListItems); err != nil {
		return err
	}
	a := ticket.Attribute{Name: *req.Name, Description: *req.Description, DataType: parseDataType(*req.DataType),
		ListItems: listItems(req.ListItems), Multiline: boolOr(req.Multiline, false), AllowMultiple: boolOr(req.AllowMultipleValues, false),
		RequiredToCreate: boolOr(req.RequiredToCreate, false), RequiredForContacts: boolOr(req.RequiredToCreateForContacts, false),
		VisibleOnCreate: boolOr(req.VisibleOnCreate, true), VisibleToContacts: boolOr(req.VisibleToContacts, true)}
	err = s.db.Tx(r.Context(), func(tx *store.Tx) error {
		typ, err := tx.TicketType(r.Context(), typeID)
		if err != nil {
			return notFoundAs(err, "Ticket type")
		}
		if a, err = typ.AddAttribute(a, s.clock.Now()); err != nil {
			return err
		}
		err = tx.CreateTicketAttribute(r.Context(), typeID, &a)
		if errors.Is(err, store.ErrConflict) {
			return conflict("the ticket type already has an attribute named %q", a.Name)
		}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTicketTypeAttribute(typeID, a))
	return nil
}

// updateTicketTypeAttributeRequest is Intercom's update_ticket_type_attribute_request, with
// data_type (which may only restate the attribute's) and our order extension.
type updateTicketTypeAttributeRequest struct {
	Name                        *string `json:"name"`
	Description                 *string `json:"description"`
	DataType                    *string `json:"data_type"`
	RequiredToCreate            *bool   `json:"required_to_create"`
	RequiredToCreateForContacts *bool   `json:"required_to_create_for_contacts"`
	VisibleOnCreate             *bool   `json:"visible_on_create"`
	VisibleToContacts           *bool   `json:"visible_to_contacts"`
	Multiline                   *bool   `json:"multiline"`
	ListItems                   *string `json:"list_items"`
	AllowMultipleValues         *bool   `json:"allow_multiple_values"`
	Archived                    *bool   `json:"archived"`
	// Order is an extension (SPEC TT2): move the attribute to this place, 0 being the first.
	Order *int `json:"order"`
}

func (s *Server) updateTicketTypeAttribute(w http.ResponseWriter, r *http.Request) error {
	typeID, err := pathID(r, "id", "Ticket type")
	if err != nil {
		return err
	}
	attrID, err := pathID(r, "attribute_id", "Ticket type attribute")
	if err != nil {
		return err
	}
	var req updateTicketTypeAttributeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := noNUL("name", req.Name, "description", req.Description, "data_type", req.DataType, "list_items", req.ListItems); err != nil {
		return err
	}
	change := ticket.AttributeChange{Name: req.Name, Description: req.Description, ListItems: listItems(req.ListItems),
		Multiline: req.Multiline, AllowMultiple: req.AllowMultipleValues, RequiredToCreate: req.RequiredToCreate,
		RequiredForContacts: req.RequiredToCreateForContacts, VisibleOnCreate: req.VisibleOnCreate,
		VisibleToContacts: req.VisibleToContacts, Archived: req.Archived, Order: req.Order}
	if req.DataType != nil {
		d := parseDataType(*req.DataType)
		change.DataType = &d
	}
	var changed []ticket.Attribute
	err = s.db.Tx(r.Context(), func(tx *store.Tx) error {
		typ, err := tx.TicketType(r.Context(), typeID)
		if err != nil {
			return notFoundAs(err, "Ticket type")
		}
		changed, err = typ.ChangeAttribute(attrID, change, s.clock.Now())
		if errors.Is(err, ticket.ErrNoAttribute) {
			return notFound("Ticket type attribute")
		}
		if err != nil {
			return err
		}
		for _, a := range changed {
			err := tx.UpdateTicketAttribute(r.Context(), a)
			if errors.Is(err, store.ErrConflict) {
				return conflict("the ticket type already has an attribute named %q", a.Name)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTicketTypeAttribute(typeID, changed[0]))
	return nil
}

// parseDataType reads a data type; an unknown one is passed on for the rules to refuse.
func parseDataType(s string) ticket.DataType {
	if d, ok := ticket.ParseDataType(s); ok {
		return d
	}
	if s == "" {
		return ticket.DataType("none")
	}
	return ticket.DataType(s)
}

// listItems reads Intercom's comma-delimited list_items; nil when not sent. Blank items are
// kept for the rules to refuse.
func listItems(s *string) []string {
	if s == nil {
		return nil
	}
	if strings.TrimSpace(*s) == "" {
		return []string{}
	}
	items := strings.Split(*s, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items
}

// boolOr is *v, or def when it was not sent.
func boolOr(v *bool, def bool) bool {
	if v == nil {
		return def
	}
	return *v
}
