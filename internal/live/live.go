// Package live tells the open Inbox pages of every server instance which conversations and
// tickets changed (SPEC IN5), within a second.
//
// Every write names the threads it changes to its transaction (store.Tx.Changed), which appends
// them to the change log when it commits. A Feed follows the log and fans what it reads out to
// its subscribers, one per open page (the Inbox's event stream). It reads when a commit in its
// own process tells it to (store.DB.WatchChanges), on PostgreSQL when any instance's commit
// NOTIFYs it (store.DB.ListenChanges, one connection per instance), and every PollEvery as a
// safety net. It runs only while someone listens.
//
// # Positions
//
// A page is told, with each batch, a position: a change id such that every change up to it has
// been told, or never will exist. The page sends it back when it reconnects (Last-Event-ID), and
// is told every change after it (Since): nothing is missed, at worst something is told twice.
//
// The position is not simply the highest id read. PostgreSQL takes ids from a sequence when a
// row is inserted, and transactions commit in any order: change 12 may be visible while change
// 11, taken earlier by a transaction still running, is not yet, and a reader that went on from
// "after 12" would never see 11. So the Feed keeps the ids it skipped as gaps, reads them again
// each time with what is new, and gives its position as the id before its lowest gap. A gap
// is given up after GapWait: its transaction rolled back (or took longer than that between
// writing its changes and committing; transactions write theirs just before committing, see
// store.Tx.Changed). SQLite has one writer at a time, so its ids are in commit order and its
// gaps are only those of rolled-back transactions.
package live

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/helpdesk/helpdesk/internal/store"
)

// Defaults of a Feed's settings.
const (
	DefaultPollEvery = 2 * time.Second
	DefaultGapWait   = time.Minute
	DefaultMaxIDs    = 200
	// Retention is how long the change log keeps changes (Prune): a page away for longer
	// reloads.
	Retention = time.Hour
)

// Batch is what changed: the conversations and tickets by id, or All when there were too many
// to list. Position is where the batch leaves its reader (see the package comment).
type Batch struct {
	Position int64
	IDs      []int64
	// Logs are, for each of IDs, the ids of its changes in the log, so that a page can tell
	// the changes its content already shows; nil when there were more than MaxLogs.
	Logs map[int64][]int64
	All  bool
}

// MaxLogs is how many change ids a batch keeps for one conversation.
const MaxLogs = 4

// Empty tells whether the batch names no change.
func (b Batch) Empty() bool { return len(b.IDs) == 0 && !b.All }

// changed is what a reader has read: each conversation with the ids of its changes (nil past
// MaxLogs).
type changed map[int64][]int64

func (c changed) add(conversation int64, logs ...int64) {
	prev, seen := c[conversation]
	if seen && prev == nil {
		return // many already
	}
	if len(prev)+len(logs) > MaxLogs || (len(logs) == 0) {
		c[conversation] = nil
		return
	}
	c[conversation] = append(prev, logs...)
}

// Feed follows the change log for its subscribers.
type Feed struct {
	db  *store.DB
	log *slog.Logger
	// Settings, to change before the first Subscribe.
	PollEvery time.Duration    // how often the log is read with no news (the safety net)
	GapWait   time.Duration    // how long a skipped id is waited for
	MaxIDs    int              // a batch with more ids says All instead
	Now       func() time.Time // the clock of the gaps

	mu   sync.Mutex
	subs map[*Sub]struct{}
	run  *runner // nil while nobody listens
}

// runner is one run of the reading loop, from the first subscriber to the last one leaving.
type runner struct {
	cancel context.CancelFunc
	done   chan struct{}
	ready  chan struct{} // closed once the position is known
	pos    int64         // guarded by Feed.mu
}

// New returns a Feed of db's change log.
func New(db *store.DB, log *slog.Logger) *Feed {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Feed{db: db, log: log, PollEvery: DefaultPollEvery, GapWait: DefaultGapWait, MaxIDs: DefaultMaxIDs,
		Now: time.Now, subs: map[*Sub]struct{}{}}
}

