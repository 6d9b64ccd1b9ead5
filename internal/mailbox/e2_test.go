package mailbox_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/mail"
)

// The replies of real mail clients (internal/inbound/testdata), and what their customers wrote.
var realReplies = []struct {
	file, from, name, inReplyTo string
	want                        string // the comment, as stored and shown by the API
}{
	{"gmail.eml", "jane.doe@acme.example", "Jane Doe", "ticket-reply.43.7b21de@support.example.com",
		"<p>Thanks, that worked!</p><p>Jane</p>"},
	{"outlook_desktop.eml", "mark.smith@contoso.example", "Mark Smith", "ticket-reply.44.9c0ffe@support.example.com",
		"<p>Hi,</p><p>The invoice is attached. It’s the one from October – please check.</p><p>Best regards<br>Mark</p>"},
	{"apple_mail.eml", "anna@berg.example", "Anna Berg", "ticket-reply.46.cc22dd@support.example.com",
		"<p>Hi,</p><p>I tried again this morning and the export still fails with the same error. " +
			"I attached nothing this time because the file is too big.</p><p>Thanks,<br>Anna</p>"},
}

func TestE2_ReplyIsThreadedIntoItsTicketWithQuotesStripped(t *testing.T) {
	f := start(t)
	for _, tc := range realReplies {
		contact := f.customer(tc.from, tc.name)

		t.Run(tc.file+"/by its reply address, over SMTP", func(t *testing.T) {
			tk := f.customerTicket(contact)
			addr := f.thread(contact.ID, tk)
			raw := replace(sample(t, tc.file), "reply+"+sampleToken+"@"+replyDomain, addr)
			raw, _ = newMessageID(raw)
			// The envelope says it too, as the customer's mail server sends it.
			f.mustSend(tc.from, []string{addr}, []byte(raw))
			checkComments(t, f.comments(tk, true), contact.ID, tc.want)
		})

		t.Run(tc.file+"/by In-Reply-To, over HTTP", func(t *testing.T) {
			tk := f.customerTicket(contact)
			f.thread(contact.ID, tk)
			ours := fmt.Sprintf("ticket-reply.%d.abc@%s", tk, replyDomain)
			f.sent(ours, contact.ID, tk)
			// Addressed to no reply address at all: only In-Reply-To tells the ticket.
			raw := replace(sample(t, tc.file), "reply+"+sampleToken+"@"+replyDomain, "help@"+replyDomain,
				tc.inReplyTo, ours)
			raw, _ = newMessageID(raw)
			if out := f.mustPost([]byte(raw)); out["result"] != "replied" || out["ticket_id"] != itoa(tk) {
				t.Errorf("result %v, want replied in ticket %d", out, tk)
			}
			checkComments(t, f.comments(tk, true), contact.ID, tc.want)
		})
	}

	t.Run("a conversation, by its reply address in To only", func(t *testing.T) {
		jane := f.customer("jane@example.org", "Jane")
		conv := f.conversation(jane, "<p>My password does not work</p>")
		addr := f.thread(jane.ID, conv)
		raw := replace(sample(t, "gmail.eml"), "reply+"+sampleToken+"@"+replyDomain, addr,
			"jane.doe@acme.example", "jane@example.org")
		raw, _ = newMessageID(raw)
		// Envelope recipient: another address (a forwarding alias); the header tells the thread.
		f.mustSend("jane@example.org", []string{"intake@" + replyDomain}, []byte(raw))
		checkComments(t, f.comments(conv, false), jane.ID, "<p>Thanks, that worked!</p><p>Jane</p>")
	})
}

// checkComments checks that a thread has one comment, the customer's, holding only their new
// text.
func checkComments(t *testing.T, got []part, contactID int64, want string) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("%d comments, want 1: %+v", len(got), got)
	}
	p := got[0]
	if p.AuthorType != "user" || p.AuthorID != contactID {
		t.Errorf("comment by %s %d, want the customer, user %d", p.AuthorType, p.AuthorID, contactID)
	}
	if p.Body != want {
		t.Errorf("comment body\n%q\nwant\n%q", p.Body, want)
	}
	for _, quoted := range []string{"wrote:", "&gt;", "From:", "-- ", "Original Message"} {
		if strings.Contains(p.Body, quoted) {
			t.Errorf("quoted history or signature left in the comment (%q): %q", quoted, p.Body)
		}
	}
}

