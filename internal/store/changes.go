package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The change log (SPEC IN5): every write to a conversation or a ticket records, in its own
// transaction, which ones changed, so that package live can tell the open Inbox pages of every
// server instance, and a page that reconnects can learn what it missed. A rolled-back change is
// told to nobody; a committed one is in the log.
//
// The ids a transaction names with Changed are written when it is about to commit, in one
// statement (DB.Tx calls recordChanges), so that a change row's id is taken as late as it can
// be: on PostgreSQL ids come from a sequence and are not in commit order, and the shorter the
// time between taking an id and committing, the sooner a reader can be sure of what it has
// not seen yet (package live explains how it copes). After the commit, the watchers in this
// process are told at once (WatchChanges); on PostgreSQL the transaction also NOTIFYs the
// other instances (ListenChanges).

// changesChannel is the PostgreSQL notification channel, followed by the schema's name: two
// Helpdesks in two schemas of one database do not wake each other.
const changesChannel = "helpdesk_changes."

// changeSet is what a transaction changed, written at commit.
type changeSet struct {
	ids     []int64 // the threads named by Changed
	bulk    bool    // ChangedLinks wrote rows already: notify even with no ids
	written []int64 // the change log's ids of ids, once written
}

// Changed records that conversations or tickets ids change in this transaction (IN5). It costs
// nothing until the commit, where all of them are written in one statement.
func (tx *Tx) Changed(ids ...int64) {
	tx.changes.ids = append(tx.changes.ids, ids...)
}

// ChangedLinks records that every conversation and ticket linked with ticket id, either way,
// changes in this transaction: the linked conversations of a tracker's broadcast (TR4), the
// linked ones of a ticket about to be deleted. It is one INSERT … SELECT however many links
// there are (TR5), run at once: call it before the links go.
func (tx *Tx) ChangedLinks(ctx context.Context, id int64) error {
	return tx.changedBulk(ctx, `INSERT INTO changes (conversation_id)
		SELECT conversation_id FROM ticket_links WHERE ticket_id = $1
		UNION ALL SELECT ticket_id FROM ticket_links WHERE conversation_id = $1`, id)
}

// ChangedEverything records that what every open Inbox page may show changed in this
// transaction: a name shown everywhere (a team's, a ticket type's). It is logged as the change
// of conversation 0, which package live tells pages as "all".
func (tx *Tx) ChangedEverything() { tx.Changed(0) }

// ChangedContact records that every conversation and ticket a contact takes part in changes in
// this transaction: their name or email, or their companies (CO2's choices), changed. One
// INSERT … SELECT, run at once.
func (tx *Tx) ChangedContact(ctx context.Context, contactID int64) error {
	return tx.changedBulk(ctx, `INSERT INTO changes (conversation_id)
		SELECT conversation_id FROM conversation_contacts WHERE contact_id = $1`, contactID)
}

// ChangedCompany records that every ticket of a company, and every conversation and ticket of
// its contacts, changes in this transaction: the company's name, shown beside them, changed.
func (tx *Tx) ChangedCompany(ctx context.Context, companyID int64) error {
	return tx.changedBulk(ctx, `INSERT INTO changes (conversation_id)
		SELECT id FROM tickets WHERE company_id = $1
		UNION SELECT cc.conversation_id FROM contact_companies k
			JOIN conversation_contacts cc ON cc.contact_id = k.contact_id WHERE k.company_id = $1`, companyID)
}

func (tx *Tx) changedBulk(ctx context.Context, query string, args ...any) error {
	if _, err := tx.exec(ctx, query, args...); err != nil {
		return fmt.Errorf("store: record changes: %w", err)
	}
	tx.changes.bulk = true
	return nil
}

// recordChanges writes the ids Changed collected, once each, and on PostgreSQL notifies the
// other instances, which hear of it when the transaction commits (and not if it rolls back).
func (tx *Tx) recordChanges(ctx context.Context) error {
	if len(tx.changes.ids) == 0 && !tx.changes.bulk {
		return nil
	}
	ids := slices.Compact(slices.Sorted(slices.Values(tx.changes.ids)))
	var err error
	switch {
	case tx.dialect == Postgres && len(ids) > 0:
		tx.changes.written, err = tx.int64s(ctx, `WITH c AS (INSERT INTO changes (conversation_id) SELECT unnest($1::BIGINT[]) RETURNING id),
			n AS (SELECT pg_notify($2 || current_schema(), ''))
			SELECT c.id FROM c, n`, ids, changesChannel)
	case tx.dialect == Postgres:
		_, err = tx.exec(ctx, `SELECT pg_notify($1 || current_schema(), '')`, changesChannel)
	case len(ids) > 0:
		tx.changes.written, err = tx.int64s(ctx, `INSERT INTO changes (conversation_id) SELECT value FROM json_each($1) RETURNING id`, jsonInts(ids))
	}
	if err != nil {
		return fmt.Errorf("store: record changes: %w", err)
	}
	return nil
}

