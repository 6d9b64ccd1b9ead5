package search

import (
	"errors"
	"time"
)

// testFields look like a conversation search's, over the tables of db_test.go.
func testFields() Fields {
	return Fields{
		"id":                {Kind: ID, Column: "c.id"},
		"state":             {Kind: String, Column: "c.state", Values: []string{"open", "closed", "snoozed"}},
		"source.subject":    {Kind: String, Column: "c.subject"},
		"source.body":       {Kind: String, Column: "c.subject", Words: true},
		"admin_assignee_id": {Kind: Integer, Column: "c.assignee"},
		"created_at":        {Kind: Date, Column: "c.created_at"},
		"open":              {Kind: Boolean, Column: "c.open"},
		"contact_ids": {Kind: ID,
			Many: "EXISTS (SELECT 1 FROM conv_contacts x WHERE x.conversation_id = c.id AND x.contact_id %s)"},
		"priority": {Kind: String, Column: "c.priority", Map: func(v any) (any, error) {
			switch v {
			case "priority":
				return "high", nil
			case "not_priority":
				return "normal", nil
			}
			return nil, errors.New("must be priority or not_priority")
		}},
		// As contact search does it, in a workspace two hours east of UTC.
		"contact.created_at": {Kind: Date, Column: "c.created_at",
			Day: time.FixedZone("UTC+2", 2*3600), Operators: []string{"=", "<", ">"}},
		// Day matching with every date operator, in UTC.
		"created_day": {Kind: Date, Column: "c.created_at", Day: time.UTC},
	}
}
