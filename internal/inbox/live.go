package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/helpdesk/helpdesk/internal/live"
	"github.com/helpdesk/helpdesk/internal/sse"
	"github.com/helpdesk/helpdesk/internal/store"
)

// Live updates (SPEC IN5). Every open Inbox page holds one server-sent event stream,
// GET /inbox/events, which tells it which conversations and tickets changed, whoever changed
// them and through whichever server instance (package live follows the change log). Its script,
// static/live.js, then has htmx refresh the regions that show them:
//
//   - an element with data-live-conversation="ID" (a thread, a sidebar) when ID changed;
//   - every element with data-live-list (a list, counts) when anything changed, a little later
//     (several changes make one refresh);
//
// each with hx-get, the URL of its fresh self, and hx-trigger="live".
//
// The stream's events:
//
//	id: 1234                          the position: sent back as Last-Event-ID on reconnecting
//	event: change                     what changed: {"ids":[12,15],"logs":{"12":[1233],"15":[1234]}}
//	                                  (with the ids of the changes in the log), or {"all":true}
//	event: ready                      nothing to tell yet (the first event, to give the position)
//	event: reload                     the page was away too long: it must load again
//	event: expired                    the teammate's session has ended; the stream closes
//
// A page that has just loaded gives the position its content was read at (?after=, which
// every answer carries: LiveMarks), and is told everything after it; a page that reconnects
// gives the position it had (Last-Event-ID, or ?last= when the script opens a new stream
// itself). Where the browser does not give the page's position, the page gives its age (?age=,
// in milliseconds) and is told what changed since its server read the database (a margin is
// added: a few refreshes too many, never one too few).

// Live settings.
const (
	liveHeartbeat = 15 * time.Second // a comment, so that proxies keep the stream; the session is checked then
	liveStreamFor = 10 * time.Minute // then the stream ends and the browser reconnects (to any instance)
	liveRetry     = 2 * time.Second  // how soon a browser reconnects
	// liveAgeMargin is added to a new page's age: a transaction writes its changes a little
	// before it commits (a broadcast to 100,000 conversations, half a second before).
	liveAgeMargin = time.Second
	// liveMaxAge is the oldest a new page may be: older, it is told that everything changed.
	liveMaxAge = time.Minute
)

// hub tells open Inbox pages of changes (IN5): the change feed, made on first use, and the
// shutdown signals of the streams.
type hub struct {
	once      sync.Once
	feed      *live.Feed
	shutdowns sse.Shutdowns
}

func newHub() *hub { return &hub{} }

// LiveFeed is the change feed of the Inbox's open pages (package live). The server prunes its
// log in the background (Feed.Prune).
func (in *Inbox) LiveFeed() *live.Feed {
	in.live.once.Do(func() { in.live.feed = live.New(in.db, in.log) })
	return in.live.feed
}

// liveRoutes adds the routes of live.go.
func (in *Inbox) liveRoutes(add route) {
	add("GET /inbox/events", in.liveEvents)
}

// liveChange is the data of a change event: the conversations and tickets that changed, with
// the ids of their changes in the log (null: many), or all.
type liveChange struct {
	IDs  []int64           `json:"ids,omitempty"`
	Logs map[int64][]int64 `json:"logs,omitempty"`
	All  bool              `json:"all,omitempty"`
}

// liveEvents is the event stream of an open page. It ends when the page goes, the session
// ends, the server shuts down, or after liveStreamFor.
func (in *Inbox) liveEvents(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	feed := in.LiveFeed()
	subCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	sub, pos, err := feed.Subscribe(subCtx)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil // the page went
		}
		return err
	}
	defer sub.Close()
	first, last, err := in.liveCatchUp(ctx, feed, r)
	reload := errors.Is(err, live.ErrTooOld)
	if err != nil && !reload {
		return err
	}
	pos = max(pos, last)

	stop := in.live.shutdowns.Signal(r)
	securityHeaders(w)
	send := sse.Start(w).Send
	change := func(pos int64, b live.Batch) bool {
		data, _ := json.Marshal(liveChange{IDs: b.IDs, Logs: b.Logs, All: b.All})
		return send("id: %d\nevent: change\ndata: %s\n\n", pos, data)
	}
	if !send("retry: %d\n\n", liveRetry.Milliseconds()) {
		return nil
	}
	switch {
	case reload:
		send("event: reload\ndata: {}\n\n")
		return nil
	case first.Empty():
		if !send("id: %d\nevent: ready\ndata: {}\n\n", pos) {
			return nil
		}
	default:
		if !change(pos, first) {
			return nil
		}
	}

	beat := time.NewTicker(liveHeartbeat)
	defer beat.Stop()
	end := time.NewTimer(liveStreamFor)
	defer end.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-stop:
			return nil
		case <-end.C:
			return nil
		case <-beat.C:
			if _, err := in.sessionAdmin(r); errors.Is(err, store.ErrNotFound) {
				send("event: expired\ndata: {}\n\n")
				return nil
			}
			if !send(": ping\n\n") {
				return nil
			}
		case <-sub.News():
			b := sub.Take()
			pos = max(pos, b.Position)
			if !b.Empty() && !change(pos, b) {
				return nil
			}
		}
	}
}

