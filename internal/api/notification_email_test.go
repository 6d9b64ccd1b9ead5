package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/config"
	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/delivery"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/mail/mailtest"
	"github.com/helpdesk/helpdesk/internal/server"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// mailEnv drives changes through the API, as Intercom clients do, and reads the notification
// emails they cause from a real SMTP server (N1-N5, E1, E3).
type mailEnv struct {
	*apitest.Env
	t     *testing.T
	smtp  *mailtest.Server
	admin string
	n     int
}

func startMailEnv(t *testing.T, configure func(*config.Config)) *mailEnv {
	t.Helper()
	e, smtp := apitest.StartWithMail(t, configure)
	return &mailEnv{Env: e, t: t, smtp: smtp, admin: itoa(e.Admin.ID)}
}

// customer adds a contact with an address of its own.
func (e *mailEnv) customer() store.Contact {
	e.t.Helper()
	e.n++
	return e.CreateContact("customer"+itoa(int64(e.n))+"@example.com", "Casey Customer "+itoa(int64(e.n)))
}

// conversation starts a conversation from a new customer.
func (e *mailEnv) conversation() (store.Contact, string) {
	e.t.Helper()
	c := e.customer()
	return c, tkConversation(e.t, e.Env, c, "Something is wrong")
}

// ticket creates a ticket of typ, for contact unless it is nil, titled title.
func (e *mailEnv) ticket(typ ticket.Type, contact *store.Contact, title string, extra map[string]any) string {
	e.t.Helper()
	body := map[string]any{"ticket_type_id": itoa(typ.ID), "contacts": []any{},
		"ticket_attributes": map[string]any{"_default_title_": title, "_default_description_": "<p>It broke.</p>"}}
	if contact != nil {
		body["contacts"] = []any{map[string]any{"id": itoa(contact.ID)}}
	}
	for k, v := range extra {
		body[k] = v
	}
	return apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/tickets", body))
}

// update changes a ticket as the env's teammate (Intercom's admin_id is an integer here).
func (e *mailEnv) update(id string, body map[string]any) {
	e.t.Helper()
	body["admin_id"] = e.Admin.ID
	e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, body)
}

func (e *mailEnv) setState(id string, c ticket.StateCategory) {
	e.t.Helper()
	e.update(id, map[string]any{"ticket_state_id": itoa(tkStates(e.t, e.Env)[c])})
}

// replyTicket posts a teammate's comment or note on a ticket.
func (e *mailEnv) replyTicket(id, messageType, body string, extra map[string]any) {
	e.t.Helper()
	req := map[string]any{"type": "admin", "admin_id": e.admin, "message_type": messageType, "body": body}
	for k, v := range extra {
		req[k] = v
	}
	e.MustDo(http.StatusOK, "POST", "/api/tickets/"+id+"/reply", req)
}

// replyConversation posts a teammate's comment or note in a conversation.
func (e *mailEnv) replyConversation(id, messageType, body string) {
	e.t.Helper()
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/reply", map[string]any{
		"type": "admin", "admin_id": e.admin, "message_type": messageType, "body": body})
}

func (e *mailEnv) conversationPart(id string, body map[string]any) {
	e.t.Helper()
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/parts", body)
}

// deliver makes one delivery pass.
func (e *mailEnv) deliver() delivery.Stats {
	e.t.Helper()
	return e.DeliverDue()
}

// email is one message the SMTP server received.
type email struct {
	To      []string // the envelope's
	Subject string
	ID      string // Message-ID
	Parsed  mailtest.Parsed
}

