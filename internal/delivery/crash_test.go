package delivery_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/delivery"
	"github.com/helpdesk/helpdesk/internal/mail"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// TestN4_CrashAfterSendingBeforeRecordingSendsAgainWithTheSameMessageID shows the one window
// SMTP leaves open (docs/decisions/0003-notifications.md): a worker that dies after the mail
// server accepted an email and before recording it. The email is not lost: it goes again when
// the lease ends, with the same Message-ID, by which receivers drop the duplicate.
func TestN4_CrashAfterSendingBeforeRecordingSendsAgainWithTheSameMessageID(t *testing.T) {
	e, smtp := apitest.StartWithMail(t, nil)
	typ := e.CreateTicketType("Order problem", ticket.Customer, nil)
	c := e.CreateContact("anna@example.com", "Anna")
	e.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{"ticket_type_id": itoa(typ.ID),
		"contacts": []any{map[string]any{"id": itoa(c.ID)}}, "ticket_attributes": map[string]any{"_default_title_": "Parcel lost"}})

	cfg, err := mail.ParseSMTPURL(smtp.URL())
	if err != nil {
		t.Fatal(err)
	}
	composer, err := mail.NewComposer(mail.Config{From: apitest.MailFrom, BaseURL: e.URL}, e.Clock)
	if err != nil {
		t.Fatal(err)
	}
	crashing := delivery.New(e.DB, composer, mail.NewSender(cfg), e.Clock, nil, delivery.Options{})
	crash := errors.New("crash")
	delivery.SetAfterSend(crashing, func(store.ClaimedEmail) error { return crash })
	if _, err := crashing.RunOnce(context.Background()); !errors.Is(err, crash) {
		t.Fatalf("the crashing worker: %v", err)
	}
	if got := len(smtp.Messages()); got != 1 {
		t.Fatalf("%d emails before the crash, want 1", got)
	}

	// Another worker leaves it alone while the lease runs, then sends it again.
	if st := e.DeliverDue(); st != (delivery.Stats{}) {
		t.Errorf("during the lease: %+v", st)
	}
	e.Clock.Advance(delivery.DefaultLease)
	if st := e.DeliverDue(); st.Sent != 1 {
		t.Errorf("after the lease: %+v, want the email sent again", st)
	}
	msgs := smtp.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want 2", len(msgs))
	}
	var ids []string
	for _, m := range msgs {
		p, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.Header.Get("Message-ID"))
	}
	if ids[0] == "" || ids[0] != ids[1] {
		t.Errorf("Message-IDs %q: the email sent again must carry the same one", ids)
	}
	e.Clock.Advance(24 * time.Hour)
	if st := e.DeliverDue(); st != (delivery.Stats{}) {
		t.Errorf("once recorded: %+v, want nothing more", st)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
