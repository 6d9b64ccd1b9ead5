package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/config"
	"github.com/helpdesk/helpdesk/internal/server"
)

// startConversation makes a contact and a conversation from it, and returns both ids.
func startConversation(t *testing.T, e *apitest.Env, email, body string) (contactID, conversationID string) {
	t.Helper()
	c := e.CreateContact(email, "Casey Customer")
	msg := e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{
		"from": map[string]any{"type": "user", "id": itoa(c.ID)}, "body": body})
	id, _ := msg["conversation_id"].(string)
	if id == "" {
		t.Fatalf("POST /conversations gave no conversation_id: %v", msg)
	}
	return itoa(c.ID), id
}

// parts returns the part_type and body of each part of a conversation.
func parts(t *testing.T, conv map[string]any) [][2]string {
	t.Helper()
	cp, _ := conv["conversation_parts"].(map[string]any)
	list, _ := cp["conversation_parts"].([]any)
	out := make([][2]string, len(list))
	for i, p := range list {
		m := p.(map[string]any)
		body, _ := m["body"].(string)
		out[i] = [2]string{m["part_type"].(string), body}
	}
	return out
}

func lastPart(t *testing.T, conv map[string]any) map[string]any {
	t.Helper()
	cp, _ := conv["conversation_parts"].(map[string]any)
	list, _ := cp["conversation_parts"].([]any)
	if len(list) == 0 {
		t.Fatalf("conversation has no parts: %v", conv)
	}
	return list[len(list)-1].(map[string]any)
}

func TestCV1_ContactStartsConversationTeammatesAnswerWithCommentsOrNotes(t *testing.T) {
	e := apitest.Start(t)
	contactID, id := startConversation(t, e, "casey@example.com", "My invoice is wrong")

	conv := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+id, nil)
	src := conv["source"].(map[string]any)
	author := src["author"].(map[string]any)
	if src["body"] != "My invoice is wrong" || author["type"] != "user" || author["id"] != contactID || src["delivered_as"] != "customer_initiated" {
		t.Errorf("source = %v", src)
	}
	if conv["state"] != "open" || conv["open"] != true {
		t.Errorf("new conversation state = %v open = %v, want open", conv["state"], conv["open"])
	}
	contacts := conv["contacts"].(map[string]any)["contacts"].([]any)
	if len(contacts) != 1 || contacts[0].(map[string]any)["id"] != contactID {
		t.Errorf("contacts = %v", contacts)
	}
	if conv["waiting_since"] == nil {
		t.Errorf("a new customer conversation waits for an answer: waiting_since is null")
	}

	admin := itoa(e.Admin.ID)
	conv = e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/reply", map[string]any{
		"type": "admin", "admin_id": admin, "message_type": "comment", "body": "Let me check."})
	if p := lastPart(t, conv); p["part_type"] != "comment" || p["author"].(map[string]any)["type"] != "admin" {
		t.Errorf("teammate comment part = %v", p)
	}
	if conv["waiting_since"] != nil {
		t.Errorf("after a teammate's comment the customer no longer waits: waiting_since = %v", conv["waiting_since"])
	}
	conv = e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/reply", map[string]any{
		"type": "admin", "admin_id": admin, "message_type": "note", "body": "Refund due, see ledger"})
	if p := lastPart(t, conv); p["part_type"] != "note" {
		t.Errorf("note part = %v", p)
	}
	conv = e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/reply", map[string]any{
		"type": "user", "intercom_user_id": contactID, "message_type": "comment", "body": "Thanks!"})
	if p := lastPart(t, conv); p["part_type"] != "comment" || p["author"].(map[string]any)["type"] != "user" {
		t.Errorf("customer comment part = %v", p)
	}
	want := [][2]string{{"comment", "Let me check."}, {"note", "Refund due, see ledger"}, {"comment", "Thanks!"}}
	if got := parts(t, conv); apitest.Str(got) != apitest.Str(want) {
		t.Errorf("parts = %v, want %v", got, want)
	}
	teammates := conv["teammates"].(map[string]any)["teammates"].([]any)
	if len(teammates) != 1 || teammates[0].(map[string]any)["id"] != admin {
		t.Errorf("teammates = %v", teammates)
	}

	// A contact reply found by email, as Intercom allows.
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/reply", map[string]any{
		"type": "user", "email": "casey@example.com", "message_type": "comment", "body": "By email"})
	// Someone who is not in the conversation cannot reply as a contact in it.
	other := e.CreateContact("mallory@example.com", "Mallory")
	r := e.Do("POST", "/api/conversations/"+id+"/reply", map[string]any{
		"type": "user", "intercom_user_id": itoa(other.ID), "message_type": "comment", "body": "Injected"})
	if r.Status != http.StatusBadRequest {
		t.Errorf("reply by a non-participant: %d %s, want 400", r.Status, r.Body)
	}
}

