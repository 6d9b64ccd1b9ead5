package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

var tkAttributes = []ticket.Attribute{
	{Name: "Priority", DataType: ticket.List, ListItems: []string{"Low", "High"}, VisibleToContacts: true},
	{Name: "Order number", DataType: ticket.Integer, VisibleToContacts: true},
	{Name: "Refund", DataType: ticket.Boolean},
}

func TestTT3_TicketNumbersAreUniqueAndSequential(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Refund", ticket.Customer, nil)
	c := e.CreateContact("casey@example.com", "Casey")
	var numbers []int64
	seen := map[string]bool{}
	for range 4 {
		tk := tkCreate(t, e, typ, c, nil)
		n := tk["ticket_id"].(string)
		if seen[n] {
			t.Fatalf("ticket_id %s given twice", n)
		}
		seen[n] = true
		numbers = append(numbers, tkNum(n))
	}
	for i := 1; i < len(numbers); i++ {
		if numbers[i] != numbers[i-1]+1 {
			t.Errorf("ticket numbers %v are not sequential", numbers)
		}
	}
	// A conversation in between takes an id but no ticket number.
	tkConversation(t, e, c, "Hello")
	tk := tkCreate(t, e, typ, c, nil)
	if got := tkNum(tk["ticket_id"]); got != numbers[len(numbers)-1]+1 {
		t.Errorf("ticket after a conversation has number %d, want %d", got, numbers[len(numbers)-1]+1)
	}
}

func TestTT3_DescriptionIsStoredSanitised(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Refund", ticket.Customer, nil)
	c := e.CreateContact("casey@example.com", "Casey")
	evil := `<p onclick="steal()">Hello <strong>there</strong></p><script>alert(1)</script>` +
		`<a href="javascript:alert(1)">click</a><img src=x onerror="alert(2)"><ul><li>one</li></ul>` +
		`<a href="https://example.com/help">help</a>`
	check := func(where string, tk map[string]any) {
		t.Helper()
		d := tk["ticket_attributes"].(map[string]any)["_default_description_"].(string)
		low := strings.ToLower(d)
		for _, bad := range []string{"<script", "onclick", "onerror", "javascript:", "<img", "alert("} {
			if strings.Contains(low, bad) {
				t.Errorf("%s: description keeps %q: %s", where, bad, d)
			}
		}
		for _, good := range []string{"<strong>there</strong>", "<li>one</li>", `href="https://example.com/help"`} {
			if !strings.Contains(d, good) {
				t.Errorf("%s: description lost %q: %s", where, good, d)
			}
		}
	}
	tk := tkCreate(t, e, typ, c, map[string]any{"ticket_attributes": map[string]any{"_default_title_": "x", "_default_description_": evil}})
	check("create", tk)
	id := apitest.ID(tk)
	up := e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_attributes": map[string]any{"_default_description_": "Again: " + evil}})
	check("update", up)
	check("get", e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil))
}

func TestTT5_BadAttributeValuesAreRefusedNamingTheAttributeAndWriteNothing(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Refund", ticket.Customer, nil, tkAttributes...)
	c := e.CreateContact("casey@example.com", "Casey")
	states := tkStates(t, e)
	tk := tkCreate(t, e, typ, c, map[string]any{"ticket_attributes": map[string]any{"_default_title_": "Broken", "Priority": "Low", "Order number": 42}})
	id := apitest.ID(tk)
	before := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil)
	cases := []struct {
		name  string
		attrs map[string]any
		extra map[string]any
		names string
	}{
		{"list value not an item", map[string]any{"Priority": "Urgent"}, nil, "Priority"},
		{"integer given as text", map[string]any{"Order number": "forty-two"}, nil, "Order number"},
		{"integer with a fraction", map[string]any{"Order number": 4.5}, nil, "Order number"},
		{"boolean given as text", map[string]any{"Refund": "yes"}, nil, "Refund"},
		{"unknown attribute", map[string]any{"Colour": "red"}, nil, "Colour"},
		{"title not a string", map[string]any{"_default_title_": 7}, nil, "_default_title_"},
		{"one good value and one bad", map[string]any{"_default_title_": "New title", "Priority": "High", "Refund": 3}, nil, "Refund"},
		{"good values and a bad state", map[string]any{"_default_title_": "New title"}, map[string]any{"ticket_state_id": "999999"}, "ticket_state_id"},
		{"good values and a company outside", map[string]any{"Priority": "High"}, map[string]any{"company_id": "999999"}, "company_id"},
		{"good values and a close with a snooze", map[string]any{"Priority": "High"}, map[string]any{"open": false, "snoozed_until": e.Clock.Now().Add(time.Hour).Unix()}, "snoozed_until"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"ticket_attributes": tc.attrs, "ticket_state_id": itoa(states[ticket.InProgress])}
			for k, v := range tc.extra {
				body[k] = v
			}
			r := e.Do("PUT", "/api/tickets/"+id, body)
			if r.Status != http.StatusBadRequest || r.ErrorCode() != "parameter_invalid" || !strings.Contains(r.ErrorMessage(), tc.names) {
				t.Fatalf("PUT: %d %s, want 400 naming %s", r.Status, r.Body, tc.names)
			}
		})
	}
	after := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil)
	if apitest.Str(after) != apitest.Str(before) {
		t.Errorf("refused updates wrote something:\nbefore %s\nafter  %s", apitest.Str(before), apitest.Str(after))
	}
	// On create, too: a bad value creates no ticket.
	r := e.Do("POST", "/api/tickets", map[string]any{"ticket_type_id": itoa(typ.ID), "contacts": []any{map[string]any{"id": itoa(c.ID)}},
		"ticket_attributes": map[string]any{"Order number": true}})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.ErrorMessage(), "Order number") {
		t.Errorf("create with a bad value: %d %s", r.Status, r.Body)
	}
	found := e.MustDo(http.StatusOK, "POST", "/api/tickets/search", map[string]any{"query": map[string]any{"field": "contact_ids", "operator": "=", "value": itoa(c.ID)}})
	if n := len(found["tickets"].([]any)); n != 1 {
		t.Errorf("contact has %d tickets after a refused create, want 1", n)
	}
}