// liveCatchUp reads what the page has not been told: after the position it gives back when it
// reconnects, or after the position its content was read at (?after=, see liveMarks), or,
// failing that, since it loaded. It returns that position, 0 for a new page.
func (in *Inbox) liveCatchUp(ctx context.Context, feed *live.Feed, r *http.Request) (live.Batch, int64, error) {
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("last")
	}
	if last == "" {
		last = r.URL.Query().Get("after")
	}
	if pos, err := strconv.ParseInt(last, 10, 64); err == nil && pos >= 0 {
		b, err := feed.Since(ctx, pos)
		return b, pos, err
	}
	ms, err := strconv.ParseInt(r.URL.Query().Get("age"), 10, 64)
	if err != nil || ms < 0 {
		return live.Batch{}, 0, nil // no age: nothing to catch up on that we know of
	}
	age := time.Duration(ms) * time.Millisecond
	if age > liveMaxAge {
		return live.Batch{All: true}, 0, nil
	}
	b, err := feed.Recent(ctx, age+liveAgeMargin)
	return b, 0, err
}

// LiveMarks tells every page and fragment of the Inbox (h) where the change log was when its
// content was read, so that its live updates start from there (IN5):
//
//   - Server-Timing: live;desc="1234" on every answer: the position, read before the answer's
//     content. A page reads it from its navigation timing and opens its event stream with
//     ?after=1234: it is told exactly what changed since (no time window, no guess);
//   - X-Live-Position: the same, for htmx's requests: a region refreshed, or the main content
//     swapped, shows every change up to it;
//   - X-Live-Own: on the answer to an action (any method but GET and HEAD), the ids in the log of
//     the changes the action made, which its answer shows: the page does not load again what it
//     has just drawn when those changes come back as live updates.
//
// The event stream and the static files go without.
func (in *Inbox) LiveMarks(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/inbox/events" || strings.HasPrefix(r.URL.Path, "/inbox/static/") {
			h.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(cookieName); err != nil || c.Value == "" {
			h.ServeHTTP(w, r) // nobody signed in: no live updates
			return
		}
		pos, err := in.db.Read().ChangePosition(r.Context())
		if err != nil {
			in.log.Warn("inbox: live position", "err", err)
			h.ServeHTTP(w, r)
			return
		}
		p := strconv.FormatInt(pos, 10)
		w.Header().Set("Server-Timing", `live;desc="`+p+`"`)
		w.Header().Set("X-Live-Position", p)
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			h.ServeHTTP(w, r)
			return
		}
		ctx, rec := store.RecordChanges(r.Context())
		h.ServeHTTP(&liveOwnWriter{ResponseWriter: w, rec: rec}, r.WithContext(ctx))
	})
}

// liveOwnWriter adds X-Live-Own to an answer as it starts: by then the action has committed.
type liveOwnWriter struct {
	http.ResponseWriter
	rec   *store.ChangeRecorder
	wrote bool
}

func (w *liveOwnWriter) WriteHeader(status int) {
	if !w.wrote {
		w.wrote = true
		if ids := w.rec.IDs(); len(ids) > 0 {
			own := make([]string, len(ids))
			for i, id := range ids {
				own[i] = strconv.FormatInt(id, 10)
			}
			w.Header().Set("X-Live-Own", strings.Join(own, ","))
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *liveOwnWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *liveOwnWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