// mails returns the messages received since the last call.
func (e *mailEnv) mails() []email {
	e.t.Helper()
	msgs := e.smtp.Messages()
	e.smtp.Reset()
	out := make([]email, len(msgs))
	for i, m := range msgs {
		p, err := m.Parse()
		if err != nil {
			e.t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(p.Header.Get("Subject"))
		if err != nil {
			e.t.Fatal(err)
		}
		out[i] = email{To: m.To, Subject: subject, ID: p.Header.Get("Message-ID"), Parsed: p}
	}
	return out
}

// wantMails delivers what is due and fails unless n messages arrive; it returns them.
func (e *mailEnv) wantMails(what string, n int) []email {
	e.t.Helper()
	e.deliver()
	got := e.mails()
	if len(got) != n {
		var summary []string
		for _, m := range got {
			summary = append(summary, strings.Join(m.To, ",")+": "+m.Subject)
		}
		e.t.Fatalf("%s: %d emails %q, want %d", what, len(got), summary, n)
	}
	return got
}

// wantNoMail delivers what is due and fails if anything arrives.
func (e *mailEnv) wantNoMail(what string) {
	e.t.Helper()
	e.wantMails(what, 0)
}

// notifications returns the notifications of a thread.
func (e *mailEnv) notifications(id string) []store.NotificationEmail {
	e.t.Helper()
	list, err := e.DB.Read().NotificationEmails(context.Background(), idNum(e.t, id))
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

// wantIn fails unless the email's text and HTML both hold every one of want.
func wantIn(t *testing.T, what string, m email, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(m.Parsed.Text, w) || !strings.Contains(m.Parsed.HTML, w) {
			t.Errorf("%s: email %q lacks %q:\n%s", what, m.Subject, w, m.Parsed.Text)
		}
	}
}

// wantNotIn fails if the email's text or HTML holds any of unwanted.
func wantNotIn(t *testing.T, what string, m email, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(m.Parsed.Text, u) || strings.Contains(m.Parsed.HTML, u) {
			t.Errorf("%s: email %q holds %q", what, m.Subject, u)
		}
	}
}

func wantTo(t *testing.T, what string, m email, c store.Contact) {
	t.Helper()
	if len(m.To) != 1 || m.To[0] != c.Email || !strings.Contains(m.Parsed.Header.Get("To"), c.Email) {
		t.Errorf("%s: email to %v (To: %s), want %s", what, m.To, m.Parsed.Header.Get("To"), c.Email)
	}
}

func ticketNumber(t *testing.T, e *apitest.Env, id string) string {
	t.Helper()
	return e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil)["ticket_id"].(string)
}

func TestN1_SharedTicketSubmittedEmailsTheCustomer(t *testing.T) {
	e := startMailEnv(t, nil)
	customerType := e.CreateTicketType("Order problem", ticket.Customer, nil)
	no := false
	sharable := e.CreateTicketType("Replacement", ticket.BackOffice, &no)

	// By a teammate, through the API, on behalf of a customer.
	anna := e.customer()
	id := e.ticket(customerType, &anna, "Parcel lost", nil)
	m := e.wantMails("ticket created by a teammate", 1)[0]
	wantTo(t, "ticket created by a teammate", m, anna)
	number := ticketNumber(t, e.Env, id)
	if m.Subject != "[#"+number+"] Parcel lost" {
		t.Errorf("subject %q, want [#%s] Parcel lost", m.Subject, number)
	}
	wantIn(t, "ticket created by a teammate", m, "We received your request", "#"+number, "Parcel lost", "Submitted", "It broke.",
		e.URL+"/portal/tickets/"+id)
	if rt := m.Parsed.Header.Get("Reply-To"); !strings.Contains(rt, "reply+") || !strings.Contains(rt, "@acme.example") {
		t.Errorf("Reply-To %q: the customer can reply to it (E2)", rt)
	}
	if m.ID == "" || m.Parsed.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("headers: Message-ID %q Auto-Submitted %q", m.ID, m.Parsed.Header.Get("Auto-Submitted"))
	}
	if n := e.notifications(id); len(n) != 1 || n[0].Status != store.EmailSent || n[0].Kind != "ticket-submitted" {
		t.Errorf("notifications of the ticket: %+v, want one ticket-submitted, sent", n)
	}

	// By the customer: the same email.
	ben := e.customer()
	title, _ := json.Marshal("Card declined")
	_, err := e.Server.Desk().CreateTicket(context.Background(), desk.NewTicket{TypeID: customerType.ID,
		Contacts: []desk.ContactRef{{ID: ben.ID}}, By: conversation.Author{Type: conversation.AuthorUser, ID: ben.ID},
		Attributes: map[string]json.RawMessage{ticket.TitleAttribute: title}})
	if err != nil {
		t.Fatal(err)
	}
	m = e.wantMails("ticket created by the customer", 1)[0]
	wantTo(t, "ticket created by the customer", m, ben)
	wantIn(t, "ticket created by the customer", m, "We received your request", "Card declined", "Submitted")

	// By converting the customer's conversation.
	cara, conv := e.conversation()
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+conv+"/convert", map[string]any{"ticket_type_id": itoa(customerType.ID),
		"attributes": map[string]any{"_default_title_": "Wrong size"}})
	m = e.wantMails("conversation converted", 1)[0]
	wantTo(t, "conversation converted", m, cara)
	wantIn(t, "conversation converted", m, "We received your request", "#"+ticketNumber(t, e.Env, conv), "Submitted")

	// A shared Back-office ticket created from a conversation: the conversation's customer is
	// told, and the email shows the Back-office ticket as a Customer ticket (BO10).
	dan, conv := e.conversation()
	bo := e.ticket(sharable, nil, "Replacement shipment", map[string]any{"conversation_to_link_id": conv, "is_shared": true})
	m = e.wantMails("shared Back-office ticket", 1)[0]
	wantTo(t, "shared Back-office ticket", m, dan)
	boNumber := ticketNumber(t, e.Env, bo)
	if m.Subject != "[#"+boNumber+"] Replacement shipment" {
		t.Errorf("shared Back-office ticket: subject %q", m.Subject)
	}
	wantIn(t, "shared Back-office ticket", m, "We received your request", "#"+boNumber, "Replacement shipment", "Submitted",
		e.URL+"/portal/tickets/"+bo)

	// An unshared one (of a type that allows sharing, or not) tells nobody (N5).
	_, conv = e.conversation()
	e.ticket(sharable, nil, "Internal check", map[string]any{"conversation_to_link_id": conv})
	internal := e.CreateTicketType("Fraud investigation", ticket.BackOffice, nil)
	erin, conv := e.conversation()
	e.ticket(internal, &erin, "Suspicious order", map[string]any{"conversation_to_link_id": conv})
	e.wantNoMail("unshared Back-office tickets")
}

