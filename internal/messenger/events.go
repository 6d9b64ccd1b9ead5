package messenger

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/helpdesk/helpdesk/internal/sse"
	"github.com/helpdesk/helpdesk/internal/store"
)

// liveState is what an event stream tells the page: the badge (M3) and the newest visible
// part of the contact's threads, which the page compares with its own to know whether it has
// news to show.
type liveState struct {
	Badge int   `json:"badge"`
	Last  int64 `json:"last"`
}

func (m *Messenger) liveState(ctx context.Context, contactID int64) (liveState, error) {
	q := m.db.Read()
	n, err := q.UnseenThreads(ctx, contactID)
	if err != nil {
		return liveState{}, err
	}
	last, err := q.NewestVisiblePart(ctx, contactID)
	if err != nil {
		return liveState{}, err
	}
	return liveState{Badge: n, Last: last}, nil
}

// events streams the contact's live state as server-sent events: an "update" when it
// changes (and once at the start), a comment as a heartbeat, and "expired" when the session
// ends, after which the stream closes. It polls the store, so that a change made through
// another server instance is seen as well. The stream also closes when the client goes, when
// the server shuts down, and after StreamFor (the browser reconnects by itself).
func (m *Messenger) events(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tok := r.PathValue("tok")
	stop := m.shutdowns.Signal(r)
	securityHeaders(w, "")
	send := sse.Start(w).Send
	if !send("retry: 3000\n\n") {
		return
	}

	poll := time.NewTicker(m.pollEvery)
	defer poll.Stop()
	beat := time.NewTicker(m.heartbeat)
	defer beat.Stop()
	end := time.NewTimer(m.streamFor)
	defer end.Stop()

	var last liveState
	first := true
	for {
		contactID, err := m.desk.CustomerSession(ctx, tok)
		if errors.Is(err, store.ErrNotFound) {
			send("event: expired\ndata: {}\n\n")
			return
		}
		if err == nil {
			var st liveState
			st, err = m.liveState(ctx, contactID)
			if err == nil && (first || st != last) {
				data, _ := json.Marshal(st)
				if !send("event: update\ndata: %s\n\n", data) {
					return
				}
				last, first = st, false
			}
		}
		if err != nil && ctx.Err() == nil {
			m.log.Warn("messenger: live state", "err", err) // the next poll tries again
		}
		select {
		case <-ctx.Done():
			return
		case <-stop:
			return
		case <-end.C:
			return
		case <-beat.C:
			if !send(": ping\n\n") {
				return
			}
		case <-poll.C:
		}
	}
}
