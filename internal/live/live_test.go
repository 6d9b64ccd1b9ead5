package live_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/live"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/store/storetest"
)

// open opens a fresh, migrated database and returns it with its URL, for a second handle or a
// raw connection.
func open(t *testing.T) (*store.DB, string) {
	t.Helper()
	url := storetest.URL(t)
	return openURL(t, url), url
}

func openURL(t *testing.T, url string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// raw is a plain connection to the same database, to write what the store never writes: a
// change with the id of our choosing, as a transaction that took its id early and commits late
// would.
func raw(t *testing.T, url string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if path, ok := strings.CutPrefix(url, "sqlite:"); ok {
		db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	} else {
		db, err = sql.Open("pgx", url)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// change commits a transaction that changes ids.
func change(t *testing.T, db *store.DB, ids ...int64) {
	t.Helper()
	if err := db.Tx(context.Background(), func(tx *store.Tx) error { tx.Changed(ids...); return nil }); err != nil {
		t.Fatal(err)
	}
}

// subscribe subscribes to f and closes the subscription when the test ends.
func subscribe(t *testing.T, f *live.Feed) (*live.Sub, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, pos, err := f.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, pos
}

// next waits up to within for a batch naming a change.
func next(t *testing.T, s *live.Sub, within time.Duration) live.Batch {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case <-s.News():
			if b := s.Take(); !b.Empty() {
				return b
			}
		case <-timeout:
			t.Fatalf("no change told within %s", within)
		}
	}
}

// none checks that nothing is told for a while.
func none(t *testing.T, s *live.Sub, d time.Duration) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case <-s.News():
			if b := s.Take(); !b.Empty() {
				t.Fatalf("told %+v, want nothing", b)
			}
		case <-timeout:
			return
		}
	}
}

func TestIN5_CommittedChangeIsToldAtOnceAndOnlyOnce(t *testing.T) {
	db, _ := open(t)
	f := live.New(db, nil)
	f.PollEvery = time.Hour // the commit itself wakes the feed
	s, pos := subscribe(t, f)
	if pos != 0 {
		t.Fatalf("position %d in an empty log, want 0", pos)
	}
	change(t, db, 7, 3, 7)
	b := next(t, s, 5*time.Second)
	if !slices.Equal(b.IDs, []int64{3, 7}) || b.All || b.Position == 0 {
		t.Fatalf("told %+v, want ids 3 and 7 and a position", b)
	}
	none(t, s, 100*time.Millisecond)

	// A rolled-back change is told to nobody.
	err := db.Tx(context.Background(), func(tx *store.Tx) error { tx.Changed(9); return errors.New("no") })
	if err == nil {
		t.Fatal("the transaction committed")
	}
	change(t, db, 11)
	if b2 := next(t, s, 5*time.Second); !slices.Equal(b2.IDs, []int64{11}) || b2.Position <= b.Position {
		t.Fatalf("told %+v after %+v, want 11 alone, further on", b2, b)
	}
}

func TestIN5_EverySubscriberIsTold(t *testing.T) {
	db, _ := open(t)
	f := live.New(db, nil)
	a, _ := subscribe(t, f)
	b, _ := subscribe(t, f)
	change(t, db, 5)
	for _, s := range []*live.Sub{a, b} {
		if got := next(t, s, 5*time.Second); !slices.Equal(got.IDs, []int64{5}) {
			t.Fatalf("told %+v, want 5", got)
		}
	}
	// The last one to leave stops the reading; a new subscriber starts it again where the log is.
	a.Close()
	b.Close()
	change(t, db, 6)
	c, pos := subscribe(t, f)
	change(t, db, 8)
	if got := next(t, c, 5*time.Second); !slices.Equal(got.IDs, []int64{8}) || got.Position <= pos {
		t.Fatalf("told %+v from %d, want 8 alone", got, pos)
	}
}