func TestN2_ReplyEmailWaitsForTheDelayAndIsSkippedWhenSeen(t *testing.T) {
	e := startMailEnv(t, nil)
	typ := e.CreateTicketType("Order problem", ticket.Customer, nil)
	anna := e.customer()
	id := e.ticket(typ, &anna, "Parcel lost", nil)
	submitted := e.wantMails("submitted", 1)[0]

	// Not before the delay (3 minutes by default); then once.
	e.replyTicket(id, "comment", `<p>We are <b>on it</b>.</p><script>alert(1)</script><a href="javascript:alert(2)">x</a>`, nil)
	e.wantNoMail("reply at once")
	e.Clock.Advance(3*time.Minute - time.Second)
	e.wantNoMail("reply before the delay")
	e.Clock.Advance(time.Second)
	m := e.wantMails("reply after the delay", 1)[0]
	wantTo(t, "reply", m, anna)
	wantIn(t, "reply", m, "New reply on your ticket", "on it", "Olive Owner", "Parcel lost")
	wantNotIn(t, "reply", m, "<script", "alert(1)", "javascript:")
	if !strings.Contains(m.Parsed.HTML, "<b>on it</b>") {
		t.Errorf("the reply keeps its markup: %s", m.Parsed.HTML)
	}
	// Threaded under the first email of the ticket (E2).
	if m.Parsed.Header.Get("In-Reply-To") != submitted.ID || !strings.Contains(m.Parsed.Header.Get("References"), submitted.ID) {
		t.Errorf("In-Reply-To %q References %q, want the submitted email %q", m.Parsed.Header.Get("In-Reply-To"),
			m.Parsed.Header.Get("References"), submitted.ID)
	}
	if m.Parsed.Header.Get("Reply-To") != submitted.Parsed.Header.Get("Reply-To") {
		t.Errorf("Reply-To changed within the thread: %q then %q", submitted.Parsed.Header.Get("Reply-To"), m.Parsed.Header.Get("Reply-To"))
	}
	e.Clock.Advance(time.Hour)
	e.wantNoMail("a sent reply is not sent again")

	// Seen in the Messenger within the delay: never emailed.
	e.replyTicket(id, "comment", "Found it.", nil)
	e.Clock.Advance(time.Minute)
	if err := e.Server.Desk().MarkSeen(context.Background(), anna.ID, idNum(t, id)); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(2 * time.Minute)
	if st := e.DeliverDue(); st.Skipped != 1 || st.Sent != 0 {
		t.Errorf("seen reply: %+v, want one skipped", st)
	}
	e.Clock.Advance(time.Hour)
	e.wantNoMail("seen reply")
	n := e.notifications(id)
	if last := n[len(n)-1]; last.Kind != "ticket-reply" || last.Status != store.EmailSkipped || last.Error != "seen in the Messenger" {
		t.Errorf("seen reply's notification: %+v", last)
	}

	// A teammate's reply in a plain conversation waits too, and a note is never sent (N5).
	ben, conv := e.conversation()
	e.replyConversation(conv, "comment", "Let me check.")
	e.replyConversation(conv, "note", "Internal: refund due")
	e.wantNoMail("conversation reply at once")
	e.Clock.Advance(3 * time.Minute)
	m = e.wantMails("conversation reply after the delay", 1)[0]
	wantTo(t, "conversation reply", m, ben)
	wantIn(t, "conversation reply", m, "New reply to your conversation", "Let me check.")
	wantNotIn(t, "conversation reply", m, "refund due")

	// The delay is the operator's to choose.
	t.Run("configured delay", func(t *testing.T) {
		e := startMailEnv(t, func(c *config.Config) { c.ReplyEmailDelay = 10 * time.Second })
		anna, conv := e.conversation()
		e.replyConversation(conv, "comment", "Hello")
		e.Clock.Advance(9 * time.Second)
		e.wantNoMail("before 10s")
		e.Clock.Advance(time.Second)
		wantTo(t, "after 10s", e.wantMails("after 10s", 1)[0], anna)
	})
}

