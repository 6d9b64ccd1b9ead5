package messenger_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/ticket"
)

// TestM3_BadgeCountsUnseenAndClearsWhenSeen: the badge counts the threads with customer-visible
// activity the customer has not seen (not their own comments, not notes); opening a thread
// clears it and records what was seen and when; the event stream tells the launcher.
func TestM3_BadgeCountsUnseenAndClearsWhenSeen(t *testing.T) {
	e := start(t)
	question := e.CreateTicketType("Question", ticket.Customer, nil)
	c := e.signIn("u-1", "casey@example.com", "Casey")
	casey := e.contactID("u-1")
	caseyID, _ := strconv.ParseInt(casey, 10, 64)

	conv := c.startConversation("Hello?")
	if n := c.badge(); n != 0 {
		t.Errorf("badge after the customer's own message: %d, want 0", n)
	}
	events := c.events()
	nextUpdate(t, events, func(s liveState) bool { return s.Badge == 0 })

	e.comment(conv, "<p>Hi, how can we help?</p>")
	e.note(conv, "<p>a note</p>")
	tk := e.createTicket(question, casey, "Broken screen", "", nil) // N1: submitted
	if n := c.badge(); n != 2 {
		t.Errorf("badge after a reply and a ticket: %d, want 2", n)
	}
	nextUpdate(t, events, func(s liveState) bool { return s.Badge == 2 })
	home := c.mustGet("/")
	if strings.Count(home.Body, `class="dot unseen"`) != 2 {
		t.Errorf("home marks %d threads unseen, want 2", strings.Count(home.Body, `class="dot unseen"`))
	}

	// A peek (the Messenger closed, or the page hidden) marks nothing seen.
	c.mustGet("/c/" + conv + "?peek=1")
	c.mustGet("/c/" + conv + "/parts?after=0&peek=1")
	if n := c.badge(); n != 2 {
		t.Errorf("badge after a peek: %d, want 2", n)
	}

	// Opening the conversation clears it, and records the newest part seen and when.
	e.Clock.Advance(90 * time.Second)
	openedAt := e.Clock.Now()
	c.mustGet("/c/" + conv)
	if n := c.badge(); n != 1 {
		t.Errorf("badge after opening the conversation: %d, want 1", n)
	}
	st := nextUpdate(t, events, func(s liveState) bool { return s.Badge == 1 })
	convID, _ := strconv.ParseInt(conv, 10, 64)
	part, at, err := e.DB.Read().Seen(context.Background(), caseyID, convID)
	if err != nil || part == 0 || !at.Equal(openedAt) {
		t.Errorf("seen mark: part %d at %v (%v), want the newest part at %v", part, at, err, openedAt)
	}
	last, err := e.DB.Read().LastVisiblePart(context.Background(), convID)
	if err != nil || part != last {
		t.Errorf("seen part %d, want the newest visible part %d", part, last)
	}

	// Opening the ticket clears the badge.
	c.mustGet("/c/" + tk)
	if n := c.badge(); n != 0 {
		t.Errorf("badge after opening the ticket: %d, want 0", n)
	}
	nextUpdate(t, events, func(s liveState) bool { return s.Badge == 0 })

	// A new reply counts again, and the stream's newest part moves on; a note does not count.
	e.ticketReply(tk, "note", "<p>internal</p>")
	if n := c.badge(); n != 0 {
		t.Errorf("badge after a note: %d, want 0", n)
	}
	e.ticketReply(tk, "comment", "<p>We sent a new one</p>")
	next := nextUpdate(t, events, func(s liveState) bool { return s.Badge == 1 })
	if next.Last <= st.Last {
		t.Errorf("the stream's newest part did not move: %d then %d", st.Last, next.Last)
	}
	// Seeing it through the live update of the open thread clears it as well.
	if frag := c.mustGet("/c/" + tk + "/parts?after=" + strconv.FormatInt(st.Last, 10)); !frag.has("We sent a new one") || frag.has("internal") {
		t.Errorf("parts fragment: %s", frag.Body)
	}
	if n := c.badge(); n != 0 {
		t.Errorf("badge after the live update: %d, want 0", n)
	}
	if p := c.get("/badge"); p.Status != http.StatusOK || p.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("badge answer: %d %v", p.Status, p.Header)
	}
}
