package live

import (
	"context"
	"log/slog"
	"time"

	"github.com/helpdesk/helpdesk/internal/store"
)

// Reading the log: how a Feed knows what it has read and what it has skipped (see the package
// comment, Positions).
const (
	// pageRows is how many rows one query reads.
	pageRows = 1000
	// startRows is how many of the newest changes a reader looks at when it starts, to find
	// the ids that may still commit.
	startRows = 1000
	// maxGaps bounds the gaps a reader waits for; past it the oldest are given up.
	maxGaps = 32
)

// reader is the state of a Feed's reading.
type reader struct {
	db      *store.DB
	gapWait time.Duration
	maxIDs  int
	log     *slog.Logger
	cursor  int64 // the highest id read
	gaps    []gap // ids below cursor not read yet, in id order
}

// gap is ids from to to, skipped since then.
type gap struct {
	from, to int64
	since    time.Time
}

// position is the id before the lowest one that may still come: every change up to it has
// been read, or will never exist.
func (rd *reader) position() int64 {
	if len(rd.gaps) > 0 {
		return rd.gaps[0].from - 1
	}
	return rd.cursor
}

// start places the reader at the end of the log. The ids missing among the newest changes are
// gaps: their transactions may still commit.
func (rd *reader) start(ctx context.Context, now time.Time) error {
	latest, err := rd.db.Read().LatestChanges(ctx, startRows)
	if err != nil {
		return err
	}
	rd.cursor, rd.gaps = 0, nil
	if len(latest) == 0 {
		return nil
	}
	rd.cursor = latest[0].ID
	below := int64(0) // the whole log was read: any id below its oldest may be missing too
	if len(latest) == startRows {
		below = latest[len(latest)-1].ID
	}
	for i := len(latest) - 1; i >= 0; i-- {
		if id := latest[i].ID; id > below+1 {
			rd.gaps = append(rd.gaps, gap{from: below + 1, to: id - 1, since: now})
		}
		below = latest[i].ID
	}
	rd.trim()
	return nil
}

// read reads what is new since the last read: changes after the cursor, and those that came
// in the gaps. It returns the conversations they name, or all when there are more than maxIDs.
func (rd *reader) read(ctx context.Context, now time.Time) (ids changed, all bool, err error) {
	ids = changed{}
	defer func() {
		rd.expire(now)
		if len(ids) > rd.maxIDs {
			ids, all = nil, true
		}
	}()
	for {
		ranges := make([]store.IDRange, len(rd.gaps))
		for i, g := range rd.gaps {
			ranges[i] = store.IDRange{From: g.from, To: g.to}
		}
		changes, err := rd.db.Read().ChangesAfter(ctx, rd.cursor, ranges, pageRows)
		if err != nil {
			return ids, all, err
		}
		for _, c := range changes {
			if c.ID > rd.cursor {
				if c.ID > rd.cursor+1 {
					rd.gaps = append(rd.gaps, gap{from: rd.cursor + 1, to: c.ID - 1, since: now})
				}
				rd.cursor = c.ID
			} else {
				rd.fill(c.ID)
			}
			if len(ids) <= rd.maxIDs {
				ids.add(c.ConversationID, c.ID)
			}
		}
		rd.trim()
		if len(changes) < pageRows {
			return ids, all, nil
		}
	}
}

// fill takes id, read at last, out of its gap.
func (rd *reader) fill(id int64) {
	for i, g := range rd.gaps {
		if id < g.from || id > g.to {
			continue
		}
		var parts []gap
		if id > g.from {
			parts = append(parts, gap{from: g.from, to: id - 1, since: g.since})
		}
		if id < g.to {
			parts = append(parts, gap{from: id + 1, to: g.to, since: g.since})
		}
		rd.gaps = append(rd.gaps[:i], append(parts, rd.gaps[i+1:]...)...)
		return
	}
}

// expire gives up the gaps older than gapWait: their transactions rolled back.
func (rd *reader) expire(now time.Time) {
	kept := rd.gaps[:0]
	for _, g := range rd.gaps {
		if now.Sub(g.since) < rd.gapWait {
			kept = append(kept, g)
		}
	}
	rd.gaps = kept
}

// trim gives up the oldest gaps past maxGaps, so that a query names a bounded number of them.
func (rd *reader) trim() {
	for len(rd.gaps) > maxGaps {
		oldest := 0
		for i, g := range rd.gaps {
			if g.since.Before(rd.gaps[oldest].since) {
				oldest = i
			}
		}
		rd.log.Warn("live: too many changes to wait for; giving up the oldest", "from", rd.gaps[oldest].from, "to", rd.gaps[oldest].to)
		rd.gaps = append(rd.gaps[:oldest], rd.gaps[oldest+1:]...)
	}
}
