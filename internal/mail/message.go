package mail

import (
	"errors"
	"fmt"
	"io"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is a composed email, ready to be sent: multipart/alternative with a text and an HTML
// part, UTF-8, quoted-printable. The envelope is From to To.
type Message struct {
	From    netmail.Address
	To      netmail.Address
	ReplyTo netmail.Address // reply+TOKEN@domain: where the customer's answer goes (E2)
	Subject string
	Date    time.Time
	// MessageID, InReplyTo and References are in angle brackets, as in the headers. The worker
	// keeps MessageID with the thread: it is a Reference of the thread's next email, and inbound
	// replies name it in their In-Reply-To.
	MessageID  string
	InReplyTo  string
	References []string
	Text       string
	HTML       string
}

// ErrBadAddress is the cause when a message's sender or recipient is not a usable address.
var ErrBadAddress = errors.New("mail: bad address")

// WriteTo writes the message as it goes over the wire (RFC 5322), for logs, tests and the
// outbox of a mail service that takes raw messages.
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	g, err := m.msg()
	if err != nil {
		return 0, err
	}
	return g.WriteTo(w)
}

// msg builds the go-mail message.
func (m *Message) msg() (*gomail.Msg, error) {
	for _, a := range []struct {
		header string
		addr   netmail.Address
	}{{"From", m.From}, {"To", m.To}} {
		p, err := netmail.ParseAddress(a.addr.Address)
		if err != nil || p.Address != a.addr.Address {
			return nil, fmt.Errorf("%w: %s %q", ErrBadAddress, a.header, a.addr.Address)
		}
	}
	id := strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">")
	if !validMessageID(id) {
		return nil, fmt.Errorf("mail: message has no valid Message-ID (%q)", m.MessageID)
	}

	g := gomail.NewMsg(
		gomail.WithCharset(gomail.CharsetUTF8),
		gomail.WithEncoding(gomail.EncodingQP),
		gomail.WithNoDefaultUserAgent(),
	)
	from, to := m.From, m.To
	g.FromMailAddress(&from)
	g.ToMailAddress(&to)
	if m.ReplyTo.Address != "" {
		replyTo := m.ReplyTo
		g.ReplyToMailAddress(&replyTo)
	}
	g.Subject(cleanLine(m.Subject))
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	g.SetDateWithValue(date)
	g.SetGenHeader(gomail.HeaderMessageID, "<"+id+">")
	if m.InReplyTo != "" {
		g.SetGenHeader(gomail.HeaderInReplyTo, m.InReplyTo)
	}
	if len(m.References) > 0 {
		g.SetGenHeader(gomail.HeaderReferences, strings.Join(m.References, " "))
	}
	// RFC 3834: autoresponders (vacation, out of office) must not answer; Exchange reads its
	// own header. Bounces (NDRs) stay allowed: they tell a bad address.
	g.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	g.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "OOF, AutoReply")
	g.SetBodyString(gomail.TypeTextPlain, m.Text)
	g.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return g, nil
}