// committed tells, after the commit of a transaction that recorded changes, the watchers in
// this process and the ChangeRecorder of ctx, if any.
func (db *DB) committed(ctx context.Context, c changeSet) {
	db.watchers.tell(c)
	if r, ok := ctx.Value(recorderKey{}).(*ChangeRecorder); ok && len(c.written) > 0 {
		r.mu.Lock()
		r.ids = append(r.ids, c.written...)
		r.mu.Unlock()
	}
}

type recorderKey struct{}

// ChangeRecorder collects the change log's ids written by the transactions of one request: the
// Inbox tells the page which changes the answer to its action already shows, so that the page
// does not load them again when they come back as live updates. (A broadcast's changes to the
// linked conversations, written in bulk, are not collected.)
type ChangeRecorder struct {
	mu  sync.Mutex
	ids []int64
}

// RecordChanges returns a context whose transactions tell the returned recorder the change
// log's ids they write.
func RecordChanges(ctx context.Context) (context.Context, *ChangeRecorder) {
	r := &ChangeRecorder{}
	return context.WithValue(ctx, recorderKey{}, r), r
}

// IDs returns the change log's ids written so far, in order.
func (r *ChangeRecorder) IDs() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(slices.Values(r.ids))
}

// jsonInts is ids as a JSON array, for SQLite's json_each.
func jsonInts(ids []int64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(']')
	return b.String()
}

// watchers are the channels told of this process's committed changes.
type watchers struct {
	mu sync.Mutex
	m  map[chan struct{}]struct{}
}

// tell wakes every watcher after the commit of a transaction that recorded changes. A watcher
// already woken stays woken once: it reads everything new when it gets to it.
func (w *watchers) tell(c changeSet) {
	if len(c.ids) == 0 && !c.bulk {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.m {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// WatchChanges returns a channel that receives (at most one pending value) after every commit
// in this process that recorded changes, and a function that stops it.
func (db *DB) WatchChanges() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	w := &db.watchers
	w.mu.Lock()
	if w.m == nil {
		w.m = map[chan struct{}]struct{}{}
	}
	w.m[ch] = struct{}{}
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		delete(w.m, ch)
		w.mu.Unlock()
	}
}

// ListenChanges LISTENs, on a connection of its own, to the changes committed by every instance
// sharing this PostgreSQL database, and calls changed for each notification; listening is
// called once the LISTEN is in place, after which no commit is missed. It returns when ctx ends
// or the connection fails; the connection is then closed, not given back to the pool. On SQLite,
// which one process uses alone, it returns ErrNotListening at once.
func (db *DB) ListenChanges(ctx context.Context, listening, changed func()) error {
	if db.dialect != Postgres {
		return ErrNotListening
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: listen: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: listen: unexpected driver connection %T", dc)
		}
		c := sc.Conn()
		var schema string
		if err := c.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return fmt.Errorf("store: listen: %w", errors.Join(err, driver.ErrBadConn))
		}
		if _, err := c.Exec(ctx, `LISTEN `+pgx.Identifier{changesChannel + schema}.Sanitize()); err != nil {
			return fmt.Errorf("store: listen: %w", errors.Join(err, driver.ErrBadConn))
		}
		listening()
		for {
			if _, err := c.WaitForNotification(ctx); err != nil {
				// driver.ErrBadConn: the connection, still listening, leaves the pool.
				return fmt.Errorf("store: listen: %w", errors.Join(err, driver.ErrBadConn))
			}
			changed()
		}
	})
}

// ErrNotListening says that the database has no notifications to listen to (SQLite).
var ErrNotListening = errors.New("store: this database has no notifications to listen to")

// Change is one row of the change log: conversation or ticket ConversationID changed.
type Change struct {
	ID             int64
	ConversationID int64
}

// IDRange is the change ids From to To, both included.
type IDRange struct{ From, To int64 }

func scanChanges(rows *sql.Rows) ([]Change, error) {
	return collect(rows, func(r *sql.Rows) (Change, error) {
		var c Change
		return c, r.Scan(&c.ID, &c.ConversationID)
	})
}