func TestE2_ThreadFoundByInReplyToWhenTheTokenIsGone(t *testing.T) {
	f := start(t)
	jane := f.customer("jane.doe@acme.example", "Jane Doe")
	conv := f.conversation(jane, "<p>I cannot sign in</p>")
	f.thread(jane.ID, conv)
	first := fmt.Sprintf("conversation-reply.%d.1@%s", conv, replyDomain)
	second := fmt.Sprintf("conversation-reply.%d.2@%s", conv, replyDomain)
	f.sentAs(first, jane.ID, conv) // without angle brackets: found all the same
	f.sent(second, jane.ID, conv)
	gone := "reply+" + mail.NewReplyToken() + "@" + replyDomain // a token no thread has

	// In-Reply-To names our email; the reply address is one we do not know.
	raw := replace(sample(t, "gmail.eml"), "reply+"+sampleToken+"@"+replyDomain, gone,
		"ticket-reply.43.7b21de@support.example.com", second,
		"ticket-submitted.42.0f3a9c@support.example.com", first)
	raw, _ = newMessageID(raw)
	f.mustSend(jane.Email, []string{gone}, []byte(raw))
	checkComments(t, f.comments(conv, false), jane.ID, "<p>Thanks, that worked!</p><p>Jane</p>")

	// References alone, with ids of others after ours, as a client that drops In-Reply-To
	// sends them.
	raw = "From: Jane Doe <jane.doe@acme.example>\r\nTo: " + gone + "\r\nSubject: Re: sign in\r\n" +
		"Message-ID: <refs-only@acme.example>\r\nReferences: <" + first + "> <unrelated@elsewhere.example>\r\n" +
		"\r\nStill broken today.\r\n"
	if out := f.mustPost([]byte(raw)); out["result"] != "replied" || out["conversation_id"] != itoa(conv) {
		t.Errorf("result %v, want replied in conversation %d", out, conv)
	}
	if got := f.comments(conv, false); len(got) != 2 || got[1].Body != "<p>Still broken today.</p>" {
		t.Errorf("comments %+v", got)
	}

	// A reply to the customer's own message is threaded by its Message-ID too.
	raw = "From: jane.doe@acme.example\r\nTo: help@" + replyDomain + "\r\nSubject: Re: sign in\r\n" +
		"Message-ID: <follow-up@acme.example>\r\nIn-Reply-To: <refs-only@acme.example>\r\n\r\nAnd again.\r\n"
	if out := f.mustPost([]byte(raw)); out["result"] != "replied" || out["conversation_id"] != itoa(conv) {
		t.Errorf("result %v, want replied in conversation %d", out, conv)
	}
}

func TestE2_ForeignSenderIsNotTrustedBlindly(t *testing.T) {
	f := start(t)
	jane := f.customer("jane.doe@acme.example", "Jane Doe")
	tk := f.customerTicket(jane)
	addr := f.thread(jane.ID, tk)
	ours := fmt.Sprintf("ticket-reply.%d.1@%s", tk, replyDomain)
	f.sent(ours, jane.ID, tk)

	message := func(from, to, inReplyTo, text string) []byte {
		raw := "From: " + from + "\r\nTo: " + to + "\r\nSubject: Re: [#1] Broken\r\n"
		if inReplyTo != "" {
			raw += "In-Reply-To: <" + inReplyTo + ">\r\n"
		}
		raw, _ = newMessageID(raw + "Message-ID: <x>\r\n\r\n" + text + "\r\n")
		return []byte(raw)
	}

	// Jane forwarded our email; the stranger answers to its reply address, and to our
	// Message-ID: both find the ticket, neither makes the stranger Jane.
	for _, raw := range [][]byte{
		message("Mallory <mallory@evil.example>", addr, "", "Please refund me instead."),
		message("mallory@evil.example", "help@"+replyDomain, ours, "Please refund me instead."),
	} {
		out := f.mustPost(raw)
		if out["result"] != "started" || out["conversation_id"] == "" || out["ticket_id"] != "" {
			t.Fatalf("result %v, want a conversation of its own", out)
		}
		if got := f.comments(tk, true); len(got) != 0 {
			t.Fatalf("the stranger's mail was posted in the ticket: %+v", got)
		}
		c := f.MustDo(http.StatusOK, "GET", "/api/conversations/"+out["conversation_id"], nil)
		src := c["source"].(map[string]any)
		author := src["author"].(map[string]any)
		if author["email"] != "mallory@evil.example" || author["id"] == itoa(jane.ID) {
			t.Errorf("new conversation by %v, want the stranger", author)
		}
		if !strings.Contains(src["body"].(string), "refund me") {
			t.Errorf("new conversation body %v", src["body"])
		}
	}
	mallory, err := f.DB.Read().ContactByEmail(t.Context(), "mallory@evil.example")
	if err != nil || mallory.Role != "lead" {
		t.Errorf("the stranger is %+v, %v; want one lead", mallory, err)
	}

	// Jane herself, whatever the case of her address: trusted.
	out := f.mustPost(message("JANE.DOE@ACME.EXAMPLE", addr, "", "It works now."))
	if out["result"] != "replied" || out["ticket_id"] != itoa(tk) {
		t.Errorf("result %v, want replied in ticket %d", out, tk)
	}

	// Another participant of the conversation replies with Jane's reply address (reply-all):
	// posted as that participant, not as Jane.
	bob := f.customer("bob@acme.example", "Bob")
	conv := f.conversation(jane, "<p>Hello</p>")
	convAddr := f.thread(jane.ID, conv)
	if _, err := f.Server.Desk().AttachContact(t.Context(), conv, f.Admin.ID, bob.ID); err != nil {
		t.Fatal(err)
	}
	f.mustSend(bob.Email, []string{convAddr}, message("Bob <bob@acme.example>", convAddr, "", "Same problem here."))
	got := f.comments(conv, false)
	if len(got) != 1 || got[0].AuthorID != bob.ID || got[0].Body != "<p>Same problem here.</p>" {
		t.Errorf("comments %+v, want Bob's (%d)", got, bob.ID)
	}

	// Once Bob is no longer a participant, his mail to the thread starts a conversation of its
	// own.
	if _, err := f.Server.Desk().DetachContact(t.Context(), conv, f.Admin.ID, bob.ID); err != nil {
		t.Fatal(err)
	}
	out = f.mustPost(message("bob@acme.example", convAddr, "", "Me again."))
	if out["result"] != "started" || out["conversation_id"] == itoa(conv) {
		t.Errorf("result %v, want a conversation of its own", out)
	}
	if got := f.comments(conv, false); len(got) != 1 {
		t.Errorf("a former participant's mail was posted: %+v", got)
	}
}

