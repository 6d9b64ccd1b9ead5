package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/store/storetest"
)

// TestIN1_InboxPagesGoBothWaysInAFewQueries: a newer page (InboxPageNewer) is the page before
// an older one, row for row, also inside a second shared by many rows; and a page's
// conversations carry their participants' companies (two and "more", or the filter's), all in
// the same few queries however long the page.
func TestIN1_InboxPagesGoBothWaysInAFewQueries(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var companies []int64
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for _, name := range []string{"Cyan", "Amber", "Beige"} {
			co := store.Company{CompanyID: name, CreatedAt: now, UpdatedAt: now}
			co.Name.String, co.Name.Valid = name, true
			if err := tx.CreateCompany(ctx, &co); err != nil {
				return err
			}
			companies = append(companies, co.ID)
		}
		for i := range 50 {
			at := now.Add(time.Duration(i/10) * time.Minute) // ten rows a second
			contact := store.Contact{Role: "user", Email: fmt.Sprintf("c%d@example.com", i), CreatedAt: at, UpdatedAt: at}
			if err := tx.CreateContact(ctx, &contact); err != nil {
				return err
			}
			// Every contact is at Cyan; odd ones at Amber and Beige too.
			for j, co := range companies {
				if j == 0 || i%2 == 1 {
					if _, err := tx.AttachContactCompany(ctx, contact.ID, co, 100, at); err != nil {
						return err
					}
				}
			}
			c := conversation.Conversation{State: conversation.Open,
				Source: conversation.Source{Type: "conversation", DeliveredAs: "customer_initiated", Body: "<p>Help</p>",
					Author: conversation.Author{Type: conversation.AuthorUser, ID: contact.ID}},
				ContactIDs: []int64{contact.ID}, CreatedAt: at, UpdatedAt: at}
			if err := tx.CreateConversation(ctx, &c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all, err := db.Read().InboxPage(ctx, store.InboxFilter{}, store.InboxCursor{}, 100)
	if err != nil || len(all) != 50 {
		t.Fatalf("all: %d, %v", len(all), err)
	}
	ids := func(items []store.InboxItem) []int64 {
		out := make([]int64, len(items))
		for i, it := range items {
			out[i] = it.ID
		}
		return out
	}
	// Every cursor, inside a second or at its edge: the newer page ends just before it.
	for _, at := range []int{1, 7, 10, 23, 30, 49} {
		for _, limit := range []int{1, 4, 12, 60} {
			q, count := db.CountingRead()
			got, err := q.InboxPageNewer(ctx, store.InboxFilter{}, all[at].Cursor(), limit)
			if err != nil {
				t.Fatal(err)
			}
			want := ids(all[max(0, at-limit):at])
			if !slices.Equal(ids(got), want) {
				t.Errorf("newer than row %d, %d at most: %v, want %v", at, limit, ids(got), want)
			}
			if n := count(); n > 5 {
				t.Errorf("newer than row %d: %d queries", at, n)
			}
		}
	}

	// Companies by name, two at most; the filter's company alone when filtering by it.
	var three int
	for _, it := range all {
		var names []string
		for _, c := range it.Companies {
			names = append(names, c.Name)
		}
		switch {
		case slices.Equal(names, []string{"Amber", "Beige"}) && it.MoreCompanies:
			three++
		case slices.Equal(names, []string{"Cyan"}) && !it.MoreCompanies:
		default:
			t.Errorf("row %d: companies %v, more %v", it.ID, names, it.MoreCompanies)
			continue
		}
		if it.Company != names[0] || it.CompanyID != it.Companies[0].ID {
			t.Errorf("row %d: Company %q, the first of %v", it.ID, it.Company, names)
		}
	}
	if three != 25 {
		t.Errorf("%d rows of three companies, want 25", three)
	}
	q, count := db.CountingRead()
	page, err := q.InboxPage(ctx, store.InboxFilter{CompanyID: companies[0]}, store.InboxCursor{}, 31)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(); n > 4 || len(page) != 31 {
		t.Errorf("filtered by Cyan: %d rows in %d queries", len(page), n)
	}
	for _, it := range page {
		if len(it.Companies) != 1 || it.Companies[0].Name != "Cyan" || it.MoreCompanies {
			t.Errorf("row %d, filtered by Cyan: %+v", it.ID, it.Companies)
		}
	}
}
