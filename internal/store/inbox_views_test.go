package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/store/storetest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// TestIN1_InboxPageLoadsInAFixedNumberOfQueries: a page of the Inbox list (IN1) costs the same
// few queries for one row as for many: rows, participants, companies and newest parts are
// loaded in batches, never one query per row. The view counts (IN4) are one query.
func TestIN1_InboxPageLoadsInAFixedNumberOfQueries(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var teams []int64
	err := db.Tx(ctx, func(tx *store.Tx) error {
		admin := store.Admin{Email: "mia@example.com", Name: "Mia", Role: store.RoleAdmin, PasswordHash: "-", CreatedAt: now}
		if err := tx.CreateAdmin(ctx, &admin); err != nil {
			return err
		}
		for i := range 3 {
			team := store.Team{Name: fmt.Sprintf("Team %d", i), CreatedAt: now}
			if err := tx.CreateTeam(ctx, &team); err != nil {
				return err
			}
			teams = append(teams, team.ID)
		}
		typ, err := ticket.NewType("Refund", "", "", ticket.Customer, nil, now)
		if err != nil {
			return err
		}
		if err := tx.CreateTicketType(ctx, &typ); err != nil {
			return err
		}
		states, err := tx.TicketStates(ctx)
		if err != nil {
			return err
		}
		for i := range 40 {
			at := now.Add(time.Duration(i) * time.Minute)
			contact := store.Contact{Role: "user", Email: fmt.Sprintf("c%d@example.com", i), CreatedAt: at, UpdatedAt: at}
			if err := tx.CreateContact(ctx, &contact); err != nil {
				return err
			}
			company := store.Company{CompanyID: fmt.Sprintf("co%d", i), CreatedAt: at, UpdatedAt: at}
			if err := tx.CreateCompany(ctx, &company); err != nil {
				return err
			}
			if _, err := tx.AttachContactCompany(ctx, contact.ID, company.ID, 100, at); err != nil {
				return err
			}
			c := conversation.Conversation{State: conversation.Open, AdminAssigneeID: admin.ID, TeamAssigneeID: teams[i%3],
				Source: conversation.Source{Type: "conversation", DeliveredAs: "customer_initiated", Body: "<p>Help</p>",
					Author: conversation.Author{Type: conversation.AuthorUser, ID: contact.ID}},
				ContactIDs: []int64{contact.ID}, CreatedAt: at, UpdatedAt: at}
			if i%2 == 0 {
				tk := ticket.Ticket{Conversation: c, Type: typ, Category: ticket.Customer, State: states[0], IsShared: true, CompanyID: company.ID}
				if err := tx.CreateTicket(ctx, &tk); err != nil {
					return err
				}
				c = tk.Conversation
			} else if err := tx.CreateConversation(ctx, &c); err != nil {
				return err
			}
			note := []conversation.Part{{Type: conversation.PartNote, Body: "<p>Looking</p>",
				Author: conversation.Author{Type: conversation.AuthorAdmin, ID: admin.ID}, CreatedAt: at}}
			if err := tx.AddParts(ctx, c.ID, note); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	queries := func(limit int) (int64, []store.InboxItem) {
		t.Helper()
		q, count := db.CountingRead()
		items, err := q.InboxPage(ctx, store.InboxFilter{}, store.InboxCursor{}, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != limit {
			t.Fatalf("page of %d: %d rows", limit, len(items))
		}
		return count(), items
	}
	one, _ := queries(1)
	many, items := queries(31)
	if one != many || many > 4 {
		t.Errorf("a page of 1 took %d queries, a page of 31 took %d: want the same few", one, many)
	}
	for _, it := range items {
		if it.Last == nil || it.Last.Type != conversation.PartNote || it.Last.Author != "Mia" || len(it.Contacts) != 1 || it.Company == "" {
			t.Errorf("row %d is missing its details: %+v", it.ID, it)
		}
	}

	// A page after a cursor goes on where the one before stopped, in at most five queries.
	q, count := db.CountingRead()
	next, err := q.InboxPage(ctx, store.InboxFilter{}, items[9].Cursor(), 21)
	if err != nil {
		t.Fatal(err)
	}
	if count() > 5 || len(next) != 21 || next[0].ID != items[10].ID || next[20].ID != items[30].ID || next[0].Last == nil {
		t.Errorf("the page after row 10: %d rows in %d queries", len(next), count())
	}

	q, count = db.CountingRead()
	counts, err := q.InboxCounts(ctx, 1, teams, 9999)
	if err != nil {
		t.Fatal(err)
	}
	if count() != 1 || counts.Mine != 40 || counts.All != 40 || counts.Unassigned != 0 || counts.Teams[teams[0]] != 14 {
		t.Errorf("counts in %d queries: %+v", count(), counts)
	}
	// Counts stop past their cap.
	if counts, err := q.InboxCounts(ctx, 1, teams, 10); err != nil || counts.All != 11 || counts.Teams[teams[1]] != 11 {
		t.Errorf("capped counts: %+v, %v", counts, err)
	}
}