func TestCV2_ConversationStatesOpenSnoozedClosed(t *testing.T) {
	e := apitest.Start(t)
	_, id := startConversation(t, e, "casey@example.com", "Hello")
	admin := itoa(e.Admin.ID)
	path := "/api/conversations/" + id + "/parts"

	conv := e.MustDo(http.StatusOK, "POST", path, map[string]any{"message_type": "close", "type": "admin", "admin_id": admin, "body": "Solved"})
	if conv["state"] != "closed" || conv["open"] != false {
		t.Errorf("after close: state %v open %v", conv["state"], conv["open"])
	}
	conv = e.MustDo(http.StatusOK, "POST", path, map[string]any{"message_type": "open", "admin_id": admin})
	if conv["state"] != "open" || conv["open"] != true {
		t.Errorf("after open: state %v open %v", conv["state"], conv["open"])
	}
	until := e.Clock.Now().Add(time.Hour).Unix()
	conv = e.MustDo(http.StatusOK, "POST", path, map[string]any{"message_type": "snoozed", "admin_id": admin, "snoozed_until": until})
	if conv["state"] != "snoozed" || conv["open"] != true || conv["snoozed_until"] != float64(until) {
		t.Errorf("after snooze: state %v open %v snoozed_until %v", conv["state"], conv["open"], conv["snoozed_until"])
	}
	got := parts(t, conv)
	wantTypes := []string{"close", "open", "snoozed"}
	for i, w := range wantTypes {
		if got[i][0] != w {
			t.Errorf("part %d is %s, want %s (all: %v)", i, got[i][0], w, got)
		}
	}

	// Snoozing into the past is refused and changes nothing.
	r := e.Do("POST", path, map[string]any{"message_type": "snoozed", "admin_id": admin, "snoozed_until": e.Clock.Now().Add(-time.Minute).Unix()})
	if r.Status != http.StatusBadRequest || r.ErrorCode() != "parameter_invalid" {
		t.Errorf("snooze in the past: %d %s", r.Status, r.Body)
	}
	if after := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+id, nil); after["snoozed_until"] != float64(until) || len(parts(t, after)) != 3 {
		t.Errorf("a refused snooze changed the conversation: %v", after)
	}
}

func TestCV2_SnoozedConversationOpensWhenTheCustomerWrites(t *testing.T) {
	e := apitest.Start(t)
	contactID, id := startConversation(t, e, "casey@example.com", "Hello")
	admin := itoa(e.Admin.ID)
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/reply", map[string]any{"type": "admin", "admin_id": admin, "message_type": "comment", "body": "Back tomorrow"})
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/parts", map[string]any{"message_type": "snoozed", "admin_id": admin, "snoozed_until": e.Clock.Now().Add(24 * time.Hour).Unix()})
	conv := e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/reply", map[string]any{"type": "user", "intercom_user_id": contactID, "message_type": "comment", "body": "Any news?"})
	if conv["state"] != "open" || conv["snoozed_until"] != nil || conv["waiting_since"] == nil {
		t.Errorf("after the customer wrote: state %v snoozed_until %v waiting_since %v", conv["state"], conv["snoozed_until"], conv["waiting_since"])
	}
	// A closed conversation opens too when the customer writes again.
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/parts", map[string]any{"message_type": "close", "type": "admin", "admin_id": admin})
	conv = e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/reply", map[string]any{"type": "user", "intercom_user_id": contactID, "message_type": "comment", "body": "Still broken"})
	if conv["state"] != "open" {
		t.Errorf("closed conversation after the customer wrote: state %v", conv["state"])
	}
}

