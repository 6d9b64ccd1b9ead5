// Package delivery sends the notification emails that the store's outbox holds (SPEC N1-N4,
// E1, E3, BO10). It knows neither HTTP nor how notifications come to be: the operations that
// change a thread write them in the same transaction as the change (package desk, with the
// rules of package notify), and this package delivers whatever is due.
//
// A Worker claims due notifications in batches, with a lease (store.ClaimDueEmails): each
// claimed row is due again only when the lease ends, so that a worker that dies mid-way loses
// nothing, and two workers (two server instances) never take the same row. For each one it
// then decides whether the email is still owed (a reply seen in the Messenger in time is not,
// N2; neither is mail to a contact without an address or unsubscribed), composes it with the
// one fixed template (package mail), sends it, and records the outcome with the Message-ID in
// one transaction. A temporary failure makes it due again after a backoff; a permanent one, or
// too many attempts, gives up.
//
// SMTP offers no exactly-once delivery: a worker that dies after the server accepted a message
// and before recording it sends it again when the lease ends. The window is kept small (the
// outcome is recorded at once, even while shutting down), and the retry carries the same
// Message-ID, by which receiving systems drop the duplicate. docs/decisions/0003-notifications.md
// says more.
package delivery

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/helpdesk/helpdesk/internal/clock"
	"github.com/helpdesk/helpdesk/internal/mail"
	"github.com/helpdesk/helpdesk/internal/store"
)

// Defaults of Options.
const (
	DefaultLease       = 5 * time.Minute
	DefaultBatch       = 50
	DefaultConcurrency = 4
	DefaultMaxAttempts = 15
	DefaultMinBackoff  = 30 * time.Second
	DefaultMaxBackoff  = time.Hour
)

// Options tune a Worker; zero values take the defaults.
type Options struct {
	// Lease is how long a claimed notification stays the worker's: after it, a worker that
	// died is assumed dead and the notification is taken again. It must be well above the SMTP
	// timeout (30 s by default): a worker starts no send after half of it.
	Lease time.Duration
	// Batch is how many notifications one claim takes.
	Batch int
	// Concurrency is how many threads are sent to at once; the emails of one contact's thread
	// always go one after the other, in order, so that each names the previous in References.
	Concurrency int
	// MaxAttempts bounds the attempts of one email; with the default backoff, 15 attempts
	// span about nine hours of a mail server down.
	MaxAttempts int
	// MinBackoff is the wait after the first temporary failure, doubled after each next one up
	// to MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// LogoSetting is the workspace setting holding the Messenger's logo (E1); default
	// "messenger_logo_url".
	LogoSetting string
}

// DefaultLogoSetting is the setting of the Messenger's logo URL.
const DefaultLogoSetting = "messenger_logo_url"

func (o Options) withDefaults() Options {
	o.Lease = cmp.Or(o.Lease, DefaultLease)
	o.Batch = cmp.Or(o.Batch, DefaultBatch)
	o.Concurrency = cmp.Or(o.Concurrency, DefaultConcurrency)
	o.MaxAttempts = cmp.Or(o.MaxAttempts, DefaultMaxAttempts)
	o.MinBackoff = cmp.Or(o.MinBackoff, DefaultMinBackoff)
	o.MaxBackoff = max(cmp.Or(o.MaxBackoff, DefaultMaxBackoff), o.MinBackoff)
	o.LogoSetting = cmp.Or(o.LogoSetting, DefaultLogoSetting)
	return o
}

// Worker delivers notification emails. Its methods are safe for concurrent use, and any
// number of workers, in one process or several, may share a database.
type Worker struct {
	db       *store.DB
	composer *mail.Composer
	sender   *mail.Sender
	clock    clock.Clock
	log      *slog.Logger
	opts     Options
	// afterSend, when set (by tests), runs after each send and before its outcome is
	// recorded; an error stops there, as a crash would.
	afterSend func(store.ClaimedEmail) error
}

// New returns a Worker sending with sender what composer makes.
func New(db *store.DB, composer *mail.Composer, sender *mail.Sender, clk clock.Clock, log *slog.Logger, opts Options) *Worker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if clk == nil {
		clk = clock.System{}
	}
	return &Worker{db: db, composer: composer, sender: sender, clock: clk, log: log, opts: opts.withDefaults()}
}

