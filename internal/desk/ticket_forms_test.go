package desk_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/api"
	"github.com/helpdesk/helpdesk/internal/auth"
	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/notify"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// createType adds a ticket type with the default attributes and the ones given.
func (e *trackerEnv) createType(tb testing.TB, name string, c ticket.Category, internal *bool, attrs ...ticket.Attribute) ticket.Type {
	tb.Helper()
	now := e.clk.Now()
	typ, err := ticket.NewType(name, "", "", c, internal, now)
	if err != nil {
		tb.Fatal(err)
	}
	for i, a := range attrs {
		a.Order, a.CreatedAt, a.UpdatedAt = len(typ.Attributes)+i, now, now
		typ.Attributes = append(typ.Attributes, a)
	}
	if err := e.db.Tx(context.Background(), func(tx *store.Tx) error { return tx.CreateTicketType(context.Background(), &typ) }); err != nil {
		tb.Fatal(err)
	}
	return typ
}

// api serves the REST API on the env's database and desk, and returns its URL and a token of
// the env's teammate: a client of the API acts as the Inbox and the Messenger do.
func (e *trackerEnv) api(tb testing.TB) func(method, path string, body any) map[string]any {
	tb.Helper()
	token, hash := auth.NewToken()
	err := e.db.Tx(context.Background(), func(tx *store.Tx) error {
		return tx.CreateToken(context.Background(), &store.Token{AdminID: e.admin, Name: "test", Hash: hash, CreatedAt: e.clk.Now()})
	})
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(api.New(e.db, e.d, slog.New(slog.DiscardHandler), e.clk))
	tb.Cleanup(srv.Close)
	return func(method, path string, body any) map[string]any {
		tb.Helper()
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(b))
		if err != nil {
			tb.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			tb.Fatalf("%s %s: %d %s %v", method, path, resp.StatusCode, data, err)
		}
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			tb.Fatal(err)
		}
		return v
	}
}

// notification is a row of the notifications table: what the Messenger counts and the delivery
// worker emails (N1-N4).
type notification struct {
	Thread, Part int64
	Kind         string
	Created, Due int64
}