func TestCV2_SnoozedConversationOpensAtItsTimeEvenAfterARestart(t *testing.T) {
	e := apitest.Start(t)
	_, early := startConversation(t, e, "a@example.com", "Early")
	_, late := startConversation(t, e, "b@example.com", "Late")
	admin := itoa(e.Admin.ID)
	snooze := func(id string, d time.Duration) {
		e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/parts", map[string]any{"message_type": "snoozed", "admin_id": admin, "snoozed_until": e.Clock.Now().Add(d).Unix()})
	}
	snooze(early, time.Hour)
	snooze(late, 3*time.Hour)

	// The server "restarts": a new one on the same database, two hours later, runs its sweep.
	e.Clock.Advance(2 * time.Hour)
	cfg := config.Defaults()
	cfg.SnoozeSweepPeriod = 10 * time.Millisecond
	restarted := server.New(cfg, e.DB, nil, e.Clock)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { restarted.Background(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	deadline := time.Now().Add(10 * time.Second)
	for {
		conv := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+early, nil)
		if conv["state"] == "open" {
			if p := lastPart(t, conv); p["part_type"] != "timer_unsnooze" {
				t.Errorf("reopening part = %v, want timer_unsnooze", p)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("conversation snoozed until an hour ago is still %v", conv["state"])
		}
		time.Sleep(10 * time.Millisecond)
	}
	if conv := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+late, nil); conv["state"] != "snoozed" {
		t.Errorf("conversation snoozed for another hour is %v, want snoozed", conv["state"])
	}
}

func TestCV3_AssignmentToTeammateAndTeamIsAnEventPart(t *testing.T) {
	e := apitest.Start(t)
	agent := e.CreateAdmin("agent@example.com", "Ada Agent")
	team := e.CreateTeam("Billing", agent.ID)
	_, id := startConversation(t, e, "casey@example.com", "Hello")
	admin := itoa(e.Admin.ID)
	path := "/api/conversations/" + id + "/parts"

	conv := e.MustDo(http.StatusOK, "POST", path, map[string]any{"message_type": "assignment", "type": "admin", "admin_id": admin, "assignee_id": itoa(agent.ID)})
	if conv["admin_assignee_id"] != float64(agent.ID) {
		t.Errorf("admin_assignee_id = %v, want %d", conv["admin_assignee_id"], agent.ID)
	}
	p := lastPart(t, conv)
	if p["part_type"] != "assignment" || apitest.Str(p["assigned_to"]) != apitest.Str(map[string]any{"type": "admin", "id": itoa(agent.ID)}) {
		t.Errorf("assignment part = %v", p)
	}
	conv = e.MustDo(http.StatusOK, "POST", path, map[string]any{"message_type": "assignment", "type": "team", "admin_id": admin, "assignee_id": itoa(team.ID)})
	if conv["team_assignee_id"] != float64(team.ID) || conv["admin_assignee_id"] != float64(agent.ID) {
		t.Errorf("after team assignment: team %v admin %v", conv["team_assignee_id"], conv["admin_assignee_id"])
	}
	if p := lastPart(t, conv); apitest.Str(p["assigned_to"]) != apitest.Str(map[string]any{"type": "team", "id": itoa(team.ID)}) {
		t.Errorf("team assignment part = %v", p)
	}
	// Unassign the teammate with 0.
	conv = e.MustDo(http.StatusOK, "POST", path, map[string]any{"message_type": "assignment", "type": "admin", "admin_id": admin, "assignee_id": "0"})
	if conv["admin_assignee_id"] != float64(0) || len(parts(t, conv)) != 3 {
		t.Errorf("after unassign: admin %v parts %v", conv["admin_assignee_id"], parts(t, conv))
	}
	// Assigning to nobody who exists is refused and writes nothing.
	r := e.Do("POST", path, map[string]any{"message_type": "assignment", "type": "team", "admin_id": admin, "assignee_id": "987654"})
	if r.Status != http.StatusNotFound {
		t.Errorf("assign to unknown team: %d %s", r.Status, r.Body)
	}
	if conv := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+id, nil); conv["team_assignee_id"] != float64(team.ID) || len(parts(t, conv)) != 3 {
		t.Errorf("a refused assignment changed the conversation: %v", conv)
	}
	// Search finds the conversation by its team.
	found := e.MustDo(http.StatusOK, "POST", "/api/conversations/search", map[string]any{"query": map[string]any{"field": "team_assignee_id", "operator": "=", "value": team.ID}})
	if ids := conversationIDs(found); apitest.Str(ids) != apitest.Str([]string{id}) {
		t.Errorf("search by team_assignee_id = %v, want [%s]", ids, id)
	}
}

