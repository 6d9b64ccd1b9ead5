package mailbox_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// The whole way round: the delivery worker emails the customer about their ticket (N1), the
// customer answers from Gmail, and the answer lands in the ticket (E2), by the reply address
// the email carried or, without it, by the Message-ID it answers.
func TestE2_ReplyToARealNotificationIsThreaded(t *testing.T) {
	e, outbox := apitest.StartWithMail(t, inboundConfig)
	f := listen(t, e, nil)
	jane := f.customer("jane.doe@acme.example", "Jane Doe")
	typ := f.CreateTicketType("Problem", ticket.Customer, nil)
	tk := atoi(t, apitest.ID(f.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{
		"ticket_type_id": itoa(typ.ID), "contacts": []any{map[string]any{"id": itoa(jane.ID)}},
		"ticket_attributes": map[string]any{"_default_title_": "Cannot sign in", "_default_description_": "It broke"}})))
	if st := f.DeliverDue(); st.Sent != 1 {
		t.Fatalf("delivery: %+v, want the email of N1 sent", st)
	}
	msgs := outbox.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d emails sent, want 1", len(msgs))
	}
	sent, err := msgs[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	replyTo, err := sent.Header.AddressList("Reply-To")
	if err != nil || len(replyTo) != 1 || !strings.HasSuffix(replyTo[0].Address, "@"+replyDomain) {
		t.Fatalf("Reply-To %v (%v), want one address at %s", replyTo, err, replyDomain)
	}
	addr := replyTo[0].Address
	ours := strings.Trim(sent.Header.Get("Message-Id"), "<>")
	if ours == "" {
		t.Fatal("the notification has no Message-ID")
	}

	// Gmail's reply, to the reply address, answering our Message-ID.
	raw := replace(sample(t, "gmail.eml"), "reply+"+sampleToken+"@"+replyDomain, addr,
		"ticket-reply.43.7b21de@support.example.com", ours)
	f.mustSend(jane.Email, []string{addr}, []byte(raw))
	checkComments(t, f.comments(tk, true), jane.ID, "<p>Thanks, that worked!</p><p>Jane</p>")

	// Outlook's, to an address without the token (a server rewrote it): In-Reply-To finds the
	// ticket.
	raw = replace(sample(t, "outlook_desktop.eml"), "reply+"+sampleToken+"@"+replyDomain, "help@"+replyDomain,
		"ticket-reply.44.9c0ffe@support.example.com", ours, "mark.smith@contoso.example", jane.Email)
	f.mustSend(jane.Email, []string{"help@" + replyDomain}, []byte(raw))
	got := f.comments(tk, true)
	if len(got) != 2 || got[1].AuthorID != jane.ID || !strings.HasPrefix(got[1].Body, "<p>Hi,</p><p>The invoice is attached.") {
		t.Errorf("comments %+v, want Jane's second reply", got)
	}
}
