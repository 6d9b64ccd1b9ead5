package desk_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/clock"
	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/store/storetest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// trackerEnv is a desk on a fresh database with a teammate, a contact and a Tracker ticket.
type trackerEnv struct {
	url     string
	db      *store.DB
	d       *desk.Desk
	clk     *clock.Fake
	admin   int64
	contact int64
	tracker ticket.Ticket
}

func newTrackerEnv(tb testing.TB) *trackerEnv {
	tb.Helper()
	ctx := context.Background()
	e := &trackerEnv{url: storetest.URL(tb), clk: clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))}
	var err error
	if e.db, err = store.Open(ctx, e.url, nil); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.db.Close() })
	if err := e.db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	e.d = desk.New(e.db, e.clk, nil)
	now := e.clk.Now()
	admin := store.Admin{Email: "lead@example.com", Name: "Lee Lead", Role: store.RoleAdmin, PasswordHash: "-", CreatedAt: now}
	contact := store.Contact{Role: "user", Email: "casey@example.com", CreatedAt: now, UpdatedAt: now}
	typ, err := ticket.NewType("Outage", "", "", ticket.Tracker, nil, now)
	if err != nil {
		tb.Fatal(err)
	}
	err = e.db.Tx(ctx, func(tx *store.Tx) error {
		return errors.Join(tx.CreateAdmin(ctx, &admin), tx.CreateContact(ctx, &contact), tx.CreateTicketType(ctx, &typ))
	})
	if err != nil {
		tb.Fatal(err)
	}
	e.admin, e.contact = admin.ID, contact.ID
	e.tracker, err = e.d.CreateTicket(ctx, desk.NewTicket{TypeID: typ.ID, By: conversation.Author{Type: conversation.AuthorAdmin, ID: admin.ID},
		Attributes: map[string]json.RawMessage{}})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// linkMany links n new conversations to the tracker, in bulk.
func (e *trackerEnv) linkMany(tb testing.TB, n int) {
	tb.Helper()
	ctx := context.Background()
	if err := e.db.Tx(ctx, func(tx *store.Tx) error {
		return tx.CreateLinkedConversations(ctx, e.tracker, e.contact, n, e.clk.Now())
	}); err != nil {
		tb.Fatal(err)
	}
}

