package ticket

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
)

// PartAttributeUpdated is the event part of a change to a ticket's attributes, default ones
// (title, description, company: TT3) included, as Intercom names it.
const PartAttributeUpdated conversation.PartType = "ticket_attribute_updated_by_admin"

// PartTypeChanged is the event part of a change of a ticket's type.
const PartTypeChanged conversation.PartType = "ticket_type_changed"

// SetSharing answers a request to change is_shared on an existing ticket. Sharing is decided
// when a ticket is created (BO6: "a teammate decides per ticket, when creating it"), so an
// update may repeat the ticket's sharing but not change it.
func (tk Ticket) SetSharing(shared bool) error {
	if shared == tk.IsShared {
		return nil
	}
	switch tk.Category {
	case Customer:
		return errorf("is_shared", "Customer tickets are always shared with the customer (CT1)")
	case Tracker:
		return errorf("is_shared", "Tracker tickets are never shared with customers (TR1)")
	}
	return errorf("is_shared", "sharing is decided when a Back-office ticket is created and cannot be changed (BO6); create a new ticket from the conversation to share one")
}

// Update applies attribute values sent for an existing ticket (TT3, TT5): in is the client's
// ticket_attributes, checked against the ticket's type as a partial update (attributes left out
// keep their values; null clears one, unless the type requires it). It returns the names of the
// attributes that changed, in the order of the type's attributes.
func (tk *Ticket) Update(in map[string]json.RawMessage, now time.Time) ([]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	values, err := tk.Type.Validate(in, ByTeammate, true)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, a := range tk.Type.Attributes {
		if _, sent := in[a.Name]; !sent {
			continue
		}
		v, set := values[a.Name]
		if !set && a.RequiredToCreate {
			return nil, errorf("ticket_attributes."+a.Name, "is required for %s ticket and cannot be cleared", withArticle(tk.Type.Name))
		}
		switch a.Name {
		case TitleAttribute:
			s, _ := v.(string)
			if s = strings.TrimSpace(s); s != tk.Title {
				tk.Title = s
				changed = append(changed, a.Name)
			}
		case DescriptionAttribute:
			s, _ := v.(string)
			if s = SanitizeDescription(s); s != tk.Description {
				tk.Description = s
				changed = append(changed, a.Name)
			}
		default:
			if !set {
				if _, had := tk.Attributes[a.Name]; had {
					delete(tk.Attributes, a.Name)
					changed = append(changed, a.Name)
				}
				continue
			}
			if !sameValue(tk.Attributes[a.Name], v) {
				if tk.Attributes == nil {
					tk.Attributes = Values{}
				}
				tk.Attributes[a.Name] = v
				changed = append(changed, a.Name)
			}
		}
	}
	if len(changed) > 0 {
		tk.UpdatedAt = now
	}
	return changed, nil
}