func TestTT5_UpdateChangesAttributesAsEventParts(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Refund", ticket.Customer, nil, tkAttributes...)
	c := e.CreateContact("casey@example.com", "Casey")
	tk := tkCreate(t, e, typ, c, map[string]any{"ticket_attributes": map[string]any{"_default_title_": "Broken", "Priority": "Low", "Order number": 42}})
	id := apitest.ID(tk)
	e.Clock.Advance(time.Minute)
	up := e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_attributes": map[string]any{
		"_default_title_": "Still broken", "Priority": "High", "Order number": nil, "Refund": true}})
	attrs := up["ticket_attributes"].(map[string]any)
	if attrs["_default_title_"] != "Still broken" || attrs["Priority"] != "High" || attrs["Refund"] != true {
		t.Errorf("attributes after update = %v", attrs)
	}
	if _, ok := attrs["Order number"]; ok {
		t.Errorf("Order number was cleared but is %v", attrs["Order number"])
	}
	events := tkPartsOfType(t, up, "ticket_attribute_updated_by_admin")
	var labels []string
	for _, p := range events {
		d, _ := p["updated_attribute_data"].(map[string]any)
		a, _ := d["attribute"].(map[string]any)
		label, _ := a["label"].(string)
		labels = append(labels, label)
	}
	if strings.Join(labels, ",") != "Title,Priority,Order number,Refund" {
		t.Errorf("attribute events name %v, want Title, Priority, Order number, Refund", labels)
	}
	if tkNum(up["updated_at"]) != e.Clock.Now().Unix() {
		t.Errorf("updated_at = %v, want now", up["updated_at"])
	}
	// Sending the same values again changes nothing.
	again := e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_attributes": map[string]any{"Priority": "High"}})
	if len(tkParts(t, again)) != len(tkParts(t, up)) {
		t.Errorf("an update that changes nothing added parts")
	}
}

func TestST2_StateChangesAreEventPartsAndRowsOfHistoryWithTimes(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Refund", ticket.Customer, nil)
	c := e.CreateContact("casey@example.com", "Casey")
	states := tkStates(t, e)
	tk := tkCreate(t, e, typ, c, nil)
	id := apitest.ID(tk)
	t0 := e.Clock.Now()
	e.Clock.Advance(time.Hour)
	t1 := e.Clock.Now()
	up := e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": itoa(states[ticket.InProgress])})
	if s := up["ticket_state"].(map[string]any); s["category"] != "in_progress" {
		t.Errorf("state after update = %v", s)
	}
	e.Clock.Advance(2 * time.Hour)
	t2 := e.Clock.Now()
	up = e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": itoa(states[ticket.Resolved])})
	if up["previous_ticket_state_id"] != itoa(states[ticket.InProgress]) {
		t.Errorf("previous_ticket_state_id = %v", up["previous_ticket_state_id"])
	}
	// The same state again is no change.
	up = e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": itoa(states[ticket.Resolved])})

	got := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil)
	var changes []string
	for _, p := range tkPartsOfType(t, got, "ticket_state_updated_by_admin") {
		changes = append(changes, p["previous_ticket_state"].(string)+">"+p["ticket_state"].(string))
		if a := p["author"].(map[string]any); a["type"] != "admin" || a["id"] != itoa(e.Admin.ID) {
			t.Errorf("state change author = %v", a)
		}
	}
	if strings.Join(changes, " ") != "submitted>in_progress in_progress>resolved" {
		t.Errorf("state change parts = %v", changes)
	}
	history, err := e.DB.Read().StateHistory(t.Context(), tkNum(id))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		state      int64
		start, end time.Time
	}{
		{states[ticket.Submitted], t0, t1},
		{states[ticket.InProgress], t1, t2},
		{states[ticket.Resolved], t2, time.Time{}},
	}
	if len(history) != len(want) {
		t.Fatalf("state history has %d rows, want %d: %+v", len(history), len(want), history)
	}
	for i, w := range want {
		h := history[i]
		if h.StateID != w.state || !h.Started.Equal(w.start) || !h.Ended.Equal(w.end) {
			t.Errorf("history[%d] = %+v, want state %d from %v to %v", i, h, w.state, w.start, w.end)
		}
	}
	r := e.Do("PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": "0"})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.ErrorMessage(), "ticket_state_id") {
		t.Errorf("state 0: %d %s", r.Status, r.Body)
	}
}

