package delivery_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/delivery"
	"github.com/helpdesk/helpdesk/internal/mail"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// TestN1_TheWorkerSendsOnItsOwnAndStopsWithItsContext runs the worker as the server's
// background does, and stops it.
func TestN1_TheWorkerSendsOnItsOwnAndStopsWithItsContext(t *testing.T) {
	e, smtp := apitest.StartWithMail(t, nil)
	cfg, err := mail.ParseSMTPURL(smtp.URL())
	if err != nil {
		t.Fatal(err)
	}
	composer, err := mail.NewComposer(mail.Config{From: apitest.MailFrom, BaseURL: e.URL}, e.Clock)
	if err != nil {
		t.Fatal(err)
	}
	w := delivery.New(e.DB, composer, mail.NewSender(cfg), e.Clock, nil, delivery.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		w.Run(ctx, 10*time.Millisecond)
		close(done)
	}()

	typ := e.CreateTicketType("Order problem", ticket.Customer, nil)
	c := e.CreateContact("anna@example.com", "Anna")
	e.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{"ticket_type_id": itoa(typ.ID),
		"contacts": []any{map[string]any{"id": itoa(c.ID)}}, "ticket_attributes": map[string]any{"_default_title_": "Parcel lost"}})
	if got := smtp.Wait(t, 1, time.Minute); got[0].To[0] != c.Email {
		t.Errorf("sent to %v", got[0].To)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the worker did not stop with its context")
	}
}
