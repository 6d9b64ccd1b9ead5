package inbox_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/auth"
	"github.com/helpdesk/helpdesk/internal/browsertest"
	"github.com/helpdesk/helpdesk/internal/clock"
	"github.com/helpdesk/helpdesk/internal/config"
	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/server"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/store/storetest"
)

// --- The event stream, as an HTTP client reads it -------------------------------------------

// liveEvent is one server-sent event of /inbox/events.
type liveEvent struct {
	ID   string // the id field, "" when the event has none
	Name string
	Data string
}

// ids are the conversations a change event names; all tells that it says everything changed.
func (ev liveEvent) ids(t *testing.T) (ids []int64, all bool) {
	t.Helper()
	var d struct {
		IDs []int64 `json:"ids"`
		All bool    `json:"all"`
	}
	if err := json.Unmarshal([]byte(ev.Data), &d); err != nil {
		t.Fatalf("event %s: data %q: %v", ev.Name, ev.Data, err)
	}
	return d.IDs, d.All
}

// liveStream opens the event stream at path as c, with extra request headers; read the
// events from the channel, which closes with the stream. The stream is closed by stop, or when
// the test ends.
func liveStream(t *testing.T, c *client, path string, headers ...string) (events <-chan liveEvent, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body.Close()
		cancel()
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	ch := make(chan liveEvent, 16)
	done := make(chan struct{})
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			resp.Body.Close()
			<-done
		})
	}
	t.Cleanup(stop)
	go func() {
		defer close(done)
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		var ev liveEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Name != "" {
					select {
					case ch <- ev:
					case <-ctx.Done():
						return
					}
				}
				ev = liveEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return ch, stop
}

// liveNext waits up to within for the next event of the stream.
func liveNext(t *testing.T, events <-chan liveEvent, within time.Duration) liveEvent {
	t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			t.Fatal("the event stream closed")
		}
		return ev
	case <-time.After(within):
		t.Fatalf("no event within %s", within)
	}
	return liveEvent{}
}

// liveNextChange waits up to within for a change event naming id, and returns it.
func liveNextChange(t *testing.T, events <-chan liveEvent, id int64, within time.Duration) liveEvent {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("the event stream closed")
			}
			if ev.Name != "change" {
				continue
			}
			if ids, all := ev.ids(t); all || slices.Contains(ids, id) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no change naming %d within %s", id, within)
		}
	}
}

// liveConversation starts a conversation from a new contact through the API.
func liveConversation(t *testing.T, e *env, email string) int64 {
	t.Helper()
	c := e.CreateContact(email, "")
	msg := e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{
		"from": map[string]any{"type": "user", "id": strconv.FormatInt(c.ID, 10)}, "body": "Hello from " + email})
	id, err := strconv.ParseInt(fmt.Sprint(msg["conversation_id"]), 10, 64)
	if err != nil {
		t.Fatalf("POST /api/conversations: %v", msg)
	}
	return id
}

// liveReply has the env's owner reply to a conversation through the API.
func liveReply(t *testing.T, e *env, id int64, kind, body string) {
	t.Helper()
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+strconv.FormatInt(id, 10)+"/reply", map[string]any{
		"message_type": kind, "type": "admin", "admin_id": strconv.FormatInt(e.Admin.ID, 10), "body": body})
}

// --- The tests through HTTP -------------------------------------------------------------------

func TestIN5_ChangeReachesAnOpenInboxWithinASecond(t *testing.T) {
	e := start(t)
	conv := liveConversation(t, e, "ann@example.com")
	events, _ := liveStream(t, e.signedIn(t), "/inbox/events")
	ready := liveNext(t, events, 10*time.Second)
	if ready.Name != "ready" || ready.ID == "" {
		t.Fatalf("first event %+v, want ready with a position", ready)
	}

	replied := time.Now()
	liveReply(t, e, conv, "comment", "We are on it.")
	ev := liveNextChange(t, events, conv, 5*time.Second)
	took := time.Since(replied)
	t.Logf("the reply reached the open Inbox %s after it was sent", took)
	if took > time.Second {
		t.Errorf("the change took %s, want within a second (IN5)", took)
	}
	if ids, all := ev.ids(t); all || !slices.Equal(ids, []int64{conv}) {
		t.Errorf("change %s, want only %d", ev.Data, conv)
	}
	if p, _ := strconv.ParseInt(ev.ID, 10, 64); ev.ID == ready.ID || p == 0 {
		t.Errorf("change id %q after ready %q, want a further position", ev.ID, ready.ID)
	}

	// A teammate's note elsewhere reaches the page as well: every change, whoever made it.
	other := liveConversation(t, e, "bob@example.com")
	liveNextChange(t, events, other, 5*time.Second)
	liveReply(t, e, other, "note", "Internal: VIP")
	liveNextChange(t, events, other, 5*time.Second)
}

