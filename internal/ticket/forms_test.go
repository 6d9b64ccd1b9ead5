package ticket

import "testing"

// formTypes are one type of each kind a "Send ticket form" list must tell apart (BO11), with
// whether it belongs in the list.
func formTypes(t *testing.T) []struct {
	typ  Type
	want bool
} {
	t.Helper()
	must := func(typ Type, err error) Type {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return typ
	}
	archivedCustomer := must(NewType("Old question", "", "", Customer, nil, now))
	archivedCustomer.Archived = true
	archivedShareable := must(NewType("Old refund", "", "", BackOffice, ptr(false), now))
	archivedShareable.Archived = true
	return []struct {
		typ  Type
		want bool
	}{
		{must(NewType("Question", "", "", Customer, nil, now)), true},
		{must(NewType("Refund review", "", "", BackOffice, ptr(false), now)), true},
		{must(NewType("Fraud investigation", "", "", BackOffice, nil, now)), false}, // TT4: off by default
		{must(NewType("Outage", "", "", Tracker, nil, now)), false},
		{archivedCustomer, false},
		{archivedShareable, false},
	}
}

func TestBO11_TypesThatAllowSharingAreTheOnesSentAsForms(t *testing.T) {
	conv := Target{ID: 1}
	for _, c := range formTypes(t) {
		if got := c.typ.InTicketForms(); got != c.want {
			t.Errorf("%s (%s, archived %v): InTicketForms %v, want %v", c.typ.Name, c.typ.Category, c.typ.Archived, got, c.want)
		}
		// The list and the action agree: what the list offers can be sent, and nothing else.
		err := CanSendForm(c.typ, conv)
		if (err == nil) != c.want {
			t.Errorf("%s: CanSendForm = %v, want allowed %v", c.typ.Name, err, c.want)
		}
		if err != nil && field(err) != "ticket_type_id" {
			t.Errorf("%s: error names %q, want ticket_type_id", c.typ.Name, field(err))
		}
	}
}

func TestTT4_EnablingSharingPutsABackOfficeTypeInTheFormList(t *testing.T) {
	typ, err := NewType("Fraud investigation", "", "", BackOffice, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if typ.InTicketForms() {
		t.Fatal("a Back-office type that does not allow sharing is in the form list")
	}
	if err := typ.Update(TypeChange{IsInternal: ptr(false)}, true, now); err != nil {
		t.Fatal(err)
	}
	if !typ.InTicketForms() {
		t.Error("a Back-office type that allows sharing is not in the form list")
	}
}

func TestCT3_FormsGoIntoConversationsThatCanTakeTheirTicket(t *testing.T) {
	customer, _ := NewType("Question", "", "", Customer, nil, now)
	shareable, _ := NewType("Refund review", "", "", BackOffice, ptr(false), now)
	cases := []struct {
		name   string
		typ    Type
		target Target
		field  string // "" when allowed
	}{
		{"Customer form into a conversation", customer, Target{ID: 1}, ""},
		{"Back-office form into a conversation", shareable, Target{ID: 1}, ""},
		{"into a conversation with a tracker", shareable, Target{ID: 1, HasTracker: true}, ""},
		{"Customer form into a ticket", customer, Target{ID: 1, IsTicket: true, Category: Customer}, "id"},
		{"Back-office form into a ticket", shareable, Target{ID: 1, IsTicket: true, Category: Customer}, "id"},
		// BO7: one shared Back-office ticket per conversation.
		{"second shared Back-office ticket", shareable, Target{ID: 1, HasSharedBackOffice: true}, "ticket_type_id"},
		// BO8: the Customer ticket the conversation would become cannot have a shared one.
		{"Customer form beside a shared Back-office ticket", customer, Target{ID: 1, HasSharedBackOffice: true}, "ticket_type_id"},
	}
	for _, c := range cases {
		if err := CanSendForm(c.typ, c.target); field(err) != c.field || (c.field == "") != (err == nil) {
			t.Errorf("%s: %v, want field %q", c.name, err, c.field)
		}
	}
}
