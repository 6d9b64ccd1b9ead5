package ticket

import (
	"encoding/json"
	"testing"
)

// The refusals that name a ticket type read as English: "an Outage ticket", "a Bug ticket".
func TestRequiredAttributeMessagesUseTheRightArticle(t *testing.T) {
	typeWith := func(id int64, name string) Type {
		typ, err := NewType(name, "", "", Tracker, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		typ.ID = id
		typ.Attributes = append(typ.Attributes, Attribute{Name: "region", DataType: String, RequiredToCreate: true, VisibleOnCreate: true})
		return typ
	}
	message := func(err error) string {
		t.Helper()
		e, ok := err.(*Error)
		if !ok {
			t.Fatalf("want a refusal, got %v", err)
		}
		return e.Message
	}
	for _, c := range []struct{ name, want string }{
		{"Outage", "an Outage"}, {"incident", "an incident"}, {"Bug", "a Bug"},
	} {
		outage := typeWith(1, c.name)
		_, err := outage.Validate(map[string]json.RawMessage{}, ByTeammate, false)
		if got, want := message(err), "is required to create "+c.want+" ticket"; got != want {
			t.Errorf("create: %q, want %q", got, want)
		}

		tk := Ticket{Type: outage, Category: Tracker, Attributes: Values{"region": "EU"}}
		_, err = tk.Update(map[string]json.RawMessage{"region": json.RawMessage("null")}, now)
		if got, want := message(err), "is required for "+c.want+" ticket and cannot be cleared"; got != want {
			t.Errorf("clear: %q, want %q", got, want)
		}

		other := typeWith(2, "Other")
		other.Attributes = other.Attributes[:2]
		tk = Ticket{Type: other, Category: Tracker, Conversation: tk.Conversation}
		tk.Title = "Down"
		if err := tk.ChangeType(outage, nil, now); message(err) != "is required for "+c.want+" ticket" {
			t.Errorf("change type: %q, want %q", message(err), "is required for "+c.want+" ticket")
		}
	}
}