func TestST3_OpenOrClosedApartFromTheState(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Refund", ticket.Customer, nil)
	c := e.CreateContact("casey@example.com", "Casey")
	states := tkStates(t, e)
	id := apitest.ID(tkCreate(t, e, typ, c, nil))

	// Closing without resolving.
	up := e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"open": false})
	if up["open"] != false || up["ticket_state"].(map[string]any)["category"] != "submitted" {
		t.Errorf("closed ticket: open %v state %v", up["open"], up["ticket_state"])
	}
	if len(tkPartsOfType(t, up, "close")) != 1 || len(tkPartsOfType(t, up, "ticket_state_updated_by_admin")) != 0 {
		t.Errorf("closing: parts %v", tkParts(t, up))
	}
	// A state change leaves a closed ticket closed.
	up = e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": itoa(states[ticket.InProgress])})
	if up["open"] != false {
		t.Errorf("state change opened the ticket")
	}
	// Reopening leaves the state alone.
	up = e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"open": true})
	if up["open"] != true || up["ticket_state"].(map[string]any)["category"] != "in_progress" || len(tkPartsOfType(t, up, "open")) != 1 {
		t.Errorf("reopened ticket: open %v state %v", up["open"], up["ticket_state"])
	}
	// Resolved and still open, then closed: both at once.
	up = e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": itoa(states[ticket.Resolved])})
	if up["open"] != true {
		t.Errorf("resolving closed the ticket")
	}
	up = e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"open": false, "ticket_state_id": itoa(states[ticket.InProgress])})
	if up["open"] != false || up["ticket_state"].(map[string]any)["category"] != "in_progress" {
		t.Errorf("close with a state change: open %v state %v", up["open"], up["ticket_state"])
	}
	// Snoozing keeps it open, as Intercom's open flag says.
	until := e.Clock.Now().Add(24 * time.Hour).Unix()
	up = e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"open": true, "snoozed_until": until})
	if up["open"] != true || tkNum(up["snoozed_until"]) != until || len(tkPartsOfType(t, up, "snoozed")) != 1 {
		t.Errorf("snoozed ticket: open %v snoozed_until %v", up["open"], up["snoozed_until"])
	}
	found := e.MustDo(http.StatusOK, "POST", "/api/tickets/search", map[string]any{"query": map[string]any{"field": "snoozed_until", "operator": "=", "value": until}})
	if ids := tkIDs(found); len(ids) != 1 || ids[0] != id {
		t.Errorf("search by snoozed_until = %v", ids)
	}
	// Closing unsnoozes.
	up = e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"open": false})
	if up["open"] != false || up["snoozed_until"] != nil {
		t.Errorf("closed snoozed ticket: open %v snoozed_until %v", up["open"], up["snoozed_until"])
	}
	r := e.Do("PUT", "/api/tickets/"+id, map[string]any{"snoozed_until": e.Clock.Now().Add(-time.Hour).Unix()})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.ErrorMessage(), "snoozed_until") {
		t.Errorf("snooze in the past: %d %s", r.Status, r.Body)
	}
}