func TestCV4_TagsOnConversations(t *testing.T) {
	e := apitest.Start(t)
	_, id := startConversation(t, e, "casey@example.com", "Hello")
	_, other := startConversation(t, e, "dana@example.com", "Hi")
	admin := itoa(e.Admin.ID)
	tag := e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": "billing"})

	got := e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/tags", map[string]any{"id": apitest.ID(tag), "admin_id": admin})
	if got["type"] != "tag" || got["name"] != "billing" {
		t.Errorf("tag answer = %v", got)
	}
	conv := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+id, nil)
	tags := conv["tags"].(map[string]any)["tags"].([]any)
	if len(tags) != 1 || tags[0].(map[string]any)["name"] != "billing" {
		t.Fatalf("conversation tags = %v", tags)
	}
	if by := tags[0].(map[string]any)["applied_by"].(map[string]any); by["id"] != admin {
		t.Errorf("applied_by = %v", by)
	}
	found := e.MustDo(http.StatusOK, "POST", "/api/conversations/search", map[string]any{"query": map[string]any{"field": "tag_ids", "operator": "IN", "value": []string{apitest.ID(tag)}}})
	if ids := conversationIDs(found); apitest.Str(ids) != apitest.Str([]string{id}) {
		t.Errorf("search by tag = %v, want [%s] (not %s)", ids, id, other)
	}
	e.MustDo(http.StatusOK, "DELETE", "/api/conversations/"+id+"/tags/"+apitest.ID(tag), map[string]any{"admin_id": admin})
	conv = e.MustDo(http.StatusOK, "GET", "/api/conversations/"+id, nil)
	if tags := conv["tags"].(map[string]any)["tags"].([]any); len(tags) != 0 {
		t.Errorf("tags after removal = %v", tags)
	}
	if r := e.Do("DELETE", "/api/conversations/"+id+"/tags/"+apitest.ID(tag), map[string]any{"admin_id": admin}); r.Status != http.StatusNotFound {
		t.Errorf("removing a tag that is not there: %d", r.Status)
	}
	if r := e.Do("POST", "/api/conversations/"+id+"/tags", map[string]any{"id": "999999", "admin_id": admin}); r.Status != http.StatusNotFound {
		t.Errorf("unknown tag: %d", r.Status)
	}
	if r := e.Do("POST", "/api/conversations/"+id+"/tags", map[string]any{"id": apitest.ID(tag), "admin_id": "999999"}); r.Status != http.StatusNotFound {
		t.Errorf("tagging as an unknown teammate: %d %s, want 404", r.Status, r.Body)
	}
}

func conversationIDs(list map[string]any) []string {
	ids := []string{}
	items, _ := list["conversations"].([]any)
	for _, c := range items {
		ids = append(ids, c.(map[string]any)["id"].(string))
	}
	return ids
}