// raw opens a second, plain connection to the same database, for what the store does not do:
// here, a trigger that makes the database fail in the middle of a broadcast.
func (e *trackerEnv) raw(tb testing.TB) *sql.DB {
	tb.Helper()
	var db *sql.DB
	var err error
	if path, ok := strings.CutPrefix(e.url, "sqlite:"); ok {
		// The test's own side connection waits long: under -race on a loaded machine a 1,000-link
		// broadcast holds the write lock for seconds.
		db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(60000)&_pragma=foreign_keys(1)")
	} else {
		db, err = sql.Open("pgx", e.url)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func (e *trackerEnv) comments(tb testing.TB, conversationID int64, body string) int {
	tb.Helper()
	parts, err := e.db.Read().Parts(context.Background(), conversationID)
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, p := range parts {
		if p.Type == conversation.PartComment && p.Body == body {
			n++
		}
	}
	return n
}

// TestTR4_BroadcastIsAllOrNothing makes the database fail while the broadcast is writing the
// comment of the second of three linked conversations, after the first one's was written: none
// is posted, not even in the tracker. Run again, it posts each once.
func TestTR4_BroadcastIsAllOrNothing(t *testing.T) {
	e := newTrackerEnv(t)
	ctx := context.Background()
	var linked []int64
	for i := range 3 {
		c, err := e.d.StartConversation(ctx, e.contact, fmt.Sprintf("Down for me too (%d)", i))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.d.LinkTicket(ctx, e.tracker.ID, e.admin, c.ID); err != nil {
			t.Fatal(err)
		}
		linked = append(linked, c.ID)
	}
	raw := e.raw(t)
	var install, remove []string
	if e.db.Dialect() == store.SQLite {
		install = []string{fmt.Sprintf(`CREATE TRIGGER crash BEFORE INSERT ON conversation_parts
			WHEN NEW.conversation_id = %d AND NEW.part_type = 'comment' BEGIN SELECT RAISE(ABORT, 'simulated crash'); END`, linked[1])}
		remove = []string{`DROP TRIGGER crash`}
	} else {
		install = []string{`CREATE FUNCTION crash() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated crash'; END $$`,
			fmt.Sprintf(`CREATE TRIGGER crash BEFORE INSERT ON conversation_parts FOR EACH ROW
			WHEN (NEW.conversation_id = %d AND NEW.part_type = 'comment') EXECUTE FUNCTION crash()`, linked[1])}
		remove = []string{`DROP TRIGGER crash ON conversation_parts`, `DROP FUNCTION crash()`}
	}
	for _, q := range install {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	const body = "<p>Fixed.</p>"
	if _, err := e.d.Broadcast(ctx, e.tracker.ID, e.admin, body); err == nil || !strings.Contains(err.Error(), "simulated crash") {
		t.Fatalf("broadcast with a failing database: %v, want the simulated crash", err)
	}
	for _, id := range linked {
		if n := e.comments(t, id, body); n != 0 {
			t.Errorf("conversation %d has %d comments after a failed broadcast, want 0", id, n)
		}
	}
	parts, err := e.db.Read().Parts(ctx, e.tracker.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if p.Type == conversation.PartNote && strings.Contains(p.Body, body) {
			t.Errorf("the tracker records a broadcast that failed: %+v", p)
		}
	}

	for _, q := range remove {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	reached, err := e.d.Broadcast(ctx, e.tracker.ID, e.admin, body)
	if err != nil || reached != 3 {
		t.Fatalf("broadcast: reached %d, %v; want 3", reached, err)
	}
	for _, id := range linked {
		if n := e.comments(t, id, body); n != 1 {
			t.Errorf("conversation %d has %d comments, want 1", id, n)
		}
	}
}

// TestTR4_BroadcastWhileLinkedConversationsAreDeleted broadcasts while linked conversations are
// deleted one by one: every broadcast succeeds, and each conversation still linked at the end
// has each broadcast's comment exactly once (none lost, none doubled).
func TestTR4_BroadcastWhileLinkedConversationsAreDeleted(t *testing.T) {
	e := newTrackerEnv(t)
	e.linkMany(t, 1000)
	raw := e.raw(t)
	rows, err := raw.Query(`SELECT conversation_id FROM ticket_links WHERE ticket_id = $1 ORDER BY conversation_id DESC LIMIT 150`, e.tracker.ID)
	if err != nil {
		t.Fatal(err)
	}
	var victims []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		victims = append(victims, id)
	}
	rows.Close()

	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		for _, id := range victims {
			if _, err := raw.Exec(`DELETE FROM conversations WHERE id = $1`, id); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	var bodies []string
	for i := range 6 {
		body := fmt.Sprintf("<p>Update %d</p>", i)
		if _, err := e.d.Broadcast(ctx, e.tracker.ID, e.admin, body); err != nil {
			t.Fatalf("broadcast %d: %v", i, err)
		}
		bodies = append(bodies, body)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var linked int64
	if err := raw.QueryRow(`SELECT count(*) FROM ticket_links WHERE ticket_id = $1`, e.tracker.ID).Scan(&linked); err != nil {
		t.Fatal(err)
	}
	if linked != 1000-int64(len(victims)) {
		t.Fatalf("%d links left, want %d", linked, 1000-len(victims))
	}
	for _, body := range bodies {
		var parts int64
		if err := raw.QueryRow(`SELECT count(*) FROM conversation_parts WHERE part_type = 'comment' AND body = $1`, body).Scan(&parts); err != nil {
			t.Fatal(err)
		}
		reached, err := e.db.Read().CountLinkedWithPart(ctx, e.tracker.ID, conversation.PartComment, body)
		if err != nil {
			t.Fatal(err)
		}
		if parts != linked || reached != linked {
			t.Errorf("%s: %d comments in %d linked conversations, want one in each of %d", body, parts, reached, linked)
		}
	}
}

// BenchmarkBroadcast measures one broadcast, committed, to a tracker's links (TR5: 2,500 within
// 0.5 s, 100,000 within 10 s on 2 cores). Results are in docs/PERFORMANCE.md.
func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{2_500, 100_000} {
		b.Run(fmt.Sprintf("links=%d", n), func(b *testing.B) {
			e := newTrackerEnv(b)
			e.linkMany(b, n)
			ctx := context.Background()
			for b.Loop() {
				reached, err := e.d.Broadcast(ctx, e.tracker.ID, e.admin, "<p>Update: fixed.</p>")
				if err != nil || reached != int64(n) {
					b.Fatalf("broadcast: reached %d, %v", reached, err)
				}
			}
		})
	}
}