func TestN3_StateChangeEmailsAndCloseWithoutResolvingDoesNot(t *testing.T) {
	e := startMailEnv(t, nil)
	typ := e.CreateTicketType("Order problem", ticket.Customer, nil)
	anna := e.customer()
	id := e.ticket(typ, &anna, "Parcel lost", nil)
	e.wantMails("submitted", 1)
	number := ticketNumber(t, e.Env, id)

	e.setState(id, ticket.InProgress)
	m := e.wantMails("in progress", 1)[0]
	wantTo(t, "in progress", m, anna)
	wantIn(t, "in progress", m, "Your ticket #"+number+" is now In progress")

	// The customer-facing label, never the internal one (ST1).
	e.setState(id, ticket.WaitingOnCustomer)
	m = e.wantMails("waiting", 1)[0]
	wantIn(t, "waiting", m, "is now Waiting on you")
	wantNotIn(t, "waiting", m, "Waiting on customer")

	// Closing without resolving tells nobody (ST3, N3).
	e.update(id, map[string]any{"open": false})
	e.Clock.Advance(time.Hour)
	e.wantNoMail("closed without resolving")
	e.update(id, map[string]any{"open": true})
	e.wantNoMail("reopened")

	e.setState(id, ticket.Resolved)
	wantIn(t, "resolved", e.wantMails("resolved", 1)[0], "is now Resolved")

	// A shared Back-office ticket's state changes reach the linked conversation's customer as a
	// Customer ticket's would (BO4, BO10); an unshared one's reach nobody (N5).
	no := false
	sharable := e.CreateTicketType("Replacement", ticket.BackOffice, &no)
	ben, conv := e.conversation()
	shared := e.ticket(sharable, nil, "Replacement shipment", map[string]any{"conversation_to_link_id": conv, "is_shared": true})
	e.wantMails("shared Back-office ticket submitted", 1)
	_, conv2 := e.conversation()
	unshared := e.ticket(sharable, nil, "Courier claim", map[string]any{"conversation_to_link_id": conv2})
	e.setState(unshared, ticket.WaitingOnCustomer)
	e.setState(shared, ticket.WaitingOnCustomer)
	m = e.wantMails("shared Back-office ticket waiting", 1)[0]
	wantTo(t, "shared Back-office ticket", m, ben)
	wantIn(t, "shared Back-office ticket", m, "Your ticket #"+ticketNumber(t, e.Env, shared)+" is now Waiting on you", "Replacement shipment")
	wantNotIn(t, "shared Back-office ticket", m, "Waiting on customer", "Courier claim")
	e.update(shared, map[string]any{"open": false})
	e.wantNoMail("shared Back-office ticket closed without resolving")
}