func TestIN5_ManyChangesAreToldAsAll(t *testing.T) {
	db, _ := open(t)
	f := live.New(db, nil)
	f.MaxIDs = 10
	s, _ := subscribe(t, f)
	ids := make([]int64, 50)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	change(t, db, ids...)
	if b := next(t, s, 5*time.Second); !b.All || b.IDs != nil {
		t.Fatalf("told %+v, want all", b)
	}
}

// A change of everything (store.Tx.ChangedEverything: a team or a ticket type renamed) is told
// as all, to subscribers and to a page catching up.
func TestIN5_AChangeOfEverythingIsToldAsAll(t *testing.T) {
	db, _ := open(t)
	f := live.New(db, nil)
	s, pos := subscribe(t, f)
	change(t, db, 7)
	if b := next(t, s, 5*time.Second); b.All || len(b.IDs) != 1 {
		t.Fatalf("one conversation: told %+v", b)
	}
	change(t, db, 0)
	if b := next(t, s, 5*time.Second); !b.All {
		t.Fatalf("told %+v, want all", b)
	}
	b, err := f.Since(context.Background(), pos)
	if err != nil || !b.All {
		t.Fatalf("catching up: %+v %v, want all", b, err)
	}
}

// On PostgreSQL a change may commit after one with a higher id has been read (ids come from a
// sequence, in the order rows are inserted, not committed). The feed waits for the ids it
// skipped, and its position stays below them until they come or are given up.
func TestIN5_ChangeCommittedLateWithALowerIDIsNotMissed(t *testing.T) {
	db, url := open(t)
	r := raw(t, url)
	now := time.Now()
	var mu sync.Mutex
	f := live.New(db, nil)
	f.PollEvery = 20 * time.Millisecond // the raw inserts wake nobody
	f.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, _ := subscribe(t, f)
	change(t, db, 1)
	first := next(t, s, 5*time.Second)

	insert := func(id, conversation int64) {
		t.Helper()
		if _, err := r.Exec(`INSERT INTO changes (id, conversation_id) VALUES ($1, $2)`, id, conversation); err != nil {
			t.Fatal(err)
		}
	}
	p := first.Position
	insert(p+3, 30) // p+1 and p+2 are still running
	b := next(t, s, 5*time.Second)
	if !slices.Equal(b.IDs, []int64{30}) || b.Position != p {
		t.Fatalf("told %+v, want 30 at position %d (below the ids not seen)", b, p)
	}
	insert(p+2, 20)
	b = next(t, s, 5*time.Second)
	if !slices.Equal(b.IDs, []int64{20}) || b.Position != p {
		t.Fatalf("told %+v, want 20 at position %d", b, p)
	}
	insert(p+1, 10)
	b = next(t, s, 5*time.Second)
	if !slices.Equal(b.IDs, []int64{10}) || b.Position != p+3 {
		t.Fatalf("told %+v, want 10 at position %d (no gap left)", b, p+3)
	}

	// A gap whose transaction rolled back is given up after GapWait.
	insert(p+5, 50)
	if b = next(t, s, 5*time.Second); b.Position != p+3 {
		t.Fatalf("told %+v, want position %d", b, p+3)
	}
	mu.Lock()
	now = now.Add(f.GapWait + time.Second)
	mu.Unlock()
	insert(p+6, 60)
	if b = next(t, s, 5*time.Second); !slices.Equal(b.IDs, []int64{60}) || b.Position != p+6 {
		t.Fatalf("told %+v, want 60 at %d, past the given-up gap %d", b, p+6, p+4)
	}
}

