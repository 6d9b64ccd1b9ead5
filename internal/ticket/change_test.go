package ticket

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/conversation"
)

func rawAttrs(m map[string]any) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for k, v := range m {
		b, _ := json.Marshal(v)
		out[k] = b
	}
	return out
}

func changeTestType(id int64, name string, cat Category, internal *bool, attrs ...Attribute) Type {
	t, err := NewType(name, "", "", cat, internal, now)
	if err != nil {
		panic(err)
	}
	t.ID = id
	t.Attributes = append(t.Attributes, attrs...)
	return t
}

func TestBO6_AnUpdateMayRepeatSharingButNotChangeIt(t *testing.T) {
	for _, tc := range []struct {
		cat    Category
		shared bool
	}{{Customer, true}, {BackOffice, false}, {BackOffice, true}, {Tracker, false}} {
		tk := Ticket{Category: tc.cat, IsShared: tc.shared}
		if err := tk.SetSharing(tc.shared); err != nil {
			t.Errorf("%s shared %v: repeating: %v", tc.cat, tc.shared, err)
		}
		if err := tk.SetSharing(!tc.shared); field(err) != "is_shared" {
			t.Errorf("%s shared %v: changing: %v, want an is_shared error", tc.cat, tc.shared, err)
		}
	}
}

func TestTT5_UpdateIsPartialAndNamesTheBadAttribute(t *testing.T) {
	typ := changeTestType(1, "Refund", Customer, nil,
		Attribute{Name: "Priority", DataType: List, ListItems: []string{"Low", "High"}},
		Attribute{Name: "Order", DataType: Integer, RequiredToCreate: true})
	tk := Ticket{Type: typ, Conversation: conversation.Conversation{Title: "Old"}, Attributes: Values{"Order": float64(7), "Priority": "Low"}}
	changed, err := tk.Update(rawAttrs(map[string]any{"Priority": "High", "_default_description_": "**hi** <script>x</script>"}), now)
	if err != nil || len(changed) != 2 || tk.Attributes["Priority"] != "High" || tk.Attributes["Order"] != float64(7) ||
		!strings.Contains(tk.Description, "<strong>hi</strong>") || strings.Contains(tk.Description, "script") {
		t.Errorf("Update: changed %v err %v ticket %+v", changed, err, tk)
	}
	before := tk
	for name, v := range map[string]any{"Priority": "Urgent", "Order": nil, "Nope": 1} {
		if _, err := tk.Update(rawAttrs(map[string]any{name: v}), now); field(err) != "ticket_attributes."+name {
			t.Errorf("%s = %v: %v", name, v, err)
		}
	}
	if tk.Attributes["Priority"] != before.Attributes["Priority"] || tk.Attributes["Order"] != before.Attributes["Order"] {
		t.Errorf("a refused update changed the ticket: %+v", tk.Attributes)
	}
}

func TestTT4_ChangeTypeKeepsTheCategoryAndSharing(t *testing.T) {
	allow, deny := false, true
	sharing := changeTestType(1, "Escalation", BackOffice, &allow)
	sharing2 := changeTestType(2, "Escalation 2", BackOffice, &allow)
	internal := changeTestType(3, "Fraud", BackOffice, &deny)
	customer := changeTestType(4, "Refund", Customer, nil)
	shared := Ticket{Type: sharing, Category: BackOffice, IsShared: true}
	for _, tc := range []struct {
		tk   Ticket
		to   Type
		want string
	}{
		{shared, sharing, "ticket_type_id"},  // same type
		{shared, internal, "ticket_type_id"}, // TT4
		{shared, customer, "ticket_type_id"}, // another category
		{shared, sharing2, ""},
		{Ticket{Type: sharing, Category: BackOffice}, internal, ""},
	} {
		tk := tc.tk
		if err := tk.ChangeType(tc.to, nil, now); field(err) != tc.want {
			t.Errorf("%s (shared %v) to %s: %v, want %q", tc.tk.Type.Name, tc.tk.IsShared, tc.to.Name, err, tc.want)
		}
	}
}

func TestCT2_OnlyACustomerTypeConverts(t *testing.T) {
	for _, tc := range []struct {
		typ    Type
		target Target
		want   string
	}{
		{changeTestType(1, "Refund", Customer, nil), Target{ID: 9}, ""},
		{changeTestType(2, "Escalation", BackOffice, nil), Target{ID: 9}, "ticket_type_id"},
		{changeTestType(3, "Outage", Tracker, nil), Target{ID: 9}, "ticket_type_id"},
		{changeTestType(1, "Refund", Customer, nil), Target{ID: 9, HasSharedBackOffice: true}, "id"}, // BO8
		{changeTestType(1, "Refund", Customer, nil), Target{ID: 9, HasTracker: true}, ""},
	} {
		if err := CanConvert(tc.typ, tc.target); field(err) != tc.want {
			t.Errorf("%s %+v: %v, want %q", tc.typ.Category, tc.target, err, tc.want)
		}
	}
	c := conversation.Conversation{ID: 9, Title: "Help", State: conversation.Open, ContactIDs: []int64{1}}
	tk, err := Convert(c, changeTestType(1, "Refund", Customer, nil), nil, ByTeammate, State{ID: 1, Category: Submitted}, 5, now)
	if err != nil || tk.ID != 9 || !tk.IsTicket || !tk.IsShared || tk.Title != "Help" || tk.CompanyID != 5 {
		t.Errorf("Convert: %+v, %v", tk, err)
	}
}