// ChangesAfter returns, in id order, up to limit changes whose id is after after or within one
// of ranges (the ids a reader has not seen below what it has seen).
func (q *Q) ChangesAfter(ctx context.Context, after int64, ranges []IDRange, limit int) ([]Change, error) {
	var where strings.Builder
	where.WriteString(`id > $1`)
	args := []any{after, limit}
	for _, r := range ranges {
		args = append(args, r.From, r.To)
		fmt.Fprintf(&where, ` OR (id >= $%d AND id <= $%d)`, len(args)-1, len(args))
	}
	rows, err := q.query(ctx, `SELECT id, conversation_id FROM changes WHERE `+where.String()+` ORDER BY id LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: changes after %d: %w", after, err)
	}
	return scanChanges(rows)
}

// LatestChanges returns the newest limit changes, newest first.
func (q *Q) LatestChanges(ctx context.Context, limit int) ([]Change, error) {
	rows, err := q.query(ctx, `SELECT id, conversation_id FROM changes ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: latest changes: %w", err)
	}
	return scanChanges(rows)
}

// RecentChanges returns, in id order, up to limit changes written within the last d by the
// database's clock (to the millisecond).
func (q *Q) RecentChanges(ctx context.Context, d time.Duration, limit int) ([]Change, error) {
	rows, err := q.query(ctx, `SELECT id, conversation_id FROM changes WHERE at >= `+q.dbNow()+` - $1 ORDER BY id LIMIT $2`,
		d.Milliseconds(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: recent changes: %w", err)
	}
	return scanChanges(rows)
}

// positionRows is how many of the newest changes ChangePosition looks at for ids not committed
// yet.
const positionRows = 256

// ChangePosition returns a position in the change log as of now: every change up to it is
// committed, or will never be. It is the newest id, unless an id among the newest changes is
// missing (its transaction may still commit, on PostgreSQL), then the one before the lowest
// such id. A page is told, with its content, the position read before its content was.
func (q *Q) ChangePosition(ctx context.Context) (int64, error) {
	var n, lowest, newest int64
	err := q.row(ctx, `SELECT count(*), COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM
		(SELECT id FROM changes ORDER BY id DESC LIMIT $1) AS newest`, positionRows).Scan(&n, &lowest, &newest)
	if err != nil {
		return 0, fmt.Errorf("store: change position: %w", translate(err))
	}
	if newest-lowest+1 == n {
		return newest, nil // no id missing
	}
	ids, err := q.int64s(ctx, `SELECT id FROM changes WHERE id >= $1 ORDER BY id`, lowest)
	if err != nil {
		return 0, fmt.Errorf("store: change position: %w", err)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] != ids[i-1]+1 {
			return ids[i-1], nil
		}
	}
	return newest, nil
}

// ChangeBounds returns the ids of the oldest and the newest change in the log, 0 and 0 when it
// is empty.
func (q *Q) ChangeBounds(ctx context.Context) (oldest, newest int64, err error) {
	err = q.row(ctx, `SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM changes`).Scan(&oldest, &newest)
	if err != nil {
		return 0, 0, fmt.Errorf("store: change bounds: %w", translate(err))
	}
	return oldest, newest, nil
}

// pruneBatch is how many rows PruneChanges deletes per statement, so that it never holds
// SQLite's single writer for long.
const pruneBatch = 5000

// PruneChanges deletes the changes older than keep, by the database's clock, but the newest
// one, which stays to tell how far the log went (a page that last saw an older one has missed
// what was pruned). It returns how many it deleted.
func (db *DB) PruneChanges(ctx context.Context, keep time.Duration) (int64, error) {
	var total int64
	for {
		var n int64
		err := db.Tx(ctx, func(tx *Tx) error {
			res, err := tx.exec(ctx, `DELETE FROM changes WHERE id IN (SELECT id FROM changes
				WHERE at < `+tx.dbNow()+` - $1 AND id < (SELECT MAX(id) FROM changes) ORDER BY id LIMIT $2)`,
				keep.Milliseconds(), pruneBatch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("store: prune changes: %w", err)
		}
		total += n
		if n < pruneBatch || ctx.Err() != nil {
			return total, nil
		}
	}
}

// dbNow is the database's clock in Unix milliseconds, as the change log's at column has it.
func (q *Q) dbNow() string {
	if q.dialect == Postgres {
		return `(extract(epoch FROM clock_timestamp()) * 1000)::BIGINT`
	}
	return `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`
}