func TestConversationListPagesWithCursor(t *testing.T) {
	e := apitest.Start(t)
	var made []string
	for i := range 5 {
		_, id := startConversation(t, e, "c"+itoa(int64(i))+"@example.com", "Hello")
		made = append([]string{id}, made...) // newest first
	}
	var seen []string
	path := "/api/conversations?per_page=2"
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		list := e.MustDo(http.StatusOK, "GET", path, nil)
		seen = append(seen, conversationIDs(list)...)
		next, _ := list["pages"].(map[string]any)["next"].(map[string]any)
		if next == nil {
			break
		}
		path = "/api/conversations?per_page=2&starting_after=" + next["starting_after"].(string)
	}
	if apitest.Str(seen) != apitest.Str(made) {
		t.Errorf("pages gave %v, want %v", seen, made)
	}
	if r := e.Do("GET", "/api/conversations?starting_after=bogus", nil); r.Status != http.StatusBadRequest {
		t.Errorf("bad cursor: %d", r.Status)
	}
	if r := e.Do("GET", "/api/conversations?per_page=1000", nil); r.Status != http.StatusBadRequest {
		t.Errorf("per_page 1000: %d", r.Status)
	}
}

func TestConversationSearchQueryLanguage(t *testing.T) {
	e := apitest.Start(t)
	casey, refund := startConversation(t, e, "casey@example.com", "I want a refund for order 42")
	_, login := startConversation(t, e, "dana@example.com", "Cannot log in")
	_, other := startConversation(t, e, "erin@example.com", "Refund please")
	admin := itoa(e.Admin.ID)
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+other+"/parts", map[string]any{"message_type": "close", "type": "admin", "admin_id": admin})

	cases := []struct {
		name  string
		query any
		want  []string
	}{
		{"source.body contains, any case", map[string]any{"field": "source.body", "operator": "~", "value": "REFUND"}, []string{other, refund}},
		{"open and contains", map[string]any{"operator": "AND", "value": []any{
			map[string]any{"field": "source.body", "operator": "~", "value": "refund"},
			map[string]any{"field": "open", "operator": "=", "value": true}}}, []string{refund}},
		{"nested OR in AND", map[string]any{"operator": "AND", "value": []any{
			map[string]any{"operator": "OR", "value": []any{
				map[string]any{"field": "state", "operator": "=", "value": "open"},
				map[string]any{"field": "state", "operator": "=", "value": "snoozed"}}},
			map[string]any{"operator": "OR", "value": []any{
				map[string]any{"field": "contact_ids", "operator": "=", "value": casey},
				map[string]any{"field": "source.body", "operator": "^", "value": "cannot"}}}}}, []string{login, refund}},
		{"source.body = matches a word, as Intercom's", map[string]any{"field": "source.body", "operator": "=", "value": "refund"}, []string{other, refund}},
		{"source.body = does not match part of a word", map[string]any{"field": "source.body", "operator": "=", "value": "ref"}, []string{}},
		{"state closed", map[string]any{"field": "state", "operator": "=", "value": "closed"}, []string{other}},
		{"id IN", map[string]any{"field": "id", "operator": "IN", "value": []string{refund, login}}, []string{login, refund}},
		{"created_at after", map[string]any{"field": "created_at", "operator": ">", "value": e.Clock.Now().Add(-time.Minute).Unix()}, []string{other, login, refund}},
		{"unassigned", map[string]any{"field": "admin_assignee_id", "operator": "=", "value": 0}, []string{other, login, refund}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := e.MustDo(http.StatusOK, "POST", "/api/conversations/search", map[string]any{"query": c.query})
			if ids := conversationIDs(got); apitest.Str(ids) != apitest.Str(c.want) {
				t.Errorf("got %v, want %v", ids, c.want)
			}
		})
	}
	// Paging through search results.
	page1 := e.MustDo(http.StatusOK, "POST", "/api/conversations/search", map[string]any{
		"query": map[string]any{"field": "open", "operator": "!=", "value": "false"}, "pagination": map[string]any{"per_page": 1}})
	next := page1["pages"].(map[string]any)["next"].(map[string]any)["starting_after"].(string)
	page2 := e.MustDo(http.StatusOK, "POST", "/api/conversations/search", map[string]any{
		"query": map[string]any{"field": "open", "operator": "!=", "value": "false"}, "pagination": map[string]any{"per_page": 1, "starting_after": next}})
	if a, b := conversationIDs(page1), conversationIDs(page2); len(a) != 1 || len(b) != 1 || a[0] != refund && a[0] != login || a[0] == b[0] {
		t.Errorf("search pages %v then %v", a, b)
	}
}

