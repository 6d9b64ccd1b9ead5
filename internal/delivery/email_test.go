package delivery

import (
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/mail"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

func TestNotificationSaysWhyAnEmailIsNoLongerOwedAndWhatItShows(t *testing.T) {
	card := &store.CustomerTicket{ID: 7, Number: 1234, Title: "Parcel lost", Description: "<p>It <i>broke</i>.</p><script>x()</script>",
		Category: ticket.BackOffice, State: ticket.State{InternalLabel: "Waiting on customer", ExternalLabel: "Waiting on you"}}
	base := store.OutboundEmail{ContactExists: true, Email: "anna@example.com", Name: "Anna", Participant: true,
		PartType: conversation.PartComment, PartBody: "<p>Hello</p>", AuthorType: conversation.AuthorAdmin, AuthorName: "Olive"}
	claimed := func(kind mail.Kind) store.ClaimedEmail {
		return store.ClaimedEmail{ID: 1, ContactID: 2, ConversationID: 3, PartID: 10, Kind: string(kind), CreatedAt: time.Unix(1e9, 0)}
	}
	tests := []struct {
		name   string
		kind   mail.Kind
		change func(*store.OutboundEmail)
		skip   string
		want   mail.Kind
		path   string
		state  string
	}{
		{name: "conversation reply", kind: mail.ConversationReply, want: mail.ConversationReply, path: ""},
		{name: "reply seen before it was due (N2)", kind: mail.TicketReply, change: func(e *store.OutboundEmail) { e.SeenPartID = 10 }, skip: SkipSeen},
		{name: "reply seen up to an earlier part", kind: mail.ConversationReply, change: func(e *store.OutboundEmail) { e.SeenPartID = 9 }, want: mail.ConversationReply, path: ""},
		{name: "state change seen still goes (N3)", kind: mail.TicketStateChanged,
			change: func(e *store.OutboundEmail) { e.SeenPartID = 10; e.Ticket = card }, want: mail.TicketStateChanged, path: "/portal/tickets/7", state: "Waiting on you"},
		{name: "no address", kind: mail.TicketSubmitted, change: func(e *store.OutboundEmail) { e.Email = " " }, skip: SkipNoAddress},
		{name: "unsubscribed", kind: mail.TicketSubmitted, change: func(e *store.OutboundEmail) { e.Unsubscribed = true }, skip: SkipUnsubscribed},
		{name: "deleted contact", kind: mail.TicketSubmitted, change: func(e *store.OutboundEmail) { e.ContactExists = false }, skip: SkipNoContact},
		{name: "left the thread", kind: mail.ConversationReply, change: func(e *store.OutboundEmail) { e.Participant = false }, skip: SkipNotInThread},
		{name: "ticket no longer shown", kind: mail.TicketStateChanged, skip: SkipNoTicket},
		{name: "empty reply", kind: mail.TicketReply, change: func(e *store.OutboundEmail) { e.PartBody = "<script>x()</script>"; e.Ticket = card }, skip: SkipEmptyReply},
		{name: "conversation reply under a shared Back-office ticket (BO10)", kind: mail.ConversationReply,
			change: func(e *store.OutboundEmail) { e.Ticket = card }, want: mail.TicketReply, path: "/portal/tickets/7", state: "Waiting on you"},
		{name: "submitted shows the state the part went to", kind: mail.TicketSubmitted,
			change: func(e *store.OutboundEmail) { e.Ticket = card; e.StateLabel = "Submitted" }, want: mail.TicketSubmitted, path: "/portal/tickets/7", state: "Submitted"},
	}
	w := &Worker{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			if tt.change != nil {
				tt.change(&e)
			}
			n, skip := w.notification(claimed(tt.kind), e, "https://cdn.example/logo.png")
			if skip != tt.skip {
				t.Fatalf("skip %q, want %q", skip, tt.skip)
			}
			if skip != "" {
				return
			}
			if n.Kind != tt.want || n.Path != tt.path || n.To.Address != "anna@example.com" || n.ID != 1 || !n.Date.Equal(time.Unix(1e9, 0)) ||
				n.LogoURL != "https://cdn.example/logo.png" {
				t.Errorf("notification %+v", n)
			}
			if tt.state != "" && (n.Ticket == nil || n.Ticket.State != tt.state || n.Ticket.Number != 1234) {
				t.Errorf("ticket %+v, want state %q", n.Ticket, tt.state)
			}
			if strings.Contains(string(n.Body), "script") {
				t.Errorf("body not sanitised: %s", n.Body)
			}
			if tt.kind == mail.TicketSubmitted && n.Body != "<p>It <i>broke</i>.</p>" {
				t.Errorf("submitted body %q, want the ticket's description", n.Body)
			}
		})
	}
}

func TestBackoffDoublesFrom30SecondsUpToAnHour(t *testing.T) {
	w := &Worker{opts: Options{}.withDefaults()}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	for i, d := range want {
		if got := w.backoff(i + 1); got != d {
			t.Errorf("backoff after attempt %d = %v, want %v", i+1, got, d)
		}
	}
	if got := w.backoff(1000); got != time.Hour {
		t.Errorf("backoff after attempt 1000 = %v", got)
	}
}