// A feed that starts while a transaction is between taking an id and committing still tells
// its change.
func TestIN5_FeedStartingBesideALateChangeWaitsForIt(t *testing.T) {
	db, url := open(t)
	r := raw(t, url)
	change(t, db, 1)
	change(t, db, 2)
	change(t, db, 3)
	oldest, newest, err := db.Read().ChangeBounds(context.Background())
	if err != nil || newest != oldest+2 {
		t.Fatalf("bounds %d, %d, %v", oldest, newest, err)
	}
	if _, err := r.Exec(`DELETE FROM changes WHERE id = $1`, oldest+1); err != nil { // still running
		t.Fatal(err)
	}
	f := live.New(db, nil)
	f.PollEvery = 20 * time.Millisecond
	s, pos := subscribe(t, f)
	if pos != oldest {
		t.Fatalf("position %d, want %d (below the id not seen)", pos, oldest)
	}
	if _, err := r.Exec(`INSERT INTO changes (id, conversation_id) VALUES ($1, 2)`, oldest+1); err != nil {
		t.Fatal(err)
	}
	if b := next(t, s, 5*time.Second); !slices.Equal(b.IDs, []int64{2}) || b.Position != newest {
		t.Fatalf("told %+v, want 2 at %d", b, newest)
	}
}

func TestIN5_SinceCatchesUpUntilTheLogIsPruned(t *testing.T) {
	db, url := open(t)
	f := live.New(db, nil)
	ctx := context.Background()
	if b, err := f.Since(ctx, 0); err != nil || !b.Empty() {
		t.Fatalf("since 0 in an empty log: %+v, %v", b, err)
	}
	if _, err := f.Since(ctx, 5); !errors.Is(err, live.ErrTooOld) {
		t.Fatalf("since a position past the log: %v, want ErrTooOld", err)
	}
	change(t, db, 1)
	_, p, _ := db.Read().ChangeBounds(ctx)
	change(t, db, 2, 3)
	change(t, db, 3)
	b, err := f.Since(ctx, p)
	if err != nil || !slices.Equal(b.IDs, []int64{2, 3}) {
		t.Fatalf("since %d: %+v, %v; want 2 and 3", p, b, err)
	}
	// Recent: what the last seconds changed.
	if b, err := f.Recent(ctx, 5*time.Second); err != nil || !slices.Equal(b.IDs, []int64{1, 2, 3}) {
		t.Fatalf("recent: %+v, %v", b, err)
	}

	// Pruning keeps the newest change; a page that saw only older ones must reload.
	if _, err := raw(t, url).Exec(`UPDATE changes SET at = at - 7200000`); err != nil {
		t.Fatal(err)
	}
	n, err := db.PruneChanges(ctx, live.Retention)
	if err != nil || n != 3 {
		t.Fatalf("pruned %d, %v; want 3 of 4", n, err)
	}
	if _, err := f.Since(ctx, p); !errors.Is(err, live.ErrTooOld) {
		t.Fatalf("since a pruned position: %v, want ErrTooOld", err)
	}
	_, newest, _ := db.Read().ChangeBounds(ctx)
	if b, err := f.Since(ctx, newest); err != nil || !b.Empty() {
		t.Fatalf("since the newest: %+v, %v", b, err)
	}
	if b, err := f.Since(ctx, newest-1); err != nil || !slices.Equal(b.IDs, []int64{3}) {
		t.Fatalf("since the one before the newest: %+v, %v", b, err)
	}
}

// Two instances share one PostgreSQL database: a change committed through one wakes the feed
// of the other through LISTEN/NOTIFY, without waiting for its poll.
func TestIN5_ListenNotifyWakesAnotherInstance(t *testing.T) {
	a, url := open(t)
	if a.Dialect() != store.Postgres {
		t.Skip("SQLite serves one instance: LISTEN/NOTIFY is PostgreSQL's (set " + storetest.EnvURL + " to run this)")
	}
	b := openURL(t, url)
	f := live.New(b, nil)
	f.PollEvery = time.Hour
	s, _ := subscribe(t, f)
	// The feed tells its subscribers once it has started listening; a change made before
	// that is read at that point, so none is missed whatever the timing.
	change(t, a, 42)
	if got := next(t, s, 5*time.Second); !slices.Equal(got.IDs, []int64{42}) {
		t.Fatalf("told %+v, want 42", got)
	}
	start := time.Now()
	change(t, a, 43)
	if got := next(t, s, 5*time.Second); !slices.Equal(got.IDs, []int64{43}) {
		t.Fatalf("told %+v, want 43", got)
	}
	t.Logf("a change through instance A reached instance B's feed in %s", time.Since(start))
}