func TestUpdateTicketAssigns(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Refund", ticket.Customer, nil)
	c := e.CreateContact("casey@example.com", "Casey")
	other := e.CreateAdmin("ann@example.com", "Ann")
	team := e.CreateTeam("Billing", other.ID)
	id := apitest.ID(tkCreate(t, e, typ, c, nil))

	up := e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"admin_id": other.ID, "assignee_id": itoa(other.ID)})
	if tkNum(up["admin_assignee_id"]) != other.ID {
		t.Errorf("admin_assignee_id = %v", up["admin_assignee_id"])
	}
	a := tkPartsOfType(t, up, "assignment")
	if len(a) != 1 || a[0]["assigned_to"].(map[string]any)["id"] != itoa(other.ID) || a[0]["author"].(map[string]any)["id"] != itoa(other.ID) {
		t.Errorf("assignment parts = %v", a)
	}
	// The team, by the extension team_assignee_id (Intercom's create names it so too).
	up = e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"team_assignee_id": itoa(team.ID)})
	if tkNum(up["team_assignee_id"]) != team.ID || tkNum(up["admin_assignee_id"]) != other.ID {
		t.Errorf("after team assignment: admin %v team %v", up["admin_assignee_id"], up["team_assignee_id"])
	}
	up = e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"assignee_id": "0"})
	if tkNum(up["admin_assignee_id"]) != 0 || tkNum(up["team_assignee_id"]) != team.ID {
		t.Errorf("after unassigning: admin %v team %v", up["admin_assignee_id"], up["team_assignee_id"])
	}
	for _, body := range []map[string]any{{"assignee_id": "999999"}, {"admin_id": "999999", "open": false}, {"team_assignee_id": "999999"}} {
		r := e.Do("PUT", "/api/tickets/"+id, body)
		if r.Status != http.StatusNotFound {
			t.Errorf("PUT %v: %d %s, want 404", body, r.Status, r.Body)
		}
	}
}

func TestBO6_SharingIsDecidedWhenATicketIsCreated(t *testing.T) {
	e := apitest.Start(t)
	allow := false
	customer := e.CreateTicketType("Refund", ticket.Customer, nil)
	backOffice := e.CreateTicketType("Investigation", ticket.BackOffice, &allow)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	c := e.CreateContact("casey@example.com", "Casey")
	for _, tc := range []struct {
		typ    ticket.Type
		shared bool
	}{{customer, true}, {backOffice, false}, {tracker, false}} {
		id := apitest.ID(tkCreate(t, e, tc.typ, c, nil))
		// Repeating the ticket's sharing is no change.
		up := e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"is_shared": tc.shared})
		if up["is_shared"] != tc.shared {
			t.Errorf("%s: is_shared = %v", tc.typ.Category, up["is_shared"])
		}
		r := e.Do("PUT", "/api/tickets/"+id, map[string]any{"is_shared": !tc.shared, "ticket_attributes": map[string]any{"_default_title_": "changed"}})
		if r.Status != http.StatusBadRequest || !strings.Contains(r.ErrorMessage(), "is_shared") {
			t.Errorf("%s: changing is_shared: %d %s", tc.typ.Category, r.Status, r.Body)
		}
		got := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil)
		if got["is_shared"] != tc.shared || got["ticket_attributes"].(map[string]any)["_default_title_"] != "Broken" {
			t.Errorf("%s: a refused update wrote: %v", tc.typ.Category, got)
		}
	}
}

func TestDeleteTicketAnswersAsIntercomAndRemovesIt(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Refund", ticket.Customer, nil)
	c := e.CreateContact("casey@example.com", "Casey")
	id := apitest.ID(tkCreate(t, e, typ, c, nil))
	conv := tkConversation(t, e, c, "Hello")
	got := e.MustDo(http.StatusOK, "DELETE", "/api/tickets/"+id, nil)
	if got["id"] != id || got["object"] != "ticket" || got["deleted"] != true {
		t.Errorf("DELETE answered %v", got)
	}
	for _, r := range []*apitest.Response{
		e.Do("GET", "/api/tickets/"+id, nil),
		e.Do("DELETE", "/api/tickets/"+id, nil),
		e.Do("DELETE", "/api/tickets/"+conv, nil), // a conversation is no ticket
	} {
		if r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
			t.Errorf("after delete: %d %s, want 404", r.Status, r.Body)
		}
	}
	if _, err := e.DB.Read().StateHistory(t.Context(), tkNum(id)); err != nil {
		t.Error(err)
	}
	e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil)
}

func TestBO4_AStateChangeByUpdatePostsInTheLinkedConversation(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Investigation", ticket.BackOffice, nil)
	c := e.CreateContact("casey@example.com", "Casey")
	states := tkStates(t, e)
	conv := tkConversation(t, e, c, "Where is my refund?")
	id := apitest.ID(tkCreate(t, e, typ, c, map[string]any{"conversation_to_link_id": conv}))
	e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": itoa(states[ticket.InProgress]),
		"ticket_attributes": map[string]any{"_default_title_": "Refund check"}})
	got := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil)
	events := 0
	for _, p := range parts(t, got) {
		if p[0] == "linked_ticket_state_updated" {
			events++
		}
	}
	if events != 1 {
		t.Errorf("linked conversation has %d state events: %v", events, parts(t, got))
	}
}
