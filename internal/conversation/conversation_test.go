package conversation

import (
	"errors"
	"testing"
	"time"
)

var (
	t0    = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	user  = Author{Type: AuthorUser, ID: 7}
	admin = Author{Type: AuthorAdmin, ID: 1}
)

func started(t *testing.T) Conversation {
	t.Helper()
	c, err := Start(user, "Hello", t0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCV1_StartNeedsAContactAndABody(t *testing.T) {
	if _, err := Start(admin, "Hello", t0); !isRuleError(err, "from") {
		t.Errorf("a teammate started a conversation: %v", err)
	}
	if _, err := Start(user, "   ", t0); !isRuleError(err, "body") {
		t.Errorf("a blank message started a conversation: %v", err)
	}
	c := started(t)
	if c.State != Open || !c.WaitingSince.Equal(t0) || len(c.ContactIDs) != 1 || c.ContactIDs[0] != 7 {
		t.Errorf("started conversation = %+v", c)
	}
	if _, err := c.AdminReplies(admin, PartClose, "x", t0); !isRuleError(err, "message_type") {
		t.Errorf("admin reply with a close part type: %v", err)
	}
}

func TestCV2_StateRules(t *testing.T) {
	c := started(t)
	if _, err := c.Snooze(admin, t0, t0); !isRuleError(err, "snoozed_until") {
		t.Errorf("snooze until now accepted: %v", err)
	}
	if _, err := c.Snooze(admin, t0.Add(time.Hour), t0); err != nil || c.State != Snoozed || !c.IsOpen() {
		t.Fatalf("snooze: %v, state %s", err, c.State)
	}
	if _, ok := c.Wake(t0.Add(59 * time.Minute)); ok || c.State != Snoozed {
		t.Errorf("woke before its time")
	}
	p, ok := c.Wake(t0.Add(time.Hour))
	if !ok || c.State != Open || p.Type != PartUnsnooze || !c.SnoozedUntil.IsZero() {
		t.Errorf("wake at its time: ok %v state %s part %+v", ok, c.State, p)
	}
	c.Close(admin, "", t0)
	if c.IsOpen() || !c.WaitingSince.IsZero() {
		t.Errorf("closed conversation still open or waiting")
	}
	if _, err := c.ContactReplies(user, "again", t0.Add(2*time.Hour)); err != nil || c.State != Open || c.WaitingSince.IsZero() {
		t.Errorf("customer reply on a closed conversation: %v, state %s", err, c.State)
	}
	stranger := Author{Type: AuthorUser, ID: 99}
	if _, err := c.ContactReplies(stranger, "hi", t0); !isRuleError(err, "intercom_user_id") {
		t.Errorf("a non-participant replied: %v", err)
	}
}

func TestCV3_AssignmentParts(t *testing.T) {
	c := started(t)
	p := c.AssignAdmin(admin, 5, "", t0)
	if c.AdminAssigneeID != 5 || p.Type != PartAssignment || p.AssignedTo.Type != "admin" || p.AssignedTo.ID != 5 {
		t.Errorf("assign admin: %+v %+v", c, p)
	}
	p = c.AssignTeam(admin, 3, "", t0)
	if c.TeamAssigneeID != 3 || c.AdminAssigneeID != 5 || p.AssignedTo.Type != "team" {
		t.Errorf("assign team: %+v %+v", c, p)
	}
	c.AssignAdmin(admin, 0, "", t0)
	if c.AdminAssigneeID != 0 {
		t.Errorf("unassign left %d", c.AdminAssigneeID)
	}
}

func TestParticipants(t *testing.T) {
	c := started(t)
	if _, err := c.RemoveContact(admin, 7, t0); err == nil {
		t.Errorf("removed the last participant")
	}
	if _, err := c.AddContact(admin, 7, t0); err == nil {
		t.Errorf("added a participant twice")
	}
	if _, err := c.AddContact(admin, 8, t0); err != nil || !c.HasContact(8) {
		t.Errorf("add: %v", err)
	}
	if _, err := c.RemoveContact(admin, 7, t0); err != nil || c.HasContact(7) {
		t.Errorf("remove: %v", err)
	}
}

func isRuleError(err error, field string) bool {
	var e *Error
	return errors.As(err, &e) && e.Field == field
}
