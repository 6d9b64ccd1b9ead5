package mailbox_test

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/helpdesk/helpdesk/internal/inbound"
	"github.com/helpdesk/helpdesk/internal/store"
)

// dial opens an SMTP session with the listener, after EHLO.
func (f *fixture) dial() *smtp.Client {
	f.t.Helper()
	conn, err := net.DialTimeout("tcp", f.smtpAddr, 10*time.Second)
	if err != nil {
		f.t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(2 * time.Minute))
	c := smtp.NewClient(conn)
	f.t.Cleanup(func() { c.Close() })
	if err := c.Hello("mx.customer.example"); err != nil {
		f.t.Fatal(err)
	}
	return c
}

func TestE2_SMTPListenerRefusesMessagesOverTheSizeLimit(t *testing.T) {
	f := start(t)
	jane := f.customer("jane.doe@acme.example", "Jane Doe")
	tk := f.customerTicket(jane)
	addr := f.thread(jane.ID, tk)
	c := f.dial()

	if ok, size := c.Extension("SIZE"); !ok || size != strconv.Itoa(inbound.MaxSize) {
		t.Errorf("SIZE %v %q, want %d advertised", ok, size, inbound.MaxSize)
	}
	// Declared too large: refused before it is sent.
	err := c.Mail(jane.Email, &smtp.MailOptions{Size: inbound.MaxSize + 1})
	if smtpCode(err) != 552 {
		t.Errorf("MAIL FROM with SIZE over the limit: %v, want 552", err)
	}
	_ = c.Reset()

	// Not declared, and too large: refused at the end of DATA, and nothing stored.
	head := "From: jane.doe@acme.example\r\nTo: " + addr + "\r\nSubject: Re: Broken\r\nMessage-ID: <big@acme.example>\r\n\r\n"
	line := strings.Repeat("x", 998) + "\r\n"
	var big bytes.Buffer
	big.WriteString(head)
	for big.Len() <= inbound.MaxSize {
		big.WriteString(line)
	}
	if err := c.Mail(jane.Email, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt(addr, nil); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(big.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); smtpCode(err) != 552 {
		t.Errorf("a message over %d bytes: %v, want 552", inbound.MaxSize, err)
	}
	if got := f.comments(tk, true); len(got) != 0 {
		t.Errorf("an oversized message was posted: %d comments", len(got))
	}

	// The session goes on: a message within the limit is taken.
	small := head + "It works now.\r\n"
	if err := c.Mail(jane.Email, &smtp.MailOptions{Size: int64(len(small))}); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt(addr, nil); err != nil {
		t.Fatal(err)
	}
	if w, err = c.Data(); err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte(small))
	if err := w.Close(); err != nil {
		t.Errorf("a small message after a large one: %v", err)
	}
	if got := f.comments(tk, true); len(got) != 1 {
		t.Errorf("%d comments, want 1", len(got))
	}
}

func TestE2_SMTPListenerAnswers250OnlyAfterStoring(t *testing.T) {
	f := startWith(t, func(f *fixture) {
		// A database that does not answer soon is a temporary failure.
		f.Server.Mailbox().Timeout = 500 * time.Millisecond
	})
	jane := f.customer("jane.doe@acme.example", "Jane Doe")
	conv := f.conversation(jane, "<p>I cannot sign in</p>")
	addr := f.thread(jane.ID, conv)
	reply := func(text string) []byte {
		raw, _ := newMessageID("From: jane.doe@acme.example\r\nTo: " + addr + "\r\nSubject: Re: sign in\r\n" +
			"Message-ID: <x>\r\n\r\n" + text + "\r\n")
		return []byte(raw)
	}

	// The 250 comes once the comment is in the database: it is there the moment the sender has
	// its answer, without waiting.
	f.mustSend(jane.Email, []string{addr}, reply("First."))
	if got := f.comments(conv, false); len(got) != 1 || got[0].Body != "<p>First.</p>" {
		t.Fatalf("comments right after 250: %+v", got)
	}

	// While the conversation cannot be written (another writer holds it), the listener answers
	// 451 and stores nothing; the sender's retry is then taken, once.
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- f.DB.Tx(context.Background(), func(tx *store.Tx) error {
			if _, err := tx.ConversationForUpdate(context.Background(), conv); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	second := reply("Second.")
	err := f.send(jane.Email, []string{addr}, second)
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if smtpCode(err) != 451 {
		t.Fatalf("delivery while the database is busy: %v, want 451", err)
	}
	if got := f.comments(conv, false); len(got) != 1 {
		t.Fatalf("a message answered 451 was stored: %+v", got)
	}
	f.mustSend(jane.Email, []string{addr}, second)
	f.mustSend(jane.Email, []string{addr}, second)
	if got := f.comments(conv, false); len(got) != 2 || got[1].Body != "<p>Second.</p>" {
		t.Errorf("comments after the retry: %+v", got)
	}
}

func TestE2_SMTPListenerRefusesOtherDomainsAndMalformedMail(t *testing.T) {
	f := start(t)
	c := f.dial()
	if err := c.Mail("someone@customer.example", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("someone@elsewhere.example", nil); smtpCode(err) != 550 {
		t.Errorf("RCPT TO another domain: %v, want 550 (no relaying)", err)
	}
	if err := c.Rcpt("Support@"+strings.ToUpper(replyDomain)+".", nil); err != nil {
		t.Errorf("RCPT TO the reply domain: %v", err)
	}

	for name, raw := range map[string]string{
		"no header":       "\r\n\r\n",
		"no From address": "To: support@" + replyDomain + "\r\nSubject: hello\r\n\r\nHello\r\n",
	} {
		err := f.send("someone@customer.example", []string{"support@" + replyDomain}, []byte(raw))
		if code := smtpCode(err); code != 554 && code != 550 {
			t.Errorf("%s: %v, want 550 or 554", name, err)
		}
	}
	if n := len(f.conversations()); n != 0 {
		t.Errorf("%d conversations from refused mail", n)
	}
}

func TestE2_SMTPListenerStopsGracefully(t *testing.T) {
	f := start(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Server.ServeInboundSMTP(ctx, l) }()
	other := &fixture{Env: f.Env, t: t, smtpAddr: l.Addr().String()}
	other.mustSend("rene@dupont.example", []string{"support@" + replyDomain}, []byte(sample(t, "no_quote.eml")))

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeInboundSMTP: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the listener did not stop")
	}
	if conn, err := net.DialTimeout("tcp", l.Addr().String(), time.Second); err == nil {
		conn.Close()
		t.Error("the listener still accepts connections")
	}
	if n := len(f.conversations()); n != 1 {
		t.Errorf("%d conversations, want 1", n)
	}
}