func TestN4_CrashBetweenChangeAndEmailLosesNoneSendsNoneTwice(t *testing.T) {
	t.Run("restart", func(t *testing.T) {
		e := startMailEnv(t, nil)
		typ := e.CreateTicketType("Order problem", ticket.Customer, nil)
		anna := e.customer()
		e.ticket(typ, &anna, "Parcel lost", nil)
		// The server stops before it sends anything; another one starts on the same database.
		restarted := server.New(e.Config, e.DB, nil, e.Clock)
		if st, err := restarted.DeliverDue(context.Background()); err != nil || st.Sent != 1 {
			t.Fatalf("after the restart: %+v, %v; want one email sent", st, err)
		}
		wantTo(t, "after the restart", e.mails()[0], anna)
		for _, s := range []*server.Server{e.Server, restarted} {
			if st, err := s.DeliverDue(context.Background()); err != nil || st != (delivery.Stats{}) {
				t.Errorf("a second pass: %+v, %v; want nothing", st, err)
			}
		}
		e.wantNoMail("after both servers passed again")
	})

	t.Run("lease", func(t *testing.T) {
		e := startMailEnv(t, nil)
		typ := e.CreateTicketType("Order problem", ticket.Customer, nil)
		anna := e.customer()
		id := e.ticket(typ, &anna, "Parcel lost", nil)
		// A worker claims the notification and dies before sending it.
		now := e.Clock.Now()
		err := e.DB.Tx(context.Background(), func(tx *store.Tx) error {
			claimed, err := tx.ClaimDueEmails(context.Background(), now, now.Add(delivery.DefaultLease), 10)
			if err == nil && len(claimed) != 1 {
				t.Errorf("claimed %d notifications, want 1", len(claimed))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		e.wantNoMail("while the dead worker's lease runs")
		e.Clock.Advance(delivery.DefaultLease - time.Second)
		e.wantNoMail("just before the lease ends")
		e.Clock.Advance(time.Second)
		wantTo(t, "after the lease", e.wantMails("after the lease", 1)[0], anna)
		e.Clock.Advance(time.Hour)
		e.wantNoMail("later")
		if n := e.notifications(id); len(n) != 1 || n[0].Status != store.EmailSent || n[0].Attempts != 2 {
			t.Errorf("notification: %+v, want sent at the second attempt", n)
		}
	})

	t.Run("two workers", func(t *testing.T) {
		e := startMailEnv(t, nil)
		typ := e.CreateTicketType("Order problem", ticket.Customer, nil)
		const customers = 60
		var want []string
		for range customers {
			c := e.customer()
			e.ticket(typ, &c, "Parcel lost", nil)
			want = append(want, c.Email)
		}
		servers := []*server.Server{server.New(e.Config, e.DB, nil, e.Clock), server.New(e.Config, e.DB, nil, e.Clock)}
		var wg sync.WaitGroup
		sent := make([]int, len(servers))
		for i, s := range servers {
			wg.Go(func() {
				st, err := s.DeliverDue(context.Background())
				if err != nil {
					t.Errorf("worker %d: %v", i, err)
				}
				sent[i] = st.Sent
			})
		}
		wg.Wait()
		if sent[0]+sent[1] != customers {
			t.Errorf("the workers sent %v, want %d in all", sent, customers)
		}
		var got, ids []string
		for _, m := range e.mails() {
			got = append(got, m.To...)
			ids = append(ids, m.ID)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("recipients %v, want each customer once: %v", got, want)
		}
		slices.Sort(ids)
		if len(slices.Compact(ids)) != customers {
			t.Errorf("Message-IDs are not distinct: %v", ids)
		}
		e.Clock.Advance(time.Hour)
		e.wantNoMail("a second pass")
	})
}

func TestN5_NotesTrackersAndUnsharedBackOfficeSendNoEmail(t *testing.T) {
	e := startMailEnv(t, nil)
	customerType := e.CreateTicketType("Order problem", ticket.Customer, nil)
	no := false
	sharable := e.CreateTicketType("Replacement", ticket.BackOffice, &no)
	internal := e.CreateTicketType("Fraud investigation", ticket.BackOffice, nil)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	other := e.CreateAdmin("second@example.com", "Sam Second")
	team := e.CreateTeam("Billing", other.ID)

	anna, conv := e.conversation()
	ct := e.ticket(customerType, &anna, "Parcel lost", nil)
	e.wantMails("the Customer ticket is submitted", 1)

	// Internal activity in a conversation and a Customer ticket.
	e.replyConversation(conv, "note", "Internal: check the ledger")
	e.conversationPart(conv, map[string]any{"message_type": "assignment", "type": "admin", "admin_id": e.admin, "assignee_id": itoa(other.ID)})
	e.conversationPart(conv, map[string]any{"message_type": "snoozed", "admin_id": e.admin, "snoozed_until": e.Clock.Now().Add(time.Hour).Unix()})
	e.conversationPart(conv, map[string]any{"message_type": "open", "admin_id": e.admin})
	e.conversationPart(conv, map[string]any{"message_type": "close", "type": "admin", "admin_id": e.admin})
	e.replyTicket(ct, "note", "Internal: courier contacted", nil)
	e.update(ct, map[string]any{"assignee_id": itoa(other.ID), "team_assignee_id": itoa(team.ID)})
	e.update(ct, map[string]any{"snoozed_until": e.Clock.Now().Add(time.Hour).Unix()})
	e.update(ct, map[string]any{"ticket_attributes": map[string]any{"_default_title_": "Parcel lost in transit"}})

	// Unshared Back-office tickets, linked to a conversation and to the Customer ticket: their
	// creation, notes, cross-posted notes and state changes.
	_, conv2 := e.conversation()
	for _, bo := range []string{
		e.ticket(sharable, nil, "Courier claim", map[string]any{"conversation_to_link_id": conv2}),
		e.ticket(internal, &anna, "Suspicious order", map[string]any{"conversation_to_link_id": ct}),
	} {
		e.replyTicket(bo, "note", "Internal: claim filed", nil)
		e.replyTicket(bo, "note", "Internal: cross-posted", map[string]any{"cross_post": true})
		e.setState(bo, ticket.InProgress)
		e.setState(bo, ticket.Resolved)
	}

	// A tracker, linked to conversations and a Customer ticket: its activity (but for a
	// broadcast, TR4) is internal.
	_, conv3 := e.conversation()
	tr := e.ticket(tracker, nil, "Courier outage", map[string]any{"conversation_to_link_id": conv3})
	e.MustDo(http.StatusOK, "POST", "/api/tickets/"+tr+"/linked_conversations", map[string]any{"conversation_id": ct})
	e.replyTicket(tr, "note", "Internal: courier says tomorrow", nil)
	e.setState(tr, ticket.InProgress)
	e.update(tr, map[string]any{"assignee_id": itoa(other.ID)})

	e.Clock.Advance(24 * time.Hour)
	e.wantNoMail("internal activity")
	list, err := e.DB.Read().NotificationEmails(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Errorf("notifications: %+v, want only the Customer ticket's submission", list)
	}
}

func TestE1_OneTemplateWithTheLogo(t *testing.T) {
	e := startMailEnv(t, nil)
	typ := e.CreateTicketType("Order problem", ticket.Customer, nil)
	anna := e.customer()
	id := e.ticket(typ, &anna, "Parcel lost", nil)
	noLogo := e.wantMails("without a logo", 1)[0]
	if strings.Contains(noLogo.Parsed.HTML, "<img") {
		t.Errorf("no logo set, yet the email shows an image:\n%s", noLogo.Parsed.HTML)
	}

	const logo = "https://cdn.acme.example/logo.png"
	if err := e.DB.Tx(context.Background(), func(tx *store.Tx) error {
		return tx.SetSetting(context.Background(), delivery.DefaultLogoSetting, logo, e.Clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	_, conv := e.conversation()
	e.setState(id, ticket.InProgress)
	e.replyTicket(id, "comment", "On it.", nil)
	e.replyConversation(conv, "comment", "Hello")
	e.Clock.Advance(3 * time.Minute)
	got := e.wantMails("every kind", 3)
	// One template: every email has the same frame around what differs.
	for _, m := range append(got, noLogo) {
		for _, part := range []string{`<table role="presentation"`, "Reply to this email to", "</html>"} {
			if !strings.Contains(m.Parsed.HTML, part) {
				t.Errorf("email %q lacks the template's %q", m.Subject, part)
			}
		}
	}
	for _, m := range got {
		if !strings.Contains(m.Parsed.HTML, `<img src="`+logo+`" alt="Acme Support"`) {
			t.Errorf("email %q lacks the logo:\n%s", m.Subject, m.Parsed.HTML)
		}
	}
}

func TestE3_RetriedWhileTheMailServerIsDownAndNeverSentTwice(t *testing.T) {
	e := startMailEnv(t, nil)
	typ := e.CreateTicketType("Order problem", ticket.Customer, nil)
	anna := e.customer()

	// The mail server is down: the email waits, 30 s, then 60 s...
	e.smtp.Down()
	id := e.ticket(typ, &anna, "Parcel lost", nil)
	if st := e.DeliverDue(); st.Retried != 1 || st.Sent != 0 {
		t.Fatalf("server down: %+v, want one retry", st)
	}
	n := e.notifications(id)[0]
	if n.Status != store.EmailPending || n.Attempts != 1 || n.Error == "" || !n.DueAt.Equal(e.Clock.Now().Add(30*time.Second)) {
		t.Errorf("after the first failure: %+v, want pending, due in 30s, with the error", n)
	}
	if st := e.DeliverDue(); st != (delivery.Stats{}) {
		t.Errorf("before the backoff ends: %+v", st)
	}
	e.Clock.Advance(30 * time.Second)
	if st := e.DeliverDue(); st.Retried != 1 {
		t.Errorf("second attempt: %+v", st)
	}
	if n := e.notifications(id)[0]; !n.DueAt.Equal(e.Clock.Now().Add(time.Minute)) {
		t.Errorf("after the second failure due at %v, want in 1m", n.DueAt)
	}

	// It refuses for now (451), then takes it: delivered once.
	e.smtp.Up()
	e.smtp.Refuse(451)
	e.Clock.Advance(time.Minute)
	if st := e.DeliverDue(); st.Retried != 1 {
		t.Errorf("451: %+v, want a retry", st)
	}
	e.smtp.Refuse(0)
	e.Clock.Advance(2 * time.Minute)
	m := e.wantMails("the server is back", 1)[0]
	wantTo(t, "the server is back", m, anna)
	n = e.notifications(id)[0]
	if n.Status != store.EmailSent || n.Attempts != 4 || !n.SentAt.Equal(e.Clock.Now()) {
		t.Errorf("delivered: %+v, want sent at the fourth attempt", n)
	}
	e.Clock.Advance(24 * time.Hour)
	e.wantNoMail("never sent twice")

	// The Message-ID is that of the notification, whichever attempt delivers it.
	e.smtp.Refuse(451)
	e.setState(id, ticket.InProgress)
	e.DeliverDue()
	e.smtp.Refuse(0)
	e.Clock.Advance(time.Minute)
	late := e.wantMails("state change after a retry", 1)[0]
	e.setState(id, ticket.Resolved)
	onTime := e.wantMails("state change at once", 1)[0]
	for _, m := range []email{late, onTime} {
		if !strings.HasPrefix(m.ID, "<ticket-state.") || !strings.HasSuffix(m.ID, "@acme.example>") {
			t.Errorf("Message-ID %q", m.ID)
		}
	}
	list := e.notifications(id)
	if want := "<ticket-state." + itoa(list[len(list)-2].ID) + "."; !strings.HasPrefix(late.ID, want) {
		t.Errorf("retried email's Message-ID %q, want it to start %q", late.ID, want)
	}

	// Refused for good (550): given up, never tried again.
	e.smtp.Refuse(550)
	e.replyTicket(id, "comment", "Anything else?", nil)
	e.Clock.Advance(3 * time.Minute)
	if st := e.DeliverDue(); st.Failed != 1 {
		t.Errorf("550: %+v, want failed", st)
	}
	list = e.notifications(id)
	if last := list[len(list)-1]; last.Status != store.EmailFailed || !strings.Contains(last.Error, "550") {
		t.Errorf("refused for good: %+v", last)
	}
	e.smtp.Refuse(0)
	e.Clock.Advance(24 * time.Hour)
	e.wantNoMail("after a permanent failure")

	// Down for too long: given up after the last attempt.
	e.smtp.Down()
	e.setState(id, ticket.InProgress)
	for i := 1; i < delivery.DefaultMaxAttempts; i++ {
		if st := e.DeliverDue(); st.Retried != 1 {
			t.Fatalf("attempt %d: %+v, want a retry", i, st)
		}
		e.Clock.Advance(delivery.DefaultMaxBackoff)
	}
	if st := e.DeliverDue(); st.Failed != 1 {
		t.Errorf("last attempt: %+v, want given up", st)
	}
	list = e.notifications(id)
	if last := list[len(list)-1]; last.Status != store.EmailFailed || last.Attempts != delivery.DefaultMaxAttempts {
		t.Errorf("after the last attempt: %+v", last)
	}
}

func TestTR4_BroadcastIsEmailedToEveryLinkedCustomerUnlessSeen(t *testing.T) {
	e := startMailEnv(t, nil)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	customerType := e.CreateTicketType("Order problem", ticket.Customer, nil)
	anna, c1 := e.conversation()
	ben, c2 := e.conversation()
	cara, c3 := e.conversation()
	dan := e.customer()
	ct := e.ticket(customerType, &dan, "No delivery", nil)
	e.wantMails("the Customer ticket is submitted", 1)
	_, unrelated := e.conversation()
	_ = unrelated
	tr := e.ticket(tracker, nil, "Courier outage", map[string]any{"conversation_to_link_id": c1})
	for _, id := range []string{c2, c3, ct} {
		e.MustDo(http.StatusOK, "POST", "/api/tickets/"+tr+"/linked_conversations", map[string]any{"conversation_id": id})
	}

	r := e.Do("POST", "/api/tickets/"+tr+"/broadcast", map[string]any{"admin_id": e.admin, "body": "<p>The courier is back.</p>"})
	if r.Status != http.StatusOK {
		t.Fatalf("broadcast: %d %s", r.Status, r.Body)
	}
	e.wantNoMail("broadcast at once (N2)")
	if err := e.Server.Desk().MarkSeen(context.Background(), ben.ID, idNum(t, c2)); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(3 * time.Minute)
	got := e.wantMails("broadcast after the delay", 3)
	byTo := map[string]email{}
	for _, m := range got {
		byTo[m.To[0]] = m
	}
	for _, c := range []store.Contact{anna, cara} {
		m, ok := byTo[c.Email]
		if !ok {
			t.Errorf("%s got no email of the broadcast", c.Email)
			continue
		}
		wantIn(t, "broadcast to a conversation", m, "New reply to your conversation", "The courier is back.")
		wantNotIn(t, "broadcast to a conversation", m, "Courier outage") // the tracker is internal (TR1)
	}
	if m, ok := byTo[dan.Email]; !ok {
		t.Errorf("the Customer ticket's customer got no email of the broadcast")
	} else {
		wantIn(t, "broadcast to a Customer ticket", m, "New reply on your ticket", "No delivery", "The courier is back.")
		wantNotIn(t, "broadcast to a Customer ticket", m, "Courier outage")
	}
	if _, ok := byTo[ben.Email]; ok {
		t.Errorf("the customer who saw the broadcast in the Messenger was emailed too")
	}
}

func TestN1_NoEmailToContactsWithoutAnAddressUnsubscribedOrGoneFromTheThread(t *testing.T) {
	e := startMailEnv(t, nil)
	typ := e.CreateTicketType("Order problem", ticket.Customer, nil)
	noAddress := e.CreateContact("", "Nora No-Address")
	unsubscribed := e.customer()
	e.MustDo(http.StatusOK, "PUT", "/api/contacts/"+itoa(unsubscribed.ID), map[string]any{"unsubscribed_from_emails": true})
	subscribed := e.customer()
	id := e.ticket(typ, &noAddress, "Parcel lost", map[string]any{"contacts": []any{
		map[string]any{"id": itoa(noAddress.ID)}, map[string]any{"id": itoa(unsubscribed.ID)}, map[string]any{"id": itoa(subscribed.ID)}}})
	wantTo(t, "the subscribed contact", e.wantMails("three contacts", 1)[0], subscribed)
	reasons := map[int64]string{}
	for _, n := range e.notifications(id) {
		if n.Status == store.EmailSkipped {
			reasons[n.ContactID] = n.Error
		}
	}
	if reasons[noAddress.ID] != delivery.SkipNoAddress || reasons[unsubscribed.ID] != delivery.SkipUnsubscribed || len(reasons) != 2 {
		t.Errorf("skipped: %v", reasons)
	}

	// A customer removed from a conversation before the reply's email is due gets none.
	anna, conv := e.conversation()
	ben := e.customer()
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+conv+"/customers", map[string]any{"admin_id": e.admin,
		"customer": map[string]any{"intercom_user_id": itoa(ben.ID)}})
	e.replyConversation(conv, "comment", "Hello both")
	e.MustDo(http.StatusOK, "DELETE", "/api/conversations/"+conv+"/customers/"+itoa(ben.ID), map[string]any{"admin_id": e.admin})
	e.Clock.Advance(3 * time.Minute)
	wantTo(t, "the remaining customer", e.wantMails("after one left", 1)[0], anna)
}

func TestN4_WithEmailOffNotificationsWaitPending(t *testing.T) {
	for name, smtpURL := range map[string]string{"unset": "", "wrong": "smtp://"} {
		t.Run(name, func(t *testing.T) {
			e := apitest.StartWith(t, func(c *config.Config) { c.SMTPURL, c.MailFrom = smtpURL, apitest.MailFrom })
			typ := e.CreateTicketType("Order problem", ticket.Customer, nil)
			c := e.CreateContact("anna@example.com", "Anna")
			id := apitest.ID(tkCreate(t, e, typ, c, nil))
			st, err := e.Server.DeliverDue(context.Background())
			if !errors.Is(err, server.ErrEmailOff) || st != (delivery.Stats{}) {
				t.Errorf("DeliverDue: %+v, %v; want ErrEmailOff", st, err)
			}
			list, err := e.DB.Read().NotificationEmails(context.Background(), idNum(t, id))
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].Status != store.EmailPending || list[0].Attempts != 0 {
				t.Errorf("notifications: %+v, want one pending, untouched", list)
			}
		})
	}
}