// notifications reads a contact's notifications with plain SQL, oldest first: the table itself
// is what is checked, not a reading of it.
func notifications(tb testing.TB, raw *sql.DB, contactID int64) []notification {
	tb.Helper()
	rows, err := raw.Query(`SELECT conversation_id, part_id, kind, created_at, email_due_at FROM notifications
		WHERE contact_id = $1 ORDER BY id`, contactID)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []notification
	for rows.Next() {
		var n notification
		if err := rows.Scan(&n.Thread, &n.Part, &n.Kind, &n.Created, &n.Due); err != nil {
			tb.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// rawAttrs encodes attribute values as a form or the API sends them.
func rawAttrs(tb testing.TB, m map[string]any) map[string]json.RawMessage {
	tb.Helper()
	out := map[string]json.RawMessage{}
	for k, v := range m {
		b, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		out[k] = b
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// must(f())(t) is f's value, or the end of the test when f fails.
func must[T any](v T, err error) func(testing.TB) T {
	return func(tb testing.TB) T {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
}

func id(v int64) string { return strconv.FormatInt(v, 10) }

// TestN1_TicketSubmittedByTheCustomerIsNotified creates a ticket shared with the customer in
// every way there is (CT2, CT3, CT4, BO6, the API) and checks that each records the same one
// notification: ticket-submitted, for the customer, in the thread they see it in, its email due
// at once.
func TestN1_TicketSubmittedByTheCustomerIsNotified(t *testing.T) {
	e := newTrackerEnv(t)
	ctx, raw, call := t.Context(), e.raw(t), e.api(t)
	refund := e.createType(t, "Refund", ticket.Customer, nil,
		ticket.Attribute{Name: "Order number", DataType: ticket.Integer, RequiredForContacts: true, VisibleToContacts: true})
	replacement := e.createType(t, "Replacement", ticket.BackOffice, ptr(false))
	admin := conversation.Author{Type: conversation.AuthorAdmin, ID: e.admin}
	form := rawAttrs(t, map[string]any{"_default_title_": "Lost parcel", "Order number": 12})
	start := func() int64 {
		return must(e.d.StartConversation(ctx, e.contact, "My parcel never came"))(t).ID
	}
	cases := []struct {
		name   string
		create func() (thread int64) // the thread the customer sees the ticket in
	}{
		{"the customer submits a Customer ticket form (CT3)", func() int64 {
			f := must(e.d.SendTicketForm(ctx, start(), e.admin, refund.ID))(t)
			return must(e.d.SubmitTicketForm(ctx, f.ID, e.contact, form))(t).ID
		}},
		{"the customer submits a Back-office ticket form (CT3, BO10)", func() int64 {
			c := start()
			f := must(e.d.SendTicketForm(ctx, c, e.admin, replacement.ID))(t)
			must(e.d.SubmitTicketForm(ctx, f.ID, e.contact, rawAttrs(t, map[string]any{"_default_title_": "Broken kettle"})))(t)
			return c
		}},
		{"the customer creates a ticket without a conversation (CT4)", func() int64 {
			return must(e.d.CustomerCreateTicket(ctx, e.contact, refund.ID, form))(t).ID
		}},
		{"a teammate converts the customer's conversation (CT2)", func() int64 {
			return must(e.d.ConvertConversation(ctx, desk.Conversion{ConversationID: start(), AdminID: e.admin, TypeID: refund.ID}))(t).ID
		}},
		{"a teammate creates a ticket on the customer's behalf (CT2)", func() int64 {
			return must(e.d.CreateTicket(ctx, desk.NewTicket{TypeID: refund.ID, By: admin, Contacts: []desk.ContactRef{{ID: e.contact}}}))(t).ID
		}},
		{"a teammate shares a Back-office ticket from the conversation (BO6, BO10)", func() int64 {
			c := start()
			must(e.d.CreateTicket(ctx, desk.NewTicket{TypeID: replacement.ID, By: admin, Contacts: []desk.ContactRef{{ID: e.contact}},
				LinkTo: c, Shared: ptr(true)}))(t)
			return c
		}},
		{"the API creates a ticket (POST /tickets)", func() int64 {
			tk := call("POST", "/api/tickets", map[string]any{"ticket_type_id": id(refund.ID), "contacts": []any{map[string]any{"id": id(e.contact)}}})
			return must(strconv.ParseInt(tk["id"].(string), 10, 64))(t)
		}},
		{"the API converts a conversation (POST /conversations/{id}/convert)", func() int64 {
			tk := call("POST", "/api/conversations/"+id(start())+"/convert", map[string]any{"ticket_type_id": id(refund.ID)})
			return must(strconv.ParseInt(tk["id"].(string), 10, 64))(t)
		}},
		{"the API shares a Back-office ticket (POST /tickets, is_shared)", func() int64 {
			c := start()
			call("POST", "/api/tickets", map[string]any{"ticket_type_id": id(replacement.ID), "contacts": []any{map[string]any{"id": id(e.contact)}},
				"conversation_to_link_id": id(c), "is_shared": true})
			return c
		}},
	}
	for _, tc := range cases {
		e.clk.Advance(time.Minute)
		seen := len(notifications(t, raw, e.contact))
		thread := tc.create()
		got := notifications(t, raw, e.contact)[seen:]
		now := e.clk.Now().Unix()
		if len(got) != 1 || got[0].Kind != string(notify.TicketSubmitted) || got[0].Thread != thread || got[0].Created != now || got[0].Due != now {
			t.Errorf("%s: notifications %+v, want one %s in thread %d, its email due at once (%d)", tc.name, got, notify.TicketSubmitted, thread, now)
			continue
		}
		visible := must(e.db.Read().VisibleParts(ctx, thread, 0))(t)
		if !slices.ContainsFunc(visible, func(p conversation.Part) bool { return p.ID == got[0].Part }) {
			t.Errorf("%s: the notified part %d is not one the customer sees in thread %d", tc.name, got[0].Part, thread)
		}
	}
}

// TestN5_InternalPartsAreNotVisible fills a conversation and a Customer ticket with everything
// internal there is, and with what the customer is meant to see, and checks that the customer
// sees, and is notified of, only the latter.
func TestN5_InternalPartsAreNotVisible(t *testing.T) {
	e := newTrackerEnv(t)
	ctx, raw := t.Context(), e.raw(t)
	fraud := e.createType(t, "Fraud investigation", ticket.BackOffice, nil) // TT4: not shareable
	replacement := e.createType(t, "Replacement", ticket.BackOffice, ptr(false))
	question := e.createType(t, "Question", ticket.Customer, nil)
	admin := conversation.Author{Type: conversation.AuthorAdmin, ID: e.admin}
	states := must(e.db.Read().TicketStates(ctx))(t)
	var inProgress int64
	for _, s := range states {
		if s.Category == ticket.InProgress {
			inProgress = s.ID
		}
	}
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	c := must(e.d.StartConversation(ctx, e.contact, "My card was charged twice"))(t)
	// Internal: a note, an assignment, a tracker link, an unshared Back-office ticket linked to
	// the conversation, a note cross-posted from it, and its state change.
	must(e.d.AdminReply(ctx, c.ID, e.admin, conversation.PartNote, "Looks like fraud"))(t)
	must(e.d.Assign(ctx, c.ID, e.admin, desk.ToAdmin, e.admin, ""))(t)
	check(e.d.LinkTicket(ctx, e.tracker.ID, e.admin, c.ID))
	bo := must(e.d.CreateTicket(ctx, desk.NewTicket{TypeID: fraud.ID, By: admin, Contacts: []desk.ContactRef{{ID: e.contact}}, LinkTo: c.ID}))(t)
	must(e.d.AdminReplyTicket(ctx, bo.ID, e.admin, conversation.PartNote, "Card blocked", true))(t)
	must(e.d.ChangeState(ctx, bo.ID, e.admin, inProgress))(t)
	// Seen by the customer: a teammate's comment, and a shared Back-office ticket's link and
	// state change (BO10).
	must(e.d.AdminReply(ctx, c.ID, e.admin, conversation.PartComment, "We are on it"))(t)
	shared := must(e.d.CreateTicket(ctx, desk.NewTicket{TypeID: replacement.ID, By: admin, Contacts: []desk.ContactRef{{ID: e.contact}},
		LinkTo: c.ID, Shared: ptr(true)}))(t)
	must(e.d.ChangeState(ctx, shared.ID, e.admin, inProgress))(t)

	// A Customer ticket: its creation and state change are seen; a note, an assignment and a
	// tracker link are not.
	ct := must(e.d.CreateTicket(ctx, desk.NewTicket{TypeID: question.ID, By: admin, Contacts: []desk.ContactRef{{ID: e.contact}}}))(t)
	must(e.d.AdminReplyTicket(ctx, ct.ID, e.admin, conversation.PartNote, "Check the ledger", false))(t)
	must(e.d.UpdateTicket(ctx, ct.ID, desk.TicketChange{AdminID: e.admin, AssigneeID: ptr(e.admin)}))(t)
	check(e.d.LinkTicket(ctx, e.tracker.ID, e.admin, ct.ID))
	must(e.d.ChangeState(ctx, ct.ID, e.admin, inProgress))(t)

	source := map[int64]string{e.tracker.ID: "tracker", bo.ID: "unshared Back-office", shared.ID: "shared Back-office"}
	describe := func(p conversation.Part) string {
		if s := source[p.SourceTicketID]; s != "" {
			return string(p.Type) + " from the " + s
		}
		return string(p.Type)
	}
	notified := map[int64]string{}
	for _, n := range notifications(t, raw, e.contact) {
		notified[n.Part] = n.Kind
	}
	for _, th := range []struct {
		name     string
		id       int64
		visible  []string // what the customer sees, in order
		internal []string // what they do not, in order
		kinds    []string // the notifications of the visible parts
	}{
		{"conversation", c.ID,
			[]string{"comment", "linked_ticket from the shared Back-office", "linked_ticket_state_updated from the shared Back-office"},
			[]string{"note", "assignment", "linked_ticket from the tracker", "linked_ticket from the unshared Back-office",
				"note from the unshared Back-office", "linked_ticket_state_updated from the unshared Back-office"},
			[]string{"conversation-reply", "ticket-submitted", "ticket-state"}},
		{"Customer ticket", ct.ID,
			[]string{"ticket_created", "ticket_state_updated_by_admin"},
			[]string{"note", "assignment", "linked_ticket from the tracker"},
			[]string{"ticket-submitted", "ticket-state"}},
		// N5: a tracker's and a Back-office ticket's own timelines are no customer's thread; a
		// shared one reaches the customer through its conversation (BO10).
		{"tracker", e.tracker.ID, nil, []string{"ticket_created", "linked_ticket", "linked_ticket"}, nil},
		// Its cross-posted note names the ticket itself as where it came from (BO3: marked so).
		{"unshared Back-office ticket", bo.ID, nil, []string{"ticket_created", "linked_ticket", "note from the unshared Back-office", "ticket_state_updated_by_admin"}, nil},
		{"shared Back-office ticket", shared.ID, nil, []string{"ticket_created", "linked_ticket", "ticket_state_updated_by_admin"}, nil},
	} {
		var visible, internal, kinds []string
		var visibleIDs []int64
		for _, p := range must(e.db.Read().VisibleParts(ctx, th.id, 0))(t) {
			visible = append(visible, describe(p))
			visibleIDs = append(visibleIDs, p.ID)
			if k, ok := notified[p.ID]; ok {
				kinds = append(kinds, k)
			}
		}
		for _, p := range must(e.db.Read().Parts(ctx, th.id))(t) {
			if slices.Contains(visibleIDs, p.ID) {
				continue
			}
			internal = append(internal, describe(p))
			if k, ok := notified[p.ID]; ok {
				t.Errorf("%s: internal part %s (%d) is notified: %s", th.name, describe(p), p.ID, k)
			}
		}
		if !slices.Equal(visible, th.visible) {
			t.Errorf("%s: the customer sees %q, want %q", th.name, visible, th.visible)
		}
		if !slices.Equal(internal, th.internal) {
			t.Errorf("%s: internal parts %q, want %q", th.name, internal, th.internal)
		}
		if !slices.Equal(kinds, th.kinds) {
			t.Errorf("%s: notifications %q, want %q", th.name, kinds, th.kinds)
		}
	}
}

// TestCT3_AFormIsSubmittedOnce: not twice, not after its ticket was deleted, and not when its
// conversation became a ticket meanwhile; each refusal writes nothing.
func TestCT3_AFormIsSubmittedOnce(t *testing.T) {
	e := newTrackerEnv(t)
	ctx := t.Context()
	refund := e.createType(t, "Refund", ticket.Customer, nil)
	replacement := e.createType(t, "Replacement", ticket.BackOffice, ptr(false))
	title := rawAttrs(t, map[string]any{"_default_title_": "Help"})
	refused := func(what string, formID int64) {
		t.Helper()
		var ruleErr *ticket.Error
		if _, err := e.d.SubmitTicketForm(ctx, formID, e.contact, title); !errors.As(err, &ruleErr) || ruleErr.Field != "form" {
			t.Errorf("%s: %v, want refused naming form", what, err)
		}
	}

	// A Back-office form whose ticket was deleted stays submitted.
	c := must(e.d.StartConversation(ctx, e.contact, "Broken"))(t)
	f := must(e.d.SendTicketForm(ctx, c.ID, e.admin, replacement.ID))(t)
	tk := must(e.d.SubmitTicketForm(ctx, f.ID, e.contact, title))(t)
	refused("submitted twice", f.ID)
	if err := e.d.DeleteTicket(ctx, tk.ID); err != nil {
		t.Fatal(err)
	}
	refused("submitted again after its ticket was deleted", f.ID)
	if forms := must(e.db.Read().TicketForms(ctx, c.ID))(t); len(forms) != 1 || forms[0].SubmittedAt.IsZero() {
		t.Errorf("forms = %+v, want one, submitted", forms)
	}

	// A Customer form whose conversation a teammate converted meanwhile (CT2).
	c = must(e.d.StartConversation(ctx, e.contact, "Lost"))(t)
	f = must(e.d.SendTicketForm(ctx, c.ID, e.admin, refund.ID))(t)
	must(e.d.ConvertConversation(ctx, desk.Conversion{ConversationID: c.ID, AdminID: e.admin, TypeID: refund.ID}))(t)
	before := must(e.db.Read().Parts(ctx, c.ID))(t)
	refused("submitted after the conversation became a ticket", f.ID)
	if after := must(e.db.Read().Parts(ctx, c.ID))(t); len(after) != len(before) {
		t.Errorf("a refused submission added %d parts", len(after)-len(before))
	}
}

// TestCT3_SendTicketFormRefusesWhatCannotBeSubmitted checks the desk's refusals by their kind:
// a 404 for what does not exist, a rule error naming the field for the rest (BO7, BO8, BO11).
func TestCT3_SendTicketFormRefusesWhatCannotBeSubmitted(t *testing.T) {
	e := newTrackerEnv(t)
	ctx := t.Context()
	refund := e.createType(t, "Refund", ticket.Customer, nil)
	fraud := e.createType(t, "Fraud investigation", ticket.BackOffice, nil)
	outage := must(e.db.Read().TicketType(ctx, e.tracker.Type.ID))(t)
	c := must(e.d.StartConversation(ctx, e.contact, "Hello"))(t)
	for _, tc := range []struct {
		name                 string
		conversation, typeID int64
		admin                int64
		want                 string // "404 What" or "400 field"
	}{
		{"unknown admin", c.ID, refund.ID, 999999, "404 Admin"},
		{"unknown conversation", 999999, refund.ID, e.admin, "404 Conversation"},
		{"unknown type", c.ID, 999999, e.admin, "404 Ticket type"},
		{"a ticket", e.tracker.ID, refund.ID, e.admin, "400 id"},
		{"a Tracker type", c.ID, outage.ID, e.admin, "400 ticket_type_id"},
		{"a Back-office type that does not allow sharing", c.ID, fraud.ID, e.admin, "400 ticket_type_id"},
	} {
		_, err := e.d.SendTicketForm(ctx, tc.conversation, tc.admin, tc.typeID)
		var nf *desk.NotFoundError
		var rule *ticket.Error
		got := fmt.Sprint(err)
		switch {
		case errors.As(err, &nf):
			got = "404 " + nf.What
		case errors.As(err, &rule):
			got = "400 " + rule.Field
		}
		if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if forms := must(e.db.Read().TicketForms(ctx, c.ID))(t); len(forms) != 0 {
		t.Errorf("refused forms were stored: %+v", forms)
	}
	if parts := must(e.db.Read().Parts(ctx, c.ID))(t); len(parts) != 0 {
		t.Errorf("refused forms posted parts: %+v", parts)
	}
	// What can be sent is posted as one part the customer sees.
	f := must(e.d.SendTicketForm(ctx, c.ID, e.admin, refund.ID))(t)
	if parts := must(e.db.Read().Parts(ctx, c.ID))(t); len(parts) != 1 || parts[0].ID != f.PartID ||
		parts[0].Type != notify.PartTicketForm || !parts[0].Visible || parts[0].Body != "Refund" {
		t.Errorf("parts = %+v, want the form's", parts)
	}
}
