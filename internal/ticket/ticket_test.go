package ticket

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
)

var now = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

func field(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func TestTT4_SharingIsOffByDefaultForBackOfficeTypes(t *testing.T) {
	cases := []struct {
		cat      Category
		internal *bool
		want     bool
		errField string
	}{
		{BackOffice, nil, true, ""},
		{BackOffice, ptr(false), false, ""},
		{BackOffice, ptr(true), true, ""},
		{Customer, nil, false, ""},
		{Customer, ptr(true), false, "is_internal"},
		{Tracker, nil, true, ""},
		{Tracker, ptr(false), false, "is_internal"},
	}
	for _, c := range cases {
		typ, err := NewType("T", "", "", c.cat, c.internal, now)
		if field(err) != c.errField {
			t.Errorf("%s internal=%v: err %v, want field %q", c.cat, c.internal, err, c.errField)
			continue
		}
		if err == nil && typ.IsInternal != c.want {
			t.Errorf("%s internal=%v: IsInternal %v, want %v", c.cat, c.internal, typ.IsInternal, c.want)
		}
	}
}

func TestTT5_AttributeValuesAreCheckedAgainstTheirType(t *testing.T) {
	typ, _ := NewType("Refund", "", "", BackOffice, nil, now)
	typ.Attributes = append(typ.Attributes,
		Attribute{Name: "amount", DataType: Decimal, RequiredToCreate: true, VisibleToContacts: true},
		Attribute{Name: "count", DataType: Integer},
		Attribute{Name: "reason", DataType: List, ListItems: []string{"late", "broken"}, RequiredForContacts: true, VisibleToContacts: true},
		Attribute{Name: "urgent", DataType: Boolean},
		Attribute{Name: "due", DataType: Datetime},
		Attribute{Name: "proof", DataType: Files, AllowMultiple: true},
		Attribute{Name: "secret", DataType: String, VisibleToContacts: false},
		Attribute{Name: "old", DataType: String, Archived: true},
	)
	in := func(s string) map[string]json.RawMessage {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	good, err := typ.Validate(in(`{"amount": 12.5, "count": 3, "reason": "late", "urgent": true, "due": "2026-11-02T10:00:00Z", "proof": ["https://x/a.png"]}`), ByTeammate, false)
	if err != nil {
		t.Fatalf("valid values refused: %v", err)
	}
	if good["due"] != float64(now.Add(time.Hour).Unix()) || good["count"] != float64(3) {
		t.Errorf("stored values = %v", good)
	}
	bad := []struct{ body, field string }{
		{`{"amount": "12"}`, "ticket_attributes.amount"},
		{`{"amount": 1, "count": 1.5}`, "ticket_attributes.count"},
		{`{"amount": 1, "reason": "bored"}`, "ticket_attributes.reason"},
		{`{"amount": 1, "reason": ["late", "broken"]}`, "ticket_attributes.reason"},
		{`{"amount": 1, "urgent": "yes"}`, "ticket_attributes.urgent"},
		{`{"amount": 1, "due": "tomorrow"}`, "ticket_attributes.due"},
		{`{"amount": 1, "proof": ["javascript:alert(1)"]}`, "ticket_attributes.proof"},
		{`{"amount": 1, "nope": 1}`, "ticket_attributes.nope"},
		{`{"amount": 1, "old": "x"}`, "ticket_attributes.old"},
		{`{"count": 1}`, "ticket_attributes.amount"},
	}
	for _, b := range bad {
		if _, err := typ.Validate(in(b.body), ByTeammate, false); field(err) != b.field {
			t.Errorf("%s: err %v, want one naming %s", b.body, err, b.field)
		}
	}
	if _, err := typ.Validate(in(`{"amount": 1}`), ByContact, false); field(err) != "ticket_attributes.reason" {
		t.Errorf("customer without the attribute required of customers: %v", err)
	}
	if _, err := typ.Validate(in(`{"reason": "late", "secret": "x"}`), ByContact, false); field(err) != "ticket_attributes.secret" {
		t.Errorf("customer setting a hidden attribute: %v", err)
	}
}

func TestTT3_DescriptionsAreStoredSanitised(t *testing.T) {
	cases := []struct{ in, want, absent string }{
		{"**bold** and *it*\n\n- one\n- two", "<strong>bold</strong>", "<script"},
		{`<p>hi<script>alert(1)</script></p>`, "<p>hi</p>", "script"},
		{`<p><a href="javascript:alert(1)">x</a></p>`, "x", "javascript"},
		{`<p onclick="steal()">x</p>`, "<p>x</p>", "onclick"},
		{"[site](https://example.com)", `href="https://example.com"`, "javascript"},
		{"> quoted\n\n```\ncode\n```", "<blockquote>", "<script"},
		{`<img src=x onerror=alert(1)>`, "", "onerror"},
	}
	for _, c := range cases {
		got := SanitizeDescription(c.in)
		if !strings.Contains(got, c.want) || c.absent != "" && strings.Contains(got, c.absent) {
			t.Errorf("SanitizeDescription(%q) = %q, want it to hold %q and not %q", c.in, got, c.want, c.absent)
		}
	}
}

func TestBO6_SharingNeedsTheTypeAndALinkedConversation(t *testing.T) {
	shareable, _ := NewType("Refund", "", "", BackOffice, ptr(false), now)
	fraud, _ := NewType("Fraud", "", "", BackOffice, nil, now)
	conv := &Target{ID: 1}
	if shared, err := Sharing(shareable, ptr(true), conv); err != nil || !shared {
		t.Errorf("shareable type linked to a conversation: %v %v", shared, err)
	}
	if shared, _ := Sharing(shareable, nil, conv); shared {
		t.Errorf("a Back-office ticket was shared without the teammate choosing it")
	}
	if _, err := Sharing(fraud, ptr(true), conv); field(err) != "is_shared" {
		t.Errorf("type that does not allow sharing: %v", err)
	}
	if _, err := Sharing(shareable, ptr(true), nil); field(err) != "is_shared" {
		t.Errorf("shared without a linked conversation: %v", err)
	}
}

func TestBO7_OneSharedBackOfficeTicketPerConversation(t *testing.T) {
	shareable, _ := NewType("Refund", "", "", BackOffice, ptr(false), now)
	if _, err := Sharing(shareable, ptr(true), &Target{ID: 1, HasSharedBackOffice: true}); field(err) != "is_shared" {
		t.Errorf("second shared Back-office ticket on a conversation: %v", err)
	}
}

func TestBO8_BackOfficeLinkedToCustomerTicketCannotBeShared(t *testing.T) {
	shareable, _ := NewType("Refund", "", "", BackOffice, ptr(false), now)
	if _, err := Sharing(shareable, ptr(true), &Target{ID: 1, IsTicket: true, Category: Customer}); field(err) != "is_shared" {
		t.Errorf("shared Back-office ticket linked to a Customer ticket: %v", err)
	}
	tk := Ticket{Category: BackOffice, IsShared: true}
	tk.ID = 9
	if err := tk.CanLink(Target{ID: 1, IsTicket: true, Category: Customer}); err == nil {
		t.Errorf("a shared Back-office ticket was linked to a Customer ticket")
	}
}

func TestBO5_CrossPostUnsnoozesOnlyWhenAssigneesDiffer(t *testing.T) {
	snoozed := conversation.Conversation{State: conversation.Snoozed, AdminAssigneeID: 7}
	if WakesOnCrossPost(snoozed, 7) {
		t.Errorf("same teammate on both: the conversation must stay snoozed")
	}
	if !WakesOnCrossPost(snoozed, 8) {
		t.Errorf("different teammates: the conversation must un-snooze")
	}
	if WakesOnCrossPost(conversation.Conversation{State: conversation.Open}, 8) {
		t.Errorf("an open conversation has nothing to wake from")
	}
}

func TestBO2_BackOfficeTicketsTakeNotesOnly(t *testing.T) {
	admin := conversation.Author{Type: conversation.AuthorAdmin, ID: 1}
	bo := Ticket{Category: BackOffice}
	if err := bo.CanReply(admin, conversation.PartComment); err == nil {
		t.Errorf("a comment was allowed on an unshared Back-office ticket")
	}
	if err := bo.CanReply(admin, conversation.PartNote); err != nil {
		t.Errorf("a note was refused: %v", err)
	}
	if err := bo.CanReply(conversation.Author{Type: conversation.AuthorUser, ID: 2}, conversation.PartComment); err == nil {
		t.Errorf("a customer replied on an unshared Back-office ticket")
	}
}

func TestTR1_TrackersAreNeverShared(t *testing.T) {
	tracker, _ := NewType("Outage", "", "", Tracker, nil, now)
	if _, err := Sharing(tracker, ptr(true), &Target{ID: 1}); field(err) != "is_shared" {
		t.Errorf("a tracker was shared: %v", err)
	}
	if err := (Ticket{Category: Tracker}).CanTag(); err == nil {
		t.Errorf("a tracker was tagged")
	}
}

func TestTR2_OneTrackerPerConversation(t *testing.T) {
	tk := Ticket{Category: Tracker}
	tk.ID = 5
	if err := tk.CanLink(Target{ID: 1, HasTracker: true}); err == nil {
		t.Errorf("a second tracker was linked to a conversation")
	}
	if err := tk.CanLink(Target{ID: 2, IsTicket: true, Category: Customer}); err != nil {
		t.Errorf("linking a Customer ticket to a tracker: %v", err)
	}
	if err := tk.CanLink(Target{ID: 3, IsTicket: true, Category: BackOffice}); err == nil {
		t.Errorf("a tracker was linked to a Back-office ticket")
	}
}

func TestCO3_OneCompanyIsChosenAutomatically(t *testing.T) {
	if c, _ := ChooseCompany([][]int64{{4}}, nil); c != 4 {
		t.Errorf("contact in one company: chose %d, want 4", c)
	}
	if c, _ := ChooseCompany([][]int64{{4, 5}}, nil); c != 0 {
		t.Errorf("contact in two companies: chose %d, want none", c)
	}
	if c, _ := ChooseCompany([][]int64{{4}}, ptr(int64(0))); c != 0 {
		t.Errorf("No company chosen: got %d", c)
	}
}

func TestCO2_CompanyMustBeOneOfTheContacts(t *testing.T) {
	if _, err := ChooseCompany([][]int64{{4}, {5}}, ptr(int64(6))); field(err) != "company_id" {
		t.Errorf("a company outside the contacts' was accepted: %v", err)
	}
	if c, err := ChooseCompany([][]int64{{4}, {5}}, ptr(int64(5))); err != nil || c != 5 {
		t.Errorf("a company of a contact: %d %v", c, err)
	}
}

func TestST2_StateChanges(t *testing.T) {
	states := States{{ID: 1, Category: Submitted}, {ID: 2, Category: InProgress}, {ID: 4, Category: Resolved}}
	initial, _ := states.Initial()
	tk := Ticket{State: initial}
	change, ok, err := tk.ChangeState(states[1], now)
	if err != nil || !ok || change.From.ID != 1 || change.To.ID != 2 || tk.PreviousStateID != 1 {
		t.Errorf("change: %+v %v %v, ticket %+v", change, ok, err, tk)
	}
	if _, ok, _ := tk.ChangeState(states[1], now); ok {
		t.Errorf("moving to the same state counted as a change")
	}
}