func TestE2_SameMessageTwiceIsTakenOnce(t *testing.T) {
	f := start(t)
	jane := f.customer("jane.doe@acme.example", "Jane Doe")
	tk := f.customerTicket(jane)
	addr := f.thread(jane.ID, tk)
	raw := []byte(replace(sample(t, "gmail.eml"), "reply+"+sampleToken+"@"+replyDomain, addr))

	// A sender that did not get our 250 sends again; two mail servers deliver at once; the
	// mail service posts what the MX took already.
	f.mustSend(jane.Email, []string{addr}, raw)
	f.mustSend(jane.Email, []string{addr}, raw)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := f.send(jane.Email, []string{addr}, raw); err != nil {
				t.Errorf("SMTP delivery refused: %v", err)
			}
		})
	}
	wg.Wait()
	if out := f.mustPost(raw); out["result"] != "duplicate" {
		t.Errorf("result %v, want duplicate", out)
	}
	if got := f.comments(tk, true); len(got) != 1 {
		t.Errorf("%d comments, want 1: %+v", len(got), got)
	}

	// An email that starts a conversation, delivered twice, starts one.
	fresh := []byte(sample(t, "no_quote.eml"))
	before := len(f.conversations())
	for range 2 {
		f.mustSend("rene@dupont.example", []string{"support@" + replyDomain}, fresh)
	}
	var wg2 sync.WaitGroup
	for range 3 {
		wg2.Go(func() { _ = f.send("rene@dupont.example", []string{"support@" + replyDomain}, fresh) })
	}
	wg2.Wait()
	if n := len(f.conversations()) - before; n != 1 {
		t.Errorf("%d conversations started, want 1", n)
	}
}