// Subscribe starts telling a new subscriber of changes, and returns the position from which it
// is told: every change after it reaches the subscriber, by Take or by a catch-up the caller
// reads with Since. The first subscriber starts the reading; Subscribe waits for it to know
// where the log is, or for ctx to end.
func (f *Feed) Subscribe(ctx context.Context) (*Sub, int64, error) {
	s := &Sub{f: f, news: make(chan struct{}, 1), ids: changed{}}
	f.mu.Lock()
	f.subs[s] = struct{}{}
	if f.run == nil {
		rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f.run = &runner{cancel: cancel, done: make(chan struct{}), ready: make(chan struct{})}
		go f.loop(rctx, f.run)
	}
	r := f.run
	f.mu.Unlock()
	select {
	case <-r.ready:
	case <-ctx.Done():
		s.Close()
		return nil, 0, ctx.Err()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return s, r.pos, nil
}

// ErrTooOld says that the log no longer holds the changes after a position (they were pruned,
// or the position is not this database's): the page must reload to be up to date.
var ErrTooOld = errors.New("live: the change log does not go back that far")

// catchUpRows bounds the rows a catch-up reads: past it, the batch says All.
const catchUpRows = 2000

// Since reads from the log what changed after position after, for a page reconnecting.
func (f *Feed) Since(ctx context.Context, after int64) (Batch, error) {
	q := f.db.Read()
	oldest, newest, err := q.ChangeBounds(ctx)
	if err != nil {
		return Batch{}, err
	}
	// The newest change is never pruned: an empty log has never had any.
	if after > newest || (oldest > 0 && after < oldest-1) {
		return Batch{}, ErrTooOld
	}
	changes, err := q.ChangesAfter(ctx, after, nil, catchUpRows)
	if err != nil {
		return Batch{}, err
	}
	return f.batch(changes, len(changes) == catchUpRows), nil
}

// Recent reads from the log what changed within the last d, for a page that has just loaded:
// what changed between the moment its server read the database and the moment it subscribed.
func (f *Feed) Recent(ctx context.Context, d time.Duration) (Batch, error) {
	changes, err := f.db.Read().RecentChanges(ctx, d, catchUpRows)
	if err != nil {
		return Batch{}, err
	}
	return f.batch(changes, len(changes) == catchUpRows), nil
}

func (f *Feed) batch(changes []store.Change, all bool) Batch {
	ch := changed{}
	for _, c := range changes {
		ch.add(c.ConversationID, c.ID)
	}
	return makeBatch(0, ch, all || len(ch) > f.MaxIDs)
}

func makeBatch(pos int64, ch changed, all bool) Batch {
	if _, everything := ch[0]; everything { // store.Tx.ChangedEverything
		all = true
	}
	b := Batch{Position: pos, All: all}
	if all {
		return b
	}
	b.Logs = make(map[int64][]int64, len(ch))
	for id, logs := range ch {
		b.IDs = append(b.IDs, id)
		b.Logs[id] = slices.Clone(logs)
	}
	slices.Sort(b.IDs)
	return b
}

// Prune deletes the changes older than Retention, every period, until ctx ends.
func (f *Feed) Prune(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		if _, err := f.db.PruneChanges(ctx, Retention); err != nil && ctx.Err() == nil {
			f.log.Warn("live: pruning the change log", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sub is one subscriber: what the Feed read since its last Take, merged.
type Sub struct {
	f    *Feed
	news chan struct{} // one pending value when there is news
	mu   sync.Mutex
	pos  int64
	ids  changed
	all  bool
}

// News receives a value when there is something to Take.
func (s *Sub) News() <-chan struct{} { return s.news }

// Take returns what changed since the last Take, ids in order.
func (s *Sub) Take() Batch {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := makeBatch(s.pos, s.ids, s.all)
	clear(s.ids)
	s.all = false
	return b
}

func (s *Sub) add(pos int64, ch changed, all bool) {
	s.mu.Lock()
	s.pos = max(s.pos, pos)
	if !s.all {
		for id, logs := range ch {
			s.ids.add(id, logs...)
		}
		if all || len(s.ids) > s.f.MaxIDs {
			s.all = true
			clear(s.ids)
		}
	}
	s.mu.Unlock()
	select {
	case s.news <- struct{}{}:
	default:
	}
}

// Close stops the subscription. The last subscriber to leave stops the reading, and waits for
// it to have stopped.
func (s *Sub) Close() {
	f := s.f
	f.mu.Lock()
	if _, ok := f.subs[s]; !ok {
		f.mu.Unlock()
		return
	}
	delete(f.subs, s)
	var r *runner
	if len(f.subs) == 0 {
		r, f.run = f.run, nil
	}
	f.mu.Unlock()
	if r != nil {
		r.cancel()
		<-r.done
	}
}

// deliver tells every subscriber what r read, unless r has been stopped meanwhile.
func (f *Feed) deliver(r *runner, pos int64, ids changed, all bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.pos = pos
	if f.run != r || (len(ids) == 0 && !all) {
		return
	}
	for s := range f.subs {
		s.add(pos, ids, all)
	}
}

// loop reads the log whenever it may hold news, until ctx ends.
func (f *Feed) loop(ctx context.Context, r *runner) {
	defer close(r.done)
	wake := make(chan struct{}, 1)
	poke := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	commits, unwatch := f.db.WatchChanges()
	defer unwatch()
	var wg sync.WaitGroup
	defer wg.Wait()
	if f.db.Dialect() == store.Postgres {
		wg.Go(func() { f.listen(ctx, poke) })
	}
	tick := time.NewTicker(f.PollEvery)
	defer tick.Stop()

	rd := reader{db: f.db, gapWait: f.GapWait, maxIDs: f.MaxIDs, log: f.log}
	for {
		err := rd.start(ctx, f.Now())
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return
		}
		f.log.Warn("live: reading the change log", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
	f.mu.Lock()
	r.pos = rd.position()
	f.mu.Unlock()
	close(r.ready)

	for {
		select {
		case <-ctx.Done():
			return
		case <-commits:
		case <-wake:
		case <-tick.C:
		}
		ids, all, err := rd.read(ctx, f.Now())
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			f.log.Warn("live: reading the change log", "err", err) // the next wake tries again
		}
		f.deliver(r, rd.position(), ids, all)
	}
}

// listen wakes the loop for every NOTIFY of the change log, and once each time it starts
// listening (what was committed while it was not is read then), until ctx ends. A failed
// connection is opened again, after a pause growing up to 30 seconds; meanwhile the poll goes on.
func (f *Feed) listen(ctx context.Context, wake func()) {
	pause := time.Second
	for {
		err := f.db.ListenChanges(ctx, func() { pause = time.Second; wake() }, wake)
		if ctx.Err() != nil {
			return
		}
		f.log.Warn("live: listening to the change log", "err", err, "again_in", pause)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 30*time.Second)
	}
}
