package notify

import (
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

var (
	admin    = conversation.Author{Type: conversation.AuthorAdmin, ID: 1}
	customer = conversation.Author{Type: conversation.AuthorUser, ID: 2}
)

func part(t conversation.PartType, by conversation.Author) conversation.Part {
	return conversation.Part{Type: t, Author: by, FromStateID: 1, ToStateID: 2}
}

func TestN5_WhatTheCustomerSeesAndIsToldOf(t *testing.T) {
	conv := ThreadOf()
	customerTicket := ThreadOfTicket(ticket.Customer)
	backOffice := ThreadOfTicket(ticket.BackOffice)
	tracker := ThreadOfTicket(ticket.Tracker)
	shared := &Source{Category: ticket.BackOffice, Shared: true}
	unshared := &Source{Category: ticket.BackOffice}
	fromTracker := &Source{Category: ticket.Tracker}
	cases := []struct {
		name    string
		thread  Thread
		part    conversation.Part
		from    *Source
		visible bool
		kind    Kind // "" for none
	}{
		{"teammate comment in a conversation", conv, part(conversation.PartComment, admin), nil, true, ConversationReply},
		{"customer comment", conv, part(conversation.PartComment, customer), nil, true, ""},
		{"broadcast comment from a tracker", conv, part(conversation.PartComment, admin), fromTracker, true, ConversationReply},
		{"note", conv, part(conversation.PartNote, admin), nil, false, ""},
		{"cross-posted note", conv, part(conversation.PartNote, admin), shared, false, ""},
		{"assignment", conv, part(conversation.PartAssignment, admin), nil, false, ""},
		{"snooze", conv, part(conversation.PartSnoozed, admin), nil, false, ""},
		{"close", customerTicket, part(conversation.PartClose, admin), nil, false, ""},
		{"teammate reply on a Customer ticket", customerTicket, part(conversation.PartComment, admin), nil, true, TicketReply},
		{"Customer ticket created", customerTicket, part(conversation.PartTicketCreated, customer), nil, true, TicketSubmitted},
		{"Customer ticket state change", customerTicket, part(conversation.PartStateChanged, admin), nil, true, TicketStateChanged},
		{"conversion records its first state", customerTicket, conversation.Part{Type: conversation.PartStateChanged, Author: admin, FromStateID: 1, ToStateID: 1}, nil, true, TicketSubmitted},
		{"attribute change", customerTicket, part(ticket.PartAttributeUpdated, admin), nil, false, ""},
		{"shared Back-office ticket linked", conv, part(conversation.PartLinked, admin), shared, true, TicketSubmitted},
		{"shared Back-office ticket state change", conv, part(conversation.PartLinkedStateChanged, admin), shared, true, TicketStateChanged},
		{"unshared Back-office ticket linked", conv, part(conversation.PartLinked, admin), unshared, false, ""},
		{"unshared Back-office ticket state change", conv, part(conversation.PartLinkedStateChanged, admin), unshared, false, ""},
		{"tracker linked", conv, part(conversation.PartLinked, admin), fromTracker, false, ""},
		{"unlinked", conv, part(conversation.PartUnlinked, admin), shared, false, ""},
		{"Back-office ticket's own timeline", backOffice, part(conversation.PartTicketCreated, admin), nil, false, ""},
		{"Back-office ticket's own state change", backOffice, part(conversation.PartStateChanged, admin), nil, false, ""},
		{"tracker's own timeline", tracker, part(conversation.PartTicketCreated, admin), nil, false, ""},
		{"ticket form", conv, part(PartTicketForm, admin), nil, true, ""},
	}
	for _, c := range cases {
		if got := Visible(c.thread, c.part, c.from); got != c.visible {
			t.Errorf("%s: Visible = %v, want %v", c.name, got, c.visible)
		}
		kind, ok := Of(c.thread, c.part, c.from)
		if ok != (c.kind != "") || kind != c.kind {
			t.Errorf("%s: Of = %q, %v, want %q", c.name, kind, ok, c.kind)
		}
	}
}

func TestN2_OnlyRepliesWaitAndOnlyUnseenRepliesAreEmailed(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	if got := EmailDueAt(TicketReply, now, 3*time.Minute); !got.Equal(now.Add(3 * time.Minute)) {
		t.Errorf("reply due %v", got)
	}
	if got := EmailDueAt(ConversationReply, now, time.Second); !got.Equal(now.Add(time.Second)) {
		t.Errorf("conversation reply due %v", got)
	}
	for _, k := range []Kind{TicketSubmitted, TicketStateChanged} {
		if got := EmailDueAt(k, now, 3*time.Minute); !got.Equal(now) {
			t.Errorf("%s due %v, want at once", k, got)
		}
		if !EmailStillOwed(k, 10, 20) {
			t.Errorf("%s seen in the Messenger is still emailed (N1, N3)", k)
		}
	}
	if EmailStillOwed(TicketReply, 10, 10) || EmailStillOwed(ConversationReply, 10, 11) {
		t.Error("a reply seen in the Messenger is still owed an email")
	}
	if !EmailStillOwed(TicketReply, 10, 9) {
		t.Error("an unseen reply is not owed its email")
	}
}