// Stats counts what a pass did with the notifications it claimed.
type Stats struct {
	Sent     int // accepted by the mail server
	Skipped  int // no longer owed (seen, no address, unsubscribed...)
	Retried  int // failed for now, due again after a backoff
	Failed   int // given up
	Released int // given back unattempted (shutting down, or the lease ran short)
}

func (s *Stats) add(o Stats) {
	s.Sent += o.Sent
	s.Skipped += o.Skipped
	s.Retried += o.Retried
	s.Failed += o.Failed
	s.Released += o.Released
}

// Run delivers what is due every interval until ctx ends; a pass in progress then stops
// sending, records what it sent and gives back the rest.
func (w *Worker) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if st, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("notification email: delivery pass failed", "err", err)
		} else if st != (Stats{}) {
			w.log.Debug("notification email: delivery pass", "sent", st.Sent, "skipped", st.Skipped,
				"retried", st.Retried, "failed", st.Failed, "released", st.Released)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce delivers every notification due now, a batch at a time, and returns what it did. It
// stops at the first error of the database; a failure to send is no error here but an outcome
// of the notification.
func (w *Worker) RunOnce(ctx context.Context) (Stats, error) {
	var total Stats
	logo := ""
	for first := true; ctx.Err() == nil; first = false {
		now := w.clock.Now()
		var claimed []store.ClaimedEmail
		err := w.db.Tx(ctx, func(tx *store.Tx) error {
			var err error
			claimed, err = tx.ClaimDueEmails(ctx, now, now.Add(w.opts.Lease), w.opts.Batch)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("delivery: %w", err)
		}
		if len(claimed) == 0 {
			return total, nil
		}
		if first {
			if logo, err = w.db.Read().Setting(ctx, w.opts.LogoSetting); err != nil {
				w.log.Warn("notification email: reading the logo setting", "err", err)
			}
		}
		st, err := w.deliver(ctx, claimed, now, logo)
		total.add(st)
		if err != nil {
			return total, err
		}
		if len(claimed) < w.opts.Batch {
			return total, nil
		}
	}
	return total, nil
}

// deliver sends a claimed batch: the threads side by side, each thread's emails in order.
func (w *Worker) deliver(ctx context.Context, claimed []store.ClaimedEmail, claimedAt time.Time, logo string) (Stats, error) {
	ids := make([]int64, len(claimed))
	for i, c := range claimed {
		ids[i] = c.ID
	}
	emails, err := w.db.Read().OutboundEmails(ctx, ids)
	if err != nil {
		// Give the batch back: it is due again when the lease ends, and nothing was sent.
		return Stats{}, fmt.Errorf("delivery: %w", err)
	}
	type thread struct{ contact, conversation int64 }
	var order []thread
	byThread := map[thread][]store.ClaimedEmail{}
	for _, c := range claimed {
		k := thread{c.ContactID, c.ConversationID}
		if _, ok := byThread[k]; !ok {
			order = append(order, k)
		}
		byThread[k] = append(byThread[k], c)
	}

	var (
		mu       sync.Mutex
		total    Stats
		firstErr error
		wg       sync.WaitGroup
	)
	sem := make(chan struct{}, w.opts.Concurrency)
	for _, k := range order {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			var st Stats
			var errs []error
			for _, c := range byThread[k] {
				e, ok := emails[c.ID]
				if !ok {
					continue // deleted meanwhile, with its contact, part or thread
				}
				if err := w.one(ctx, c, e, claimedAt, logo, &st); err != nil {
					errs = append(errs, err)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			total.add(st)
			if firstErr == nil && len(errs) > 0 {
				firstErr = errs[0]
			}
		})
	}
	wg.Wait()
	return total, firstErr
}

// one delivers one notification's email and records the outcome.
func (w *Worker) one(ctx context.Context, c store.ClaimedEmail, e store.OutboundEmail, claimedAt time.Time, logo string, st *Stats) error {
	// Outcomes are recorded even while shutting down: an email sent and not recorded would
	// go twice.
	record := func(what string, fn func(ctx context.Context, tx *store.Tx) (bool, error)) error {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		var ok bool
		err := w.db.Tx(ctx, func(tx *store.Tx) error {
			var err error
			ok, err = fn(ctx, tx)
			return err
		})
		if err != nil {
			return fmt.Errorf("delivery: notification %d: %s: %w", c.ID, what, err)
		}
		if !ok {
			w.log.Warn("notification email: the claim ran out before the outcome was recorded", "notification", c.ID, "outcome", what)
		}
		return nil
	}

	n, skip := w.notification(c, e, logo)
	if skip != "" {
		st.Skipped++
		return record("skipped", func(ctx context.Context, tx *store.Tx) (bool, error) {
			return tx.MarkEmailSkipped(ctx, c, skip)
		})
	}
	if ctx.Err() != nil || w.clock.Now().After(claimedAt.Add(w.opts.Lease/2)) {
		// Shutting down, or so late in the lease that another worker might take it while the
		// send is under way: give it back rather than risk sending it twice.
		st.Released++
		return record("released", func(ctx context.Context, tx *store.Tx) (bool, error) {
			return tx.ReleaseEmail(ctx, c, w.clock.Now())
		})
	}

	token := e.ReplyToken
	if token == "" {
		err := w.db.Tx(ctx, func(tx *store.Tx) error {
			th, err := tx.EnsureEmailThread(ctx, c.ContactID, c.ConversationID, mail.NewReplyToken(), w.clock.Now())
			token = th.ReplyToken
			return err
		})
		if err != nil {
			return fmt.Errorf("delivery: notification %d: %w", c.ID, err)
		}
	}
	refs, err := w.db.Read().ThreadMessageIDs(ctx, c.ContactID, c.ConversationID, maxReferences)
	if err != nil {
		return fmt.Errorf("delivery: notification %d: %w", c.ID, err)
	}
	n.ReplyToken, n.References = token, refs

	m, err := w.composer.Compose(n)
	if err != nil {
		st.Failed++
		w.log.Error("notification email: cannot be composed", "notification", c.ID, "err", err)
		return record("failed", func(ctx context.Context, tx *store.Tx) (bool, error) {
			return tx.MarkEmailFailed(ctx, c, err.Error())
		})
	}
	// The Message-ID follows from the notification as it was written, whatever the email
	// shows now (a conversation's reply shows a ticket once one is shared into it, BO10), so
	// that every attempt carries the same one (E3).
	m.MessageID = w.composer.MessageID(mail.Kind(c.Kind), c.ID, token)

	sendErr := w.sender.Send(ctx, m)
	if w.afterSend != nil {
		if err := w.afterSend(c); err != nil {
			return err
		}
	}
	now := w.clock.Now()
	switch {
	case sendErr == nil:
		st.Sent++
		return record("sent", func(ctx context.Context, tx *store.Tx) (bool, error) {
			return tx.MarkEmailSent(ctx, c, m.MessageID, now)
		})
	case mail.IsTemporary(sendErr) && c.Attempt < w.opts.MaxAttempts:
		st.Retried++
		due := now.Add(w.backoff(c.Attempt))
		w.log.Warn("notification email: will retry", "notification", c.ID, "attempt", c.Attempt, "at", due, "err", sendErr)
		return record("retry", func(ctx context.Context, tx *store.Tx) (bool, error) {
			return tx.RetryEmail(ctx, c, due, sendErr.Error())
		})
	default:
		st.Failed++
		w.log.Error("notification email: given up", "notification", c.ID, "attempt", c.Attempt, "err", sendErr)
		return record("failed", func(ctx context.Context, tx *store.Tx) (bool, error) {
			return tx.MarkEmailFailed(ctx, c, sendErr.Error())
		})
	}
}

// maxReferences is how many of the thread's Message-IDs an email names in References.
const maxReferences = 20

// backoff is the wait after the attempt-th failure: MinBackoff doubled each time, up to
// MaxBackoff.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.opts.MinBackoff
	for i := 1; i < attempt && d < w.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.opts.MaxBackoff)
}