func TestIN5_EventsNeedASignedInTeammate(t *testing.T) {
	e := start(t)
	r := e.client(t).get("/inbox/events")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/inbox/login") {
		t.Fatalf("signed out: %d %q, want a redirect to sign in", r.status, r.location)
	}
}

func TestIN5_ReconnectCatchesUpWithLastEventID(t *testing.T) {
	e := start(t)
	ann := liveConversation(t, e, "ann@example.com")
	bob := liveConversation(t, e, "bob@example.com")
	cathy := liveConversation(t, e, "cathy@example.com")
	c := e.signedIn(t)
	events, stop := liveStream(t, c, "/inbox/events")
	ready := liveNext(t, events, 10*time.Second)
	stop() // the page loses its connection

	liveReply(t, e, ann, "comment", "While you were away")
	liveReply(t, e, bob, "note", "A note meanwhile")

	// The browser reconnects by itself with Last-Event-ID, and learns what it missed.
	events, stop = liveStream(t, c, "/inbox/events", "Last-Event-ID", ready.ID)
	ev := liveNext(t, events, 10*time.Second)
	if ids, all := ev.ids(t); ev.Name != "change" || all || !slices.Equal(ids, []int64{ann, bob}) {
		t.Fatalf("first event after reconnecting: %+v, want a change of %d and %d", ev, ann, bob)
	}
	if ev.ID == "" || ev.ID == ready.ID {
		t.Fatalf("catch-up id %q, want a position past %q", ev.ID, ready.ID)
	}
	// ... and what changes next, as any open page.
	liveReply(t, e, cathy, "comment", "Now")
	liveNextChange(t, events, cathy, 5*time.Second)
	stop()

	// From the position it last had, nothing was missed: ready, with nothing to tell. The
	// script sends its position as ?last= when it opens a new stream itself.
	_, newest, err := e.DB.Read().ChangeBounds(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	events, stop = liveStream(t, c, "/inbox/events?last="+strconv.FormatInt(newest, 10))
	if ev := liveNext(t, events, 10*time.Second); ev.Name != "ready" || ev.ID != strconv.FormatInt(newest, 10) {
		t.Fatalf("up to date: %+v, want ready at %d", ev, newest)
	}
	stop()

	// A page that has just loaded is told what changed while it loaded (its age, with a
	// margin): a change between the server's reading and the stream is not lost.
	liveReply(t, e, cathy, "comment", "Just before the page's stream opened")
	events, stop = liveStream(t, c, "/inbox/events?age=200")
	if ev := liveNext(t, events, 10*time.Second); ev.Name != "change" {
		t.Fatalf("a page just loaded: %+v, want the change made as it loaded", ev)
	} else if ids, _ := ev.ids(t); !slices.Contains(ids, cathy) {
		t.Fatalf("a page just loaded: %s, want %d among them", ev.Data, cathy)
	}
	stop()

	// Away too long: the log was pruned past its position, so the page must reload.
	if _, err := e.DB.PruneChanges(context.Background(), -time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, last := range []string{ready.ID, "999999999"} {
		events, stop = liveStream(t, c, "/inbox/events", "Last-Event-ID", last)
		if ev := liveNext(t, events, 10*time.Second); ev.Name != "reload" {
			t.Fatalf("Last-Event-ID %s, pruned or unknown: %+v, want reload", last, ev)
		}
		if _, ok := <-events; ok {
			t.Fatal("the stream goes on after reload")
		}
		stop()
	}
}

func TestIN5_StreamEndsWhenTheServerShutsDown(t *testing.T) {
	inst := liveStartInstance(t, storetest.URL(t))
	c := liveSignIn(t, inst)
	events, _ := liveStream(t, c, "/inbox/events")
	liveNext(t, events, 10*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := inst.http.Config.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v (an open event stream held it up)", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("shutdown took %s", took)
	}
	for range events { // the stream has ended
	}
}

// Every answer says where the change log was when its content was read, and the answer to an
// action which changes it made: the page's stream starts from there, and tells those changes
// with their ids in the log, so that the page does not load again what it shows already.
func TestIN5_AnswersSayWhereTheLogWas(t *testing.T) {
	e := start(t)
	conv := liveConversation(t, e, "ann@example.com")
	c := e.signedIn(t)
	page := c.get("/inbox")
	pos := page.header.Get("X-Live-Position")
	_, newest, err := e.DB.Read().ChangeBounds(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if pos != strconv.FormatInt(newest, 10) || page.header.Get("Server-Timing") != `live;desc="`+pos+`"` {
		t.Fatalf("position %q, Server-Timing %q; want %d", pos, page.header.Get("Server-Timing"), newest)
	}

	// An action: its answer names the change it made.
	path := "/inbox/conversations/" + strconv.FormatInt(conv, 10)
	r := c.post(path+"/reply", url.Values{"body": {"On it"}, "type": {"comment"}}, "HX-Request", "true", "HX-Target", "main")
	if r.status != http.StatusOK {
		t.Fatalf("reply: %d %s", r.status, r.body)
	}
	own, err := strconv.ParseInt(r.header.Get("X-Live-Own"), 10, 64)
	if err != nil || own <= newest {
		t.Fatalf("X-Live-Own %q, want the reply's change, after %d", r.header.Get("X-Live-Own"), newest)
	}
	if r.header.Get("X-Live-Position") != pos {
		t.Errorf("the action's position %q, want %s (read before the action)", r.header.Get("X-Live-Position"), pos)
	}
	if r := c.get(path); r.header.Get("X-Live-Own") != "" {
		t.Errorf("a page (GET) names own changes: %q", r.header.Get("X-Live-Own"))
	}

	// The page's stream, from the page's position, tells the reply, with its id in the log.
	events, _ := liveStream(t, c, "/inbox/events?after="+pos)
	ev := liveNext(t, events, 10*time.Second)
	var d struct {
		IDs  []int64           `json:"ids"`
		Logs map[int64][]int64 `json:"logs"`
	}
	if err := json.Unmarshal([]byte(ev.Data), &d); err != nil || ev.Name != "change" || !slices.Equal(d.IDs, []int64{conv}) ||
		!slices.Equal(d.Logs[conv], []int64{own}) {
		t.Fatalf("the page's stream: %+v, want the reply %d of %d", ev, own, conv)
	}

	// Signed out, nothing is said.
	if r := e.client(t).get("/inbox/login"); r.header.Get("X-Live-Position") != "" || r.header.Get("Server-Timing") != "" {
		t.Errorf("signed out: %v", r.header)
	}
}

// --- Several instances ------------------------------------------------------------------------

// liveInstance is a Helpdesk server on a database other instances may share, as several
// processes behind a load balancer would.
type liveInstance struct {
	URL    string
	DB     *store.DB
	Server *server.Server
	http   *httptest.Server
	mate   store.Admin
	token  string
	// extra, when set, serves what the server does not (a test page).
	extra *http.ServeMux
	// regionGets counts the requests for live regions of thread pages (…/live/{region}).
	regionGets atomic.Int64
}

// liveStartInstance starts a server on the database at dbURL, migrating it if need be, with the
// teammate who signs in (mateEmail) and an API token of theirs.
func liveStartInstance(t *testing.T, dbURL string) *liveInstance {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	inst := &liveInstance{DB: db, extra: http.NewServeMux()}
	hs := httptest.NewUnstartedServer(nil)
	hs.Start()
	t.Cleanup(hs.Close)
	cfg := config.Defaults()
	cfg.BaseURL = hs.URL
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(liveTestWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	inst.Server = server.New(cfg, db, logger, clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)))
	handler := inst.Server.Handler()
	inst.extra.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "GET" && strings.Contains(r.URL.Path, "/live/") {
			inst.regionGets.Add(1)
		}
		handler.ServeHTTP(w, r)
	}))
	hs.Config.Handler = inst.extra
	inst.URL, inst.http = hs.URL, hs

	// The teammate, once per database.
	err = db.Tx(ctx, func(tx *store.Tx) error {
		a, err := tx.AdminByEmail(ctx, mateEmail)
		if errors.Is(err, store.ErrNotFound) {
			hash, herr := auth.HashPassword(matePassword)
			if herr != nil {
				return herr
			}
			a = store.Admin{Email: mateEmail, Name: "Mia Mate", Role: store.RoleAdmin, PasswordHash: hash, CreatedAt: time.Now()}
			err = tx.CreateAdmin(ctx, &a)
		}
		if err != nil {
			return err
		}
		inst.mate = a
		token, hash := auth.NewToken()
		inst.token = token
		return tx.CreateToken(ctx, &store.Token{AdminID: a.ID, Name: "live test", Hash: hash, CreatedAt: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

type liveTestWriter struct{ t testing.TB }

func (w liveTestWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// liveSignIn is an HTTP client signed in to inst as its teammate.
func liveSignIn(t *testing.T, inst *liveInstance) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, base: inst.URL, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	if r := c.post("/inbox/login", url.Values{"email": {mateEmail}, "password": {matePassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d %s", r.status, r.body)
	}
	return c
}

// api calls inst's API with its teammate's token and decodes the answer.
func (inst *liveInstance) api(t *testing.T, method, path string, body any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, inst.URL+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+inst.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// conversation starts a conversation from a new contact, through inst.
func (inst *liveInstance) conversation(t *testing.T, email string) int64 {
	t.Helper()
	contact := inst.api(t, "POST", "/api/contacts", map[string]any{"role": "user", "email": email})
	msg := inst.api(t, "POST", "/api/conversations", map[string]any{
		"from": map[string]any{"type": "user", "id": fmt.Sprint(contact["id"])}, "body": "Hello from " + email})
	id, err := strconv.ParseInt(fmt.Sprint(msg["conversation_id"]), 10, 64)
	if err != nil {
		t.Fatalf("POST /api/conversations: %v", msg)
	}
	return id
}

// reply has the teammate reply through inst's API.
func (inst *liveInstance) reply(t *testing.T, id int64, body string) {
	t.Helper()
	inst.api(t, "POST", "/api/conversations/"+strconv.FormatInt(id, 10)+"/reply", map[string]any{
		"message_type": "comment", "type": "admin", "admin_id": strconv.FormatInt(inst.mate.ID, 10), "body": body})
}

func TestIN5_AcrossTwoInstancesThroughListenNotify(t *testing.T) {
	dbURL := storetest.URL(t)
	if !strings.HasPrefix(dbURL, "postgres") {
		t.Skip("SQLite serves one instance; several instances share PostgreSQL, where changes travel by LISTEN/NOTIFY " +
			"(set " + storetest.EnvURL + " to run this)")
	}
	a := liveStartInstance(t, dbURL)
	b := liveStartInstance(t, dbURL)
	conv := a.conversation(t, "ann@example.com")

	events, _ := liveStream(t, liveSignIn(t, b), "/inbox/events") // open on instance B
	liveNext(t, events, 10*time.Second)
	replied := time.Now()
	a.reply(t, conv, "Changed through instance A") // changed through instance A
	liveNextChange(t, events, conv, 5*time.Second)
	took := time.Since(replied)
	t.Logf("a reply through instance A reached a page open on instance B in %s", took)
	if took > time.Second {
		t.Errorf("the change took %s, want within a second (IN5)", took)
	}

	// And back, and with a stream open on each.
	other, _ := liveStream(t, liveSignIn(t, a), "/inbox/events")
	liveNext(t, other, 10*time.Second)
	conv2 := b.conversation(t, "bob@example.com")
	liveNextChange(t, other, conv2, 5*time.Second)
	liveNextChange(t, events, conv2, 5*time.Second)
}

// --- In the browser ---------------------------------------------------------------------------

// liveTestPage is a small page of the test's own with what a thread page has for live updates:
// a region marked data-live-conversation, a list marked data-live-list, and a reply form. The
// Inbox's own scripts (htmx, live.js) run in it under the Inbox's Content-Security-Policy.
var liveTestPage = template.Must(template.New("page").Parse(`{{define "page"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Live test</title>
<meta name="htmx-config" content='{"includeIndicatorStyles":false}'>
{{range .Scripts}}<script src="{{.}}" defer></script>
{{end}}</head><body>
<header class="top">Live test</header>
<main id="main">
{{template "count" .}}
{{template "thread" .}}
<form method="post" action="/live-test/{{.ID}}/reply">
<label for="body">Reply</label><textarea id="body" name="body"></textarea>
<button id="send" type="submit">Send</button>
</form>
</main></body></html>{{end}}
{{define "thread"}}<section id="thread" data-live-conversation="{{.ID}}" hx-get="/live-test/{{.ID}}/thread" hx-trigger="live" hx-swap="outerHTML">
<ol>{{range .Parts}}<li>{{.}}</li>{{end}}</ol>
<label for="draft">Draft</label><input id="draft" name="draft"></section>{{end}}
{{define "count"}}<p id="count" data-live-list hx-get="/live-test/{{.ID}}/count" hx-trigger="live" hx-swap="outerHTML">Replies: {{len .Parts}}</p>{{end}}`))

type liveTestData struct {
	ID      int64
	Parts   []string
	Scripts []string
}

// serveTestPage adds the test page of conversation id to inst.
func (inst *liveInstance) serveTestPage(t *testing.T) {
	t.Helper()
	// The Inbox's scripts, by their hashed names, from its sign-in page.
	r, err := http.Get(inst.URL + "/inbox/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(r.Body)
	r.Body.Close()
	var scripts []string
	for _, m := range regexp.MustCompile(`src="(/inbox/static/(?:htmx\.min|live)\.[0-9a-f]+\.js)"`).FindAllStringSubmatch(string(page), -1) {
		scripts = append(scripts, m[1])
	}
	if len(scripts) != 2 {
		t.Fatalf("scripts of the sign-in page: %v", scripts)
	}
	data := func(r *http.Request) (liveTestData, error) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return liveTestData{}, err
		}
		parts, err := inst.DB.Read().Parts(r.Context(), id)
		d := liveTestData{ID: id, Scripts: scripts}
		for _, p := range parts {
			if p.Body != "" {
				d.Parts = append(d.Parts, p.Body)
			}
		}
		return d, err
	}
	serve := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			d, err := data(r)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'")
			if err := liveTestPage.ExecuteTemplate(w, name, d); err != nil {
				t.Errorf("test page: %v", err)
			}
		}
	}
	inst.extra.HandleFunc("GET /live-test/{id}", serve("page"))
	inst.extra.HandleFunc("GET /live-test/{id}/thread", serve("thread"))
	inst.extra.HandleFunc("GET /live-test/{id}/count", serve("count"))
	inst.extra.HandleFunc("POST /live-test/{id}/reply", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if _, err := inst.Server.Desk().AdminReply(r.Context(), id, inst.mate.ID, conversation.PartComment, r.PostFormValue("body")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/live-test/"+r.PathValue("id"), http.StatusSeeOther)
	})
}

// liveBrowser starts a browser of its own (its own cookies: another teammate's computer),
// signed in to inst. Scripts that throw and what the Content-Security-Policy blocks fail the
// test.
func liveBrowser(t *testing.T, inst *liveInstance) context.Context {
	t.Helper()
	ctx := browsertest.New(t)
	browsertest.FailOnPageErrors(t, ctx)
	err := chromedp.Run(ctx,
		chromedp.Navigate(inst.URL+"/inbox/login"),
		chromedp.WaitVisible("#email", chromedp.ByID),
		chromedp.SendKeys("#email", mateEmail, chromedp.ByID),
		chromedp.SendKeys("#password", matePassword, chromedp.ByID),
		chromedp.Submit("#password", chromedp.ByID),
		chromedp.WaitVisible("header.top", chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("browser sign-in: %v", err)
	}
	return ctx
}

// A reply made in one teammate's browser appears in another's, open on the same thread, with no
// reload: its thread region and its list are refreshed. On PostgreSQL the two browsers use two
// server instances.
func TestIN5_LiveUpdateBetweenTwoBrowsers(t *testing.T) {
	dbURL := storetest.URL(t)
	a := liveStartInstance(t, dbURL)
	b := a
	if strings.HasPrefix(dbURL, "postgres") {
		b = liveStartInstance(t, dbURL)
	}
	a.serveTestPage(t)
	if b != a {
		b.serveTestPage(t)
	}
	conv := a.conversation(t, "ann@example.com")
	page := "/live-test/" + strconv.FormatInt(conv, 10)

	mia := liveBrowser(t, a)
	max := liveBrowser(t, b)
	on := chromedp.WaitVisible(`html[data-live="on"] #thread`, chromedp.ByQuery)
	if err := chromedp.Run(mia, chromedp.Navigate(a.URL+page), on); err != nil {
		t.Fatalf("open the page in the first browser: %v", err)
	}
	if err := chromedp.Run(max, chromedp.Navigate(b.URL+page), on); err != nil {
		t.Fatalf("open the page in the second browser: %v", err)
	}

	reply := func(body string) {
		t.Helper()
		err := chromedp.Run(mia,
			chromedp.SendKeys("#body", body, chromedp.ByID),
			chromedp.Click("#send", chromedp.ByID),
			chromedp.WaitVisible(`//li[contains(., "`+body+`")]`, chromedp.BySearch),
		)
		if err != nil {
			t.Fatalf("reply: %v", err)
		}
	}
	reply("Live from Mia's browser")
	sent := time.Now()
	wctx, wcancel := context.WithTimeout(max, 15*time.Second)
	defer wcancel()
	err := chromedp.Run(wctx,
		chromedp.WaitVisible(`//section[@id="thread"]//li[contains(., "Live from Mia's browser")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//p[@id="count"][contains(., "Replies: 1")]`, chromedp.BySearch),
	)
	if err != nil {
		var html string
		_ = chromedp.Run(max, chromedp.OuterHTML("html", &html, chromedp.ByQuery))
		t.Fatalf("the reply did not appear in the other browser: %v\n%s", err, html)
	}
	t.Logf("the reply appeared in the other browser %s after the first one showed it", time.Since(sent))

	// A region is not refreshed under the teammate's fingers: while a field in it has the
	// focus, its refresh waits until the field is left. The list outside it is refreshed.
	var draft string
	err = chromedp.Run(max,
		chromedp.SendKeys("#draft", "half a thought", chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	reply("Second reply")
	err = chromedp.Run(max,
		chromedp.WaitVisible(`//p[@id="count"][contains(., "Replies: 2")]`, chromedp.BySearch),
		chromedp.Value("#draft", &draft, chromedp.ByID),
	)
	if err != nil {
		t.Fatalf("the list was not refreshed: %v", err)
	}
	var shown bool
	if err := chromedp.Run(max, chromedp.Evaluate(`document.getElementById('thread').textContent.includes('Second reply')`, &shown)); err != nil {
		t.Fatal(err)
	}
	if shown || draft != "half a thought" {
		t.Fatalf("the region was refreshed while its field was in use (shown %v, draft %q)", shown, draft)
	}
	err = chromedp.Run(max,
		chromedp.Blur("#draft", chromedp.ByID),
		chromedp.WaitVisible(`//section[@id="thread"]//li[contains(., "Second reply")]`, chromedp.BySearch),
	)
	if err != nil {
		t.Fatalf("the region was not refreshed once its field was left: %v", err)
	}
}

// A teammate's own action is not loaded twice: its answer shows it, and the page's regions are
// not refreshed when it comes back as a live update; nor is a page just loaded refreshed for
// what it shows already. A change by someone else refreshes each region once.
func TestIN5_OwnChangesAreNotLoadedAgain(t *testing.T) {
	inst := liveStartInstance(t, storetest.URL(t))
	mia := liveBrowser(t, inst)
	conv := inst.conversation(t, "ann@example.com") // just before the page loads
	page := inst.URL + "/inbox/conversations/" + strconv.FormatInt(conv, 10)
	var regions int
	err := chromedp.Run(mia,
		chromedp.Navigate(page),
		chromedp.WaitVisible(`html[data-live="on"] #thread-timeline`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('[data-live-conversation="`+strconv.FormatInt(conv, 10)+`"]').length`, &regions),
		chromedp.SendKeys("#thread-composer-body", "Mia's own reply", chromedp.ByID),
		chromedp.Click("#thread-composer [data-thread-default]", chromedp.ByQuery),
		chromedp.WaitVisible(`//section[@id="thread-timeline"]//*[contains(., "Mia's own reply")]`, chromedp.BySearch),
	)
	if err != nil {
		t.Fatal(err)
	}
	if regions == 0 {
		t.Fatal("the conversation page has no live region")
	}
	// Someone else's change, after Mia's on the stream: once the page shows it, whatever Mia's
	// own change would have caused has happened.
	inst.reply(t, conv, "A colleague's reply")
	err = chromedp.Run(mia, chromedp.WaitVisible(`//section[@id="thread-timeline"]//*[contains(., "A colleague's reply")]`, chromedp.BySearch))
	if err != nil {
		t.Fatal(err)
	}
	if got := inst.regionGets.Load(); got != int64(regions) {
		t.Errorf("%d region refreshes, want %d: one per region, for the colleague's reply only", got, regions)
	}
}
