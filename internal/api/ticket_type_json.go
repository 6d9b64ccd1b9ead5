package api

import "github.com/helpdesk/helpdesk/internal/ticket"

// ticketTypeWithStatesJSON is Intercom's ticket_type as /ticket_types answers it: the ticket_type
// that tickets embed, with the states its tickets can be in.
type ticketTypeWithStatesJSON struct {
	ticketTypeJSON
	TicketStates ticketStateListJSON `json:"ticket_states"`
}

type ticketStateListJSON struct {
	Type string            `json:"type"`
	Data []ticketStateJSON `json:"data"`
}

// toTicketTypeWithStates renders a type with the states of states that are in use: every type
// has the built-in four (ST1).
func toTicketTypeWithStates(t ticket.Type, states ticket.States) ticketTypeWithStatesJSON {
	j := ticketTypeWithStatesJSON{ticketTypeJSON: toTicketType(t), TicketStates: ticketStateListJSON{Type: "list", Data: []ticketStateJSON{}}}
	for _, st := range states {
		if !st.Archived {
			j.TicketStates.Data = append(j.TicketStates.Data, toTicketState(st))
		}
	}
	return j
}

// ticketStateDetailedJSON is Intercom's ticket_state_detailed: a state with the types that use it.
type ticketStateDetailedJSON struct {
	ticketStateJSON
	Archived    bool `json:"archived"`
	TicketTypes struct {
		Type string                `json:"type"`
		Data []ticketTypeBriefJSON `json:"data"`
	} `json:"ticket_types"`
}

// ticketTypeBriefJSON is a ticket_type as a state lists it, without attributes or states.
type ticketTypeBriefJSON struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Icon        string `json:"icon"`
	Archived    bool   `json:"archived"`
	IsInternal  bool   `json:"is_internal"`
	Category    string `json:"category"`
}

// toTicketStateDetailed renders a state with types, each of which can use every built-in state.
func toTicketStateDetailed(st ticket.State, types []ticket.Type) ticketStateDetailedJSON {
	j := ticketStateDetailedJSON{ticketStateJSON: toTicketState(st), Archived: st.Archived}
	j.TicketTypes.Type, j.TicketTypes.Data = "list", make([]ticketTypeBriefJSON, len(types))
	for i, t := range types {
		j.TicketTypes.Data[i] = ticketTypeBriefJSON{Type: "ticket_type", ID: idString(t.ID), Name: t.Name,
			Description: t.Description, Icon: t.Icon, Archived: t.Archived, IsInternal: t.IsInternal, Category: string(t.Category)}
	}
	return j
}