func TestConversationCustomersAndTitle(t *testing.T) {
	e := apitest.Start(t)
	casey, id := startConversation(t, e, "casey@example.com", "Hello")
	dana := e.CreateContact("dana@example.com", "Dana")
	admin := itoa(e.Admin.ID)
	conv := e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/customers", map[string]any{"admin_id": admin, "customer": map[string]any{"intercom_user_id": itoa(dana.ID)}})
	if n := len(conv["contacts"].(map[string]any)["contacts"].([]any)); n != 2 {
		t.Errorf("contacts after attach = %d, want 2", n)
	}
	conv = e.MustDo(http.StatusOK, "DELETE", "/api/conversations/"+id+"/customers/"+casey, map[string]any{"admin_id": admin})
	contacts := conv["contacts"].(map[string]any)["contacts"].([]any)
	if len(contacts) != 1 || contacts[0].(map[string]any)["id"] != itoa(dana.ID) {
		t.Errorf("contacts after detach = %v", contacts)
	}
	if r := e.Do("DELETE", "/api/conversations/"+id+"/customers/"+itoa(dana.ID), map[string]any{"admin_id": admin}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("removing the last contact: %d %s, want 422", r.Status, r.Body)
	}
	conv = e.MustDo(http.StatusOK, "PUT", "/api/conversations/"+id, map[string]any{"title": "Billing question", "read": true})
	if conv["title"] != "Billing question" || conv["read"] != true {
		t.Errorf("after update: title %v read %v", conv["title"], conv["read"])
	}
}

