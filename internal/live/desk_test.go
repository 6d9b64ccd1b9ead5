package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/clock"
	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// Every operation of package desk that changes a conversation or a ticket names it, and every
// other thread it changes, in the change log (IN5): one test per operation, in the order a
// teammate's day could have them.
func TestIN5_EveryWriteNamesTheThreadsItChanges(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	d := desk.New(db, clk, nil)
	now := clk.Now()
	admin := store.Admin{Email: "lead@example.com", Name: "Lee Lead", Role: store.RoleAdmin, PasswordHash: "-", CreatedAt: now}
	ann := store.Contact{Role: "user", Email: "ann@example.com", CreatedAt: now, UpdatedAt: now}
	bob := store.Contact{Role: "user", Email: "bob@example.com", CreatedAt: now, UpdatedAt: now}
	types := map[ticket.Category]*ticket.Type{}
	for _, c := range []ticket.Category{ticket.Customer, ticket.BackOffice, ticket.Tracker} {
		typ, err := ticket.NewType(string(c)+" type", "", "", c, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		types[c] = &typ
	}
	var tag store.Tag
	err := db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		tag, err = tx.CreateTag(ctx, "vip", now)
		return errors.Join(err, tx.CreateAdmin(ctx, &admin), tx.CreateContact(ctx, &ann), tx.CreateContact(ctx, &bob),
			tx.CreateTicketType(ctx, types[ticket.Customer]), tx.CreateTicketType(ctx, types[ticket.BackOffice]),
			tx.CreateTicketType(ctx, types[ticket.Tracker]))
	})
	if err != nil {
		t.Fatal(err)
	}
	states, err := db.Read().TicketStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var inProgress int64
	for _, s := range states {
		if s.Category == ticket.InProgress {
			inProgress = s.ID
		}
	}
	by := conversation.Author{Type: conversation.AuthorAdmin, ID: admin.ID}
	newTicket := func(c ticket.Category, linkTo int64, contacts ...desk.ContactRef) (ticket.Ticket, error) {
		return d.CreateTicket(ctx, desk.NewTicket{TypeID: types[c].ID, By: by, Contacts: contacts, LinkTo: linkTo,
			Attributes: map[string]json.RawMessage{ticket.TitleAttribute: json.RawMessage(`"A ` + string(c) + ` ticket"`)}})
	}

	// changed runs op and returns the threads it named in the log.
	changed := func(t *testing.T, op func() error) []int64 {
		t.Helper()
		_, before, err := db.Read().ChangeBounds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := op(); err != nil {
			t.Fatal(err)
		}
		changes, err := db.Read().ChangesAfter(ctx, before, nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[int64]bool{}
		for _, c := range changes {
			ids[c.ConversationID] = true
		}
		return slices.Sorted(maps.Keys(ids))
	}
	var conv, other, bo, customer, tracker, team int64
	steps := []struct {
		name string
		op   func() error
		want func() []int64
	}{
		{"a customer starts a conversation", func() error {
			c, err := d.StartConversation(ctx, ann.ID, "Hello")
			conv = c.ID
			return err
		}, func() []int64 { return []int64{conv} }},
		{"a teammate replies", func() error {
			_, err := d.AdminReply(ctx, conv, admin.ID, conversation.PartComment, "Hi")
			return err
		}, func() []int64 { return []int64{conv} }},
		{"the customer replies", func() error { _, err := d.ContactReply(ctx, conv, ann.ID, "Thanks"); return err }, func() []int64 { return []int64{conv} }},
		{"assign", func() error { _, err := d.Assign(ctx, conv, admin.ID, desk.ToAdmin, admin.ID, ""); return err }, func() []int64 { return []int64{conv} }},
		{"snooze", func() error { _, err := d.Snooze(ctx, conv, admin.ID, now.Add(time.Hour)); return err }, func() []int64 { return []int64{conv} }},
		{"open", func() error { _, err := d.Open(ctx, conv, admin.ID); return err }, func() []int64 { return []int64{conv} }},
		{"close", func() error { _, err := d.Close(ctx, conv, admin.ID, ""); return err }, func() []int64 { return []int64{conv} }},
		{"mark read", func() error { read := true; _, err := d.Update(ctx, conv, admin.ID, nil, &read); return err }, func() []int64 { return []int64{conv} }},
		{"tag", func() error { _, err := d.Tag(ctx, conv, tag.ID, admin.ID); return err }, func() []int64 { return []int64{conv} }},
		{"untag", func() error { _, err := d.Untag(ctx, conv, tag.ID); return err }, func() []int64 { return []int64{conv} }},
		{"add a participant", func() error { _, err := d.AttachContact(ctx, conv, admin.ID, bob.ID); return err }, func() []int64 { return []int64{conv} }},
		{"a Back-office ticket from the conversation", func() error {
			tk, err := newTicket(ticket.BackOffice, conv)
			bo = tk.ID
			return err
		}, func() []int64 { return []int64{conv, bo} }},
		{"its state changes (BO4)", func() error { _, err := d.ChangeState(ctx, bo, admin.ID, inProgress); return err }, func() []int64 { return []int64{conv, bo} }},
		{"a cross-posted note (BO3)", func() error {
			_, err := d.AdminReplyTicket(ctx, bo, admin.ID, conversation.PartNote, "Looking", true)
			return err
		}, func() []int64 { return []int64{conv, bo} }},
		{"an attribute changes", func() error {
			_, err := d.UpdateTicket(ctx, bo, desk.TicketChange{AdminID: admin.ID,
				Attributes: map[string]json.RawMessage{ticket.TitleAttribute: json.RawMessage(`"Renamed"`)}})
			return err
		}, func() []int64 { return []int64{bo} }},
		{"a Customer ticket", func() error {
			tk, err := newTicket(ticket.Customer, 0, desk.ContactRef{ID: ann.ID})
			customer = tk.ID
			return err
		}, func() []int64 { return []int64{customer} }},
		{"tag a ticket", func() error { _, err := d.TagTicket(ctx, customer, tag.ID, admin.ID); return err }, func() []int64 { return []int64{customer} }},
		{"untag a ticket", func() error { _, err := d.UntagTicket(ctx, customer, tag.ID); return err }, func() []int64 { return []int64{customer} }},
		{"a tracker", func() error {
			tk, err := newTicket(ticket.Tracker, 0)
			tracker = tk.ID
			return err
		}, func() []int64 { return []int64{tracker} }},
		{"link to the tracker (TR2)", func() error { return d.LinkTicket(ctx, tracker, admin.ID, conv) }, func() []int64 { return []int64{conv, tracker} }},
		{"link the Customer ticket too", func() error { return d.LinkTicket(ctx, tracker, admin.ID, customer) }, func() []int64 { return []int64{customer, tracker} }},
		{"broadcast (TR4)", func() error { _, err := d.Broadcast(ctx, tracker, admin.ID, "<p>Fixed</p>"); return err }, func() []int64 { return []int64{conv, customer, tracker} }},
		{"unlink", func() error { return d.UnlinkTicket(ctx, tracker, admin.ID, conv) }, func() []int64 { return []int64{conv, tracker} }},
		{"another conversation", func() error {
			c, err := d.StartConversation(ctx, bob.ID, "Help")
			other = c.ID
			return err
		}, func() []int64 { return []int64{other} }},
		{"send a ticket form (CT3)", func() error {
			_, err := d.SendTicketForm(ctx, other, admin.ID, types[ticket.Customer].ID)
			return err
		}, func() []int64 { return []int64{other} }},
		{"convert to a ticket (CT2)", func() error {
			_, err := d.ConvertConversation(ctx, desk.Conversion{ConversationID: other, AdminID: admin.ID, TypeID: types[ticket.Customer].ID,
				Attributes: map[string]json.RawMessage{ticket.TitleAttribute: json.RawMessage(`"Converted"`)}})
			return err
		}, func() []int64 { return []int64{other} }},
		{"delete the Back-office ticket", func() error { return d.DeleteTicket(ctx, bo) }, func() []int64 { return []int64{conv, bo} }},
		{"delete the tracker, linked to the Customer ticket", func() error { return d.DeleteTicket(ctx, tracker) }, func() []int64 { return []int64{customer, tracker} }},
		// Names shown on every page: everything changed (0, which the feed tells as all).
		{"create a team", func() error { t, err := d.CreateTeam(ctx, "Billing"); team = t.ID; return err }, func() []int64 { return []int64{0} }},
		{"rename the team", func() error { return d.RenameTeam(ctx, team, "Payments") }, func() []int64 { return []int64{0} }},
		{"delete the team", func() error { return d.DeleteTeam(ctx, team) }, func() []int64 { return []int64{0} }},
		{"rename a ticket type", func() error {
			name := "Refunds"
			_, err := d.UpdateTicketType(ctx, types[ticket.Customer].ID, ticket.TypeChange{Name: &name})
			return err
		}, func() []int64 { return []int64{0} }},
	}
	for _, s := range steps {
		got := changed(t, s.op)
		if want := s.want(); !slices.Equal(got, want) {
			t.Errorf("%s: the log names %v, want %v", s.name, got, want)
		}
	}

	// A refused operation writes nothing.
	if got := changed(t, func() error {
		if _, err := d.AdminReplyTicket(ctx, customer, admin.ID, conversation.PartNote, "x", true); err == nil {
			return errors.New("a cross-post from a Customer ticket was accepted")
		}
		return nil
	}); len(got) != 0 {
		t.Errorf("a refused cross-post named %v", got)
	}
}