func TestE2_AutoRepliesAreDropped(t *testing.T) {
	f := start(t)
	jane := f.customer("jane.doe@acme.example", "Jane Doe")
	mark := f.customer("mark.smith@contoso.example", "Mark Smith")
	tk := f.customerTicket(jane)
	addr := f.thread(jane.ID, tk)
	markTk := f.customerTicket(mark)
	markAddr := f.thread(mark.ID, markTk)

	for _, tc := range []struct {
		file, from, to string
	}{
		{"out_of_office.eml", jane.Email, addr},    // Auto-Submitted, Precedence
		{"exchange_ooo.eml", mark.Email, markAddr}, // Exchange's automatic reply
		{"dsn_bounce.eml", "", addr},               // a bounce, from the null sender
		{"gmail.eml", "", addr},                    // any mail from the null sender <>
	} {
		raw := replace(sample(t, tc.file), "reply+"+sampleToken+"@"+replyDomain, tc.to)
		raw, _ = newMessageID(raw)
		if err := f.send(tc.from, []string{tc.to}, []byte(raw)); err != nil {
			t.Errorf("%s: %v, want 250: an auto-reply is taken, then dropped", tc.file, err)
		}
	}
	// A mailer daemon, whatever its envelope sender.
	daemon := "From: MAILER-DAEMON <mailer-daemon@acme.example>\r\nTo: " + addr + "\r\nSubject: Delivery delayed\r\n" +
		"Message-ID: <delayed-1@mx.acme.example>\r\n\r\nYour message has not been delivered yet.\r\n"
	if err := f.send("bounces@acme.example", []string{addr}, []byte(daemon)); err != nil {
		t.Errorf("mailer daemon: %v, want 250", err)
	}
	// Over HTTP the envelope sender is unknown; the headers tell.
	raw, _ := newMessageID(replace(sample(t, "out_of_office.eml"), "reply+"+sampleToken+"@"+replyDomain, addr))
	if out := f.mustPost([]byte(raw)); out["result"] != "dropped" {
		t.Errorf("result %v, want dropped", out)
	}

	if got := f.comments(tk, true); len(got) != 0 {
		t.Errorf("auto-replies posted in the ticket: %+v", got)
	}
	if got := f.comments(markTk, true); len(got) != 0 {
		t.Errorf("auto-replies posted in the ticket: %+v", got)
	}
	if n := len(f.conversations()); n != 0 {
		t.Errorf("auto-replies started %d conversations", n)
	}
	if _, err := f.DB.Read().ContactByEmail(t.Context(), "mailer-daemon@acme.example"); err == nil {
		t.Errorf("a mailer daemon became a contact")
	}
}

func TestCV1_EmailThatAnswersNothingStartsAConversation(t *testing.T) {
	f := start(t)

	// A new sender becomes a lead, with the name of their From.
	f.mustSend("rene@dupont.example", []string{"support@" + replyDomain}, []byte(sample(t, "no_quote.eml")))
	list := f.conversations()
	if len(list) != 1 {
		t.Fatalf("%d conversations, want 1", len(list))
	}
	c := f.MustDo(http.StatusOK, "GET", "/api/conversations/"+apitest.ID(list[0]), nil)
	src := c["source"].(map[string]any)
	author := src["author"].(map[string]any)
	wantBody := "<p>Hello,</p><p>I can’t log in since this morning: the page says “session expired”.</p><p>Regards,<br>René</p>"
	if c["title"] != "Cannot log in" || src["type"] != "email" || src["subject"] != "Cannot log in" || src["body"] != wantBody {
		t.Errorf("conversation title %v, source %v", c["title"], src)
	}
	rene, err := f.DB.Read().ContactByEmail(t.Context(), "rene@dupont.example")
	if err != nil || rene.Role != "lead" || rene.Name.String != "René Dupont" || author["id"] != itoa(rene.ID) {
		t.Errorf("contact %+v (%v), author %v; want the new lead René Dupont", rene, err, author)
	}
	if c["state"] != "open" {
		t.Errorf("state %v, want open", c["state"])
	}

	// A known customer's email is theirs, whatever the case of the address; no subject, no
	// title.
	jane := f.customer("jane.doe@acme.example", "Jane Doe")
	raw := "From: Jane <Jane.Doe@Acme.Example>\r\nTo: support@" + replyDomain + "\r\nMessage-ID: <new-1@acme.example>\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n\r\n<div>Can I export to <b>CSV</b>?</div><script>alert(1)</script>\r\n"
	out := f.mustPost([]byte(raw))
	if out["result"] != "started" {
		t.Fatalf("result %v", out)
	}
	c = f.MustDo(http.StatusOK, "GET", "/api/conversations/"+out["conversation_id"], nil)
	src = c["source"].(map[string]any)
	author = src["author"].(map[string]any)
	if author["id"] != itoa(jane.ID) || c["title"] != nil && c["title"] != "" {
		t.Errorf("author %v title %v, want Jane's with no title", author, c["title"])
	}
	if body := src["body"].(string); strings.Contains(body, "<script") || strings.Contains(body, "<b>") || !strings.Contains(body, "CSV") {
		t.Errorf("body %q: the sender's markup must not be kept", body)
	}

	// An email with nothing of its own to say posts nothing.
	raw = "From: jane.doe@acme.example\r\nTo: support@" + replyDomain + "\r\nSubject: Fwd?\r\nMessage-ID: <new-2@acme.example>\r\n\r\n" +
		"-- \r\nJane Doe | Acme\r\n"
	if out := f.mustPost([]byte(raw)); out["result"] != "empty" {
		t.Errorf("result %v, want empty", out)
	}
	if n := len(f.conversations()); n != 2 {
		t.Errorf("%d conversations, want 2", n)
	}
}