func TestAPI3_ConversationBadInputIsAnErrorListAndWritesNothing(t *testing.T) {
	e := apitest.Start(t)
	contactID, id := startConversation(t, e, "casey@example.com", "Hello")
	admin := itoa(e.Admin.ID)
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
		mentions           string
	}{
		{"malformed JSON", "POST", "/api/conversations", `{"from": `, 400, "parameter_invalid", "JSON"},
		{"body of the wrong type", "POST", "/api/conversations", map[string]any{"from": map[string]any{"type": "user", "id": contactID}, "body": 42}, 400, "parameter_invalid", "body"},
		{"from missing", "POST", "/api/conversations", map[string]any{"body": "hi"}, 400, "parameter_not_found", "from"},
		{"from.type invalid", "POST", "/api/conversations", map[string]any{"from": map[string]any{"type": "robot", "id": contactID}, "body": "hi"}, 400, "parameter_invalid", "from.type"},
		{"from.id not a number", "POST", "/api/conversations", map[string]any{"from": map[string]any{"type": "user", "id": "abc"}, "body": "hi"}, 400, "parameter_invalid", "from.id"},
		{"unknown contact", "POST", "/api/conversations", map[string]any{"from": map[string]any{"type": "user", "id": "999999"}, "body": "hi"}, 404, "not_found", "User"},
		{"blank body", "POST", "/api/conversations", map[string]any{"from": map[string]any{"type": "user", "id": contactID}, "body": "  "}, 400, "parameter_invalid", "body"},
		{"unknown conversation", "GET", "/api/conversations/999999", nil, 404, "not_found", "Conversation"},
		{"non-numeric conversation id", "GET", "/api/conversations/abc", nil, 404, "not_found", "Conversation"},
		{"reply without type", "POST", "/api/conversations/" + id + "/reply", map[string]any{"body": "x", "message_type": "comment"}, 400, "parameter_not_found", "type"},
		{"reply by unknown admin", "POST", "/api/conversations/" + id + "/reply", map[string]any{"type": "admin", "admin_id": "999999", "message_type": "comment", "body": "x"}, 404, "not_found", "Admin"},
		{"reply with bad message_type", "POST", "/api/conversations/" + id + "/reply", map[string]any{"type": "admin", "admin_id": admin, "message_type": "shout", "body": "x"}, 400, "parameter_invalid", "message_type"},
		{"admin_id of the wrong type", "POST", "/api/conversations/" + id + "/reply", map[string]any{"type": "admin", "admin_id": true, "message_type": "comment", "body": "x"}, 400, "parameter_invalid", "admin_id"},
		{"snooze without time", "POST", "/api/conversations/" + id + "/parts", map[string]any{"message_type": "snoozed", "admin_id": admin}, 400, "parameter_not_found", "snoozed_until"},
		{"snoozed_until as text", "POST", "/api/conversations/" + id + "/parts", map[string]any{"message_type": "snoozed", "admin_id": admin, "snoozed_until": "tomorrow"}, 400, "parameter_invalid", "snoozed_until"},
		{"unknown part action", "POST", "/api/conversations/" + id + "/parts", map[string]any{"message_type": "explode", "admin_id": admin}, 400, "parameter_invalid", "message_type"},
		{"search without query", "POST", "/api/conversations/search", map[string]any{}, 400, "parameter_not_found", "query"},
		{"search on unknown field", "POST", "/api/conversations/search", map[string]any{"query": map[string]any{"field": "password", "operator": "=", "value": "x"}}, 400, "parameter_invalid", "password"},
		{"search with bad operator", "POST", "/api/conversations/search", map[string]any{"query": map[string]any{"field": "state", "operator": "LIKE", "value": "open"}}, 400, "parameter_invalid", "operator"},
		{"search with bad state", "POST", "/api/conversations/search", map[string]any{"query": map[string]any{"field": "state", "operator": "=", "value": "sleeping"}}, 400, "parameter_invalid", "state"},
		{"bad Intercom-Version is fine to omit but not to garble", "GET", "/api/conversations?per_page=0", nil, 400, "parameter_invalid", "per_page"},
		{"unknown path", "GET", "/api/nothing-here", nil, 404, "not_found", "no API path"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.Do(c.method, c.path, c.body)
			if r.Status != c.status || r.ErrorCode() != c.code {
				t.Fatalf("%d %s, want %d %s", r.Status, r.Body, c.status, c.code)
			}
			if msg := r.ErrorMessage(); !containsFold(msg, c.mentions) {
				t.Errorf("message %q does not name %q", msg, c.mentions)
			}
			if r.JSON()["request_id"] == "" {
				t.Errorf("no request_id in %s", r.Body)
			}
		})
	}
	// None of the failed requests wrote anything.
	conv := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+id, nil)
	if n := len(parts(t, conv)); n != 0 || conv["state"] != "open" {
		t.Errorf("failed requests changed the conversation: %d parts, state %v", n, conv["state"])
	}
	list := e.MustDo(http.StatusOK, "GET", "/api/conversations", nil)
	if ids := conversationIDs(list); len(ids) != 1 {
		t.Errorf("failed requests created conversations: %v", ids)
	}
}

func TestAPI3_IntercomVersionHeader(t *testing.T) {
	e := apitest.Start(t)
	for _, v := range []string{"2.16", "2.11", "Unstable"} {
		req, _ := http.NewRequest("GET", e.URL+"/api/me", nil)
		req.Header.Set("Authorization", "Bearer "+e.Token)
		req.Header.Set("Intercom-Version", v)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("Intercom-Version %s: %d", v, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("GET", e.URL+"/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+e.Token)
	req.Header.Set("Intercom-Version", "banana")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("Intercom-Version banana: %d, want 400", resp.StatusCode)
	}
}
