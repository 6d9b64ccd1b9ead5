package main

import (
	"context"
	"errors"
	"fmt"
)

// Operations of the tickets scenario.
const (
	opCreateTicket = "create ticket"
	opCrossPost    = "cross-post note (10 links)"
	opStateChange  = "state change"
	opSearch       = "search tickets"
)

// ticketSetup is what the tickets scenario makes once: a Customer and a Back-office ticket type,
// and the states to move tickets between.
type ticketSetup struct {
	customerType, backOfficeType string
	states                       []string // in_progress and waiting_on_customer
}

func setupTickets(ctx context.Context, c *client) (ticketSetup, error) {
	var s ticketSetup
	run := randomHex(3)
	for _, t := range []struct {
		category string
		id       *string
	}{{"Customer", &s.customerType}, {"Back-office", &s.backOfficeType}} {
		var typ struct {
			ID string `json:"id"`
		}
		body := mustJSON(map[string]any{"name": "Load " + t.category + " " + run, "category": t.category})
		if err := c.do(ctx, "POST", "/api/ticket_types", body, &typ); err != nil {
			return s, fmt.Errorf("create ticket type: %w", err)
		}
		*t.id = typ.ID
	}
	var states struct {
		Data []struct {
			ID       string `json:"id"`
			Category string `json:"category"`
		} `json:"data"`
	}
	if err := c.do(ctx, "GET", "/api/ticket_states", nil, &states); err != nil {
		return s, fmt.Errorf("ticket states: %w", err)
	}
	for _, st := range states.Data {
		if st.Category == "in_progress" || st.Category == "waiting_on_customer" {
			s.states = append(s.states, st.ID)
		}
	}
	if len(s.states) != 2 {
		return s, errors.New("ticket states: in_progress and waiting_on_customer not found")
	}
	return s, nil
}

// ticketScenario is SPEC's ticket work: each client owns a Back-office ticket linked to 10
// conversations, and loops: create a Customer ticket, cross-post a note to the 10, change the
// Back-office ticket's state, search tickets by title. Every request but the search is a write.
func ticketScenario(name string, adminID int64, contacts []string, s ticketSetup) scenario {
	return scenario{name: name, ops: []string{opCreateTicket, opCrossPost, opStateChange, opSearch},
		loop: func(ctx context.Context, c *client, g *gate, rec *recorder, worker int) {
			contact := contacts[worker%len(contacts)]
			backOffice, err := linkedBackOffice(ctx, c, s, contact)
			if err != nil {
				rec.fail(opCrossPost, "setup", err.Error())
				return
			}
			for n := 0; ; n++ {
				if !g.round() {
					return
				}
				body := mustJSON(map[string]any{"ticket_type_id": s.customerType, "contacts": []any{map[string]any{"id": contact}},
					"ticket_attributes": map[string]any{"_default_title_": fmt.Sprintf("Order %d-%d has not arrived", worker, n),
						"_default_description_": "The parcel was due **yesterday**."}})
				c.timed(ctx, rec, opCreateTicket, "POST", "/api/tickets", body, nil)
				if !g.request() {
					return
				}
				body = mustJSON(map[string]any{"type": "admin", "admin_id": fmt.Sprint(adminID), "message_type": "note",
					"body": "<p>Finance approved the refund.</p>", "cross_post": true})
				c.timed(ctx, rec, opCrossPost, "POST", "/api/tickets/"+backOffice+"/reply", body, nil)
				if !g.request() {
					return
				}
				body = mustJSON(map[string]any{"ticket_state_id": s.states[n%2], "admin_id": adminID})
				c.timed(ctx, rec, opStateChange, "PUT", "/api/tickets/"+backOffice, body, nil)
				if !g.request() {
					return
				}
				body = mustJSON(map[string]any{"query": map[string]any{"field": "title", "operator": "~", "value": fmt.Sprintf("order %d-", worker)},
					"pagination": map[string]any{"per_page": 20}})
				c.timed(ctx, rec, opSearch, "POST", "/api/tickets/search", body, nil)
			}
		}}
}

// linkedBackOffice makes 10 conversations from contact and a Back-office ticket linked to all.
func linkedBackOffice(ctx context.Context, c *client, s ticketSetup, contact string) (string, error) {
	var convs []string
	for i := range 10 {
		var msg struct {
			ConversationID string `json:"conversation_id"`
		}
		body := mustJSON(map[string]any{"from": map[string]any{"type": "user", "id": contact}, "body": fmt.Sprintf("Problem %d", i)})
		if err := c.do(ctx, "POST", "/api/conversations", body, &msg); err != nil {
			return "", fmt.Errorf("create conversation: %w", err)
		}
		convs = append(convs, msg.ConversationID)
	}
	var tk struct {
		ID string `json:"id"`
	}
	body := mustJSON(map[string]any{"ticket_type_id": s.backOfficeType, "contacts": []any{map[string]any{"id": contact}},
		"conversation_to_link_id": convs[0], "ticket_attributes": map[string]any{"_default_title_": "Refund"}})
	if err := c.do(ctx, "POST", "/api/tickets", body, &tk); err != nil {
		return "", fmt.Errorf("create Back-office ticket: %w", err)
	}
	for _, conv := range convs[1:] {
		if err := c.do(ctx, "POST", "/api/tickets/"+tk.ID+"/linked_conversations", mustJSON(map[string]any{"conversation_id": conv}), nil); err != nil {
			return "", fmt.Errorf("link conversation: %w", err)
		}
	}
	return tk.ID, nil
}