// sameValue compares two stored values through their JSON, which is how they are stored.
func sameValue(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// ChangeType moves the ticket to another type (TT1, TT4, TT5), as Intercom's change_type does:
// the new type must be of the same category, so that what the category allowed (sharing, links,
// replies) stays allowed; a shared Back-office ticket can only become a type that allows sharing
// (TT4). Values of attributes the new type has under the same name and data type carry over;
// in, the client's ticket_attributes, override them; then the new type's required attributes
// must all have a value.
func (tk *Ticket) ChangeType(to Type, in map[string]json.RawMessage, now time.Time) error {
	switch {
	case to.ID == tk.Type.ID:
		return errorf("ticket_type_id", "Cannot change to the same ticket type")
	case to.Archived:
		return errorf("ticket_type_id", "ticket type %q is archived", to.Name)
	case to.Category != tk.Category:
		return errorf("ticket_type_id", "the new ticket type must be in the same category as the current one (%s), not %s", tk.Category, to.Category)
	case tk.IsShared && !to.AllowsSharing():
		return errorf("ticket_type_id", "this ticket is shared with the customer and ticket type %q does not allow sharing (TT4)", to.Name)
	}
	values, err := to.Validate(in, ByTeammate, true)
	if err != nil {
		return err
	}
	kept := Values{}
	for name, v := range tk.Attributes {
		old, ok1 := tk.Type.attribute(name)
		nw, ok2 := to.attribute(name)
		if ok1 && ok2 && !nw.Archived && old.DataType == nw.DataType && (nw.DataType != List || listValueFits(nw, v)) {
			kept[name] = v
		}
	}
	for name, raw := range in {
		if string(raw) == "null" {
			delete(kept, name)
		}
	}
	for name, v := range values {
		switch name {
		case TitleAttribute:
			s, _ := v.(string)
			tk.Title = strings.TrimSpace(s)
		case DescriptionAttribute:
			s, _ := v.(string)
			tk.Description = SanitizeDescription(s)
		default:
			kept[name] = v
		}
	}
	for _, a := range to.Attributes {
		if a.Archived || !a.RequiredToCreate {
			continue
		}
		missing := kept[a.Name] == nil
		switch a.Name {
		case TitleAttribute:
			missing = tk.Title == ""
		case DescriptionAttribute:
			missing = tk.Description == ""
		}
		if missing {
			return errorf("ticket_attributes."+a.Name, "is required for %s ticket", withArticle(to.Name))
		}
	}
	tk.Type, tk.Attributes, tk.UpdatedAt = to, kept, now
	return nil
}

// listValueFits tells whether a list value's items are all items of a.
func listValueFits(a Attribute, v any) bool {
	var items []string
	switch x := v.(type) {
	case string:
		if a.AllowMultiple {
			return false
		}
		items = []string{x}
	case []any:
		if !a.AllowMultiple {
			return false
		}
		for _, e := range x {
			s, _ := e.(string)
			items = append(items, s)
		}
	case []string:
		if !a.AllowMultiple {
			return false
		}
		items = x
	}
	for _, it := range items {
		found := false
		for _, li := range a.ListItems {
			found = found || li == it
		}
		if !found {
			return false
		}
	}
	return true
}

// CanConvert checks that a conversation may become a ticket of type t (CT2), as Intercom's
// convert does: only into a Customer type (a Back-office or Tracker ticket is created from the
// conversation and linked to it instead: BO1, TR2), not an archived one, and not when a shared
// Back-office ticket is linked to the conversation, since a Back-office ticket linked to a
// Customer ticket cannot be shared (BO8).
func CanConvert(t Type, c Target) error {
	switch {
	case t.Category != Customer:
		return errorf("ticket_type_id", "Ticket type is not a customer ticket type: a conversation converts to a Customer ticket (CT2); create a %s ticket linked to it instead", t.Category)
	case t.Archived:
		return errorf("ticket_type_id", "ticket type %q is archived", t.Name)
	case c.HasSharedBackOffice:
		return errorf("id", "conversation %d has a shared Back-office ticket, which a Customer ticket cannot have (BO8)", c.ID)
	}
	return nil
}

// Convert makes a ticket of type t out of conversation c in place (CT2): the ticket keeps the
// conversation's id, participants, assignees, open or closed, and timeline; it starts in state
// initial, is shared with the customer (CT1), and is for company companyID (CO1-CO3, chosen by
// the caller with ChooseCompany). in is the client's attributes, checked as for a new ticket.
func Convert(c conversation.Conversation, t Type, in map[string]json.RawMessage, who Audience, initial State, companyID int64, now time.Time) (Ticket, error) {
	values, err := t.Validate(in, who, false)
	if err != nil {
		return Ticket{}, err
	}
	shared, err := Sharing(t, nil, nil)
	if err != nil {
		return Ticket{}, err
	}
	tk := Ticket{Conversation: c, Type: t, Category: t.Category, State: initial, Attributes: values, IsShared: shared, CompanyID: companyID}
	tk.IsTicket = true
	if title, ok := values[TitleAttribute].(string); ok {
		tk.Title = strings.TrimSpace(title)
	}
	if description, ok := values[DescriptionAttribute].(string); ok {
		tk.Description = SanitizeDescription(description)
	}
	delete(values, TitleAttribute)
	delete(values, DescriptionAttribute)
	tk.UpdatedAt = now
	return tk, nil
}
