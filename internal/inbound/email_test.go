package inbound_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/inbound"
)

func TestParseHeaders(t *testing.T) {
	e := parseFile(t, "gmail.eml")
	want := inbound.Email{
		From:       inbound.Address{Name: "Jane Doe", Addr: "jane.doe@acme.example"},
		To:         []inbound.Address{{Name: "Helpdesk", Addr: "reply+k3vq7x2mzp4hfw6ta5bnrjcd2e@support.example.com"}},
		Subject:    "Re: [#1234] Cannot sign in",
		MessageID:  "CAF=x8Yq3kJ2p+0vXw@mail.gmail.com",
		InReplyTo:  []string{"ticket-reply.43.7b21de@support.example.com"},
		References: []string{"ticket-submitted.42.0f3a9c@support.example.com", "ticket-reply.43.7b21de@support.example.com"},
	}
	got := inbound.Email{From: e.From, To: e.To, Cc: e.Cc, Subject: e.Subject, MessageID: e.MessageID,
		InReplyTo: e.InReplyTo, References: e.References}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("headers:\n%+v\nwant:\n%+v", got, want)
	}
	if d := time.Date(2026, 11, 3, 10, 14, 27, 0, time.UTC); !e.Date.Equal(d) {
		t.Errorf("Date = %v, want %v", e.Date, d)
	}
}

func TestParseEncodedHeaders(t *testing.T) {
	for _, tc := range []struct {
		file, subject string
		from          inbound.Address
	}{
		{"gmail_fr.eml", "Re: [#1234] Connexion impossible à l'espace client", inbound.Address{Name: "Jeanne Lefèvre", Addr: "jeanne@exemple.fr"}},
		{"gmail_de.eml", "Re: [#1234] Zugriff verweigert für Benutzer", inbound.Address{Name: "Jürgen Müller", Addr: "juergen@beispiel.de"}},
		{"no_quote.eml", "Cannot log in", inbound.Address{Name: "René Dupont", Addr: "rene@dupont.example"}},
		{"mixed_attachments.eml", "Re: Facture de mars", inbound.Address{Name: "Luc Martin", Addr: "luc@martin.example"}},
	} {
		e := parseFile(t, tc.file)
		if e.Subject != tc.subject || e.From != tc.from {
			t.Errorf("%s: Subject %q From %+v, want %q %+v", tc.file, e.Subject, e.From, tc.subject, tc.from)
		}
	}
}

func TestParseRecipients(t *testing.T) {
	e := parseFile(t, "mixed_attachments.eml")
	// The broken "Bad Address <@>" does not lose the good address, nor its decoded name.
	if want := []inbound.Address{{Name: "Comptabilité", Addr: "compta@martin.example"}}; !reflect.DeepEqual(e.Cc, want) {
		t.Errorf("Cc = %+v, want %+v", e.Cc, want)
	}
	if want := []string{"reply+K3VQ7X2MZP4HFW6TA5BNRJCD2E@support.example.com"}; !reflect.DeepEqual(e.DeliveredTo, want) {
		t.Errorf("DeliveredTo = %q, want %q", e.DeliveredTo, want)
	}
	if want := []string{"reply+k3vq7x2mzp4hfw6ta5bnrjcd2e@support.example.com"}; !reflect.DeepEqual(e.OriginalTo, want) {
		t.Errorf("OriginalTo = %q, want %q", e.OriginalTo, want)
	}
}

func TestParseMessageIDs(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   []string
	}{
		{"<a@x>", []string{"a@x"}},
		{"<a@x> <b@x>\r\n <c@x>", []string{"a@x", "b@x", "c@x"}},
		{"<a@x>,<b@x>, <a@x>", []string{"a@x", "b@x"}},
		{"<a@x> (Jane's message of Tue, 3 Nov 2026)", []string{"a@x"}},
		{"a@x b@x", []string{"a@x", "b@x"}},
		{"", nil},
		{"garbage", nil},
	} {
		raw := "From: j@x.example\r\nReferences: " + tc.header + "\r\n\r\nHi\r\n"
		e, err := inbound.Parse([]byte(raw))
		if err != nil {
			t.Fatalf("%q: %v", tc.header, err)
		}
		if !reflect.DeepEqual(e.References, tc.want) {
			t.Errorf("References: %q = %q, want %q", tc.header, e.References, tc.want)
		}
	}
}

func TestParseTolerates(t *testing.T) {
	raw := "From Jane Tue Nov  3 10:00:00 2026\n" + // an mbox line
		"From: jane@acme.example\nTo: <reply+ABC@s.example>\nDate: yesterday\nSubject: hi\n\nBody\n"
	e, err := inbound.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if e.From.Addr != "jane@acme.example" || !e.Date.IsZero() || e.Text != "Body\n" {
		t.Errorf("got From %+v Date %v Text %q", e.From, e.Date, e.Text)
	}
}

func TestParseMultipart(t *testing.T) {
	e := parseFile(t, "mixed_attachments.eml")
	if e.TextFromHTML || !strings.Contains(e.HTML, `<img src="cid:ii_m3x1"`) {
		t.Errorf("TextFromHTML %v, HTML %q", e.TextFromHTML, e.HTML)
	}
	var got []inbound.Attachment
	for _, a := range e.Attachments {
		a.Content = nil
		got = append(got, a)
	}
	want := []inbound.Attachment{
		{Name: "capture.png", ContentType: "image/png", Size: 70, ContentID: "ii_m3x1", Inline: true},
		// An RFC 2231 name, decoded, without the directories it tried to climb.
		{Name: "Facture mars €.pdf", ContentType: "application/pdf", Size: 77},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Attachments:\n%+v\nwant:\n%+v", got, want)
	}
	if c := e.Attachments[1].Content; !bytes.HasPrefix(c, []byte("%PDF-1.4")) {
		t.Errorf("PDF content %q", c)
	}

	e = parseFile(t, "outlook_desktop.eml")
	if len(e.Attachments) != 1 || e.Attachments[0].Name != "Invoice 2026-10.pdf" || e.Attachments[0].Inline {
		t.Errorf("Outlook attachments %+v", e.Attachments)
	}
	e = parseFile(t, "outlook_ios.eml") // base64 text and HTML, CRLF inside
	if !strings.HasPrefix(e.Text, "Sure, go ahead.\r\n") || !strings.Contains(e.HTML, `id="appendonsend"`) {
		t.Errorf("Text %q HTML %q", e.Text, e.HTML)
	}
}

func TestParseFormatFlowed(t *testing.T) {
	raw := "From: a@b.example\r\nContent-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\r\n\r\n" +
		"A long line that was \r\nbroken in two.\r\n>> Quoted and \r\n>>flowed.\r\n-- \r\nSig\r\n"
	e, err := inbound.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if want := "A long line that wasbroken in two.\n>> Quoted andflowed.\n-- \nSig\n"; e.Text != want {
		t.Errorf("Text %q, want %q", e.Text, want)
	}
}

func TestParseCharsets(t *testing.T) {
	const utf8Body = "Grüße, “Jürgen” – 5 €"
	for _, tc := range []struct {
		name string
		raw  string
		want string
	}{
		{"ISO-8859-1, quoted-printable",
			"Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe",
			"Grüße"},
		{"windows-1252, 8 bit",
			"Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\xfc\xdfe, \x93J\xfcrgen\x94 \x96 5 \x80",
			utf8Body},
		{"windows-1252 labelled ISO-8859-1",
			"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\xfc\xdfe, \x93J\xfcrgen\x94 \x96 5 \x80",
			utf8Body},
		{"windows-1252, base64",
			"Content-Type: text/plain; charset=\"Windows-1252\"\r\nContent-Transfer-Encoding: base64\r\n\r\nR3L832UsIJNK/HJnZW6UIJYgNSCA",
			utf8Body},
		{"UTF-8 labelled US-ASCII",
			"Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + utf8Body,
			utf8Body},
		{"UTF-8 with no Content-Type",
			"Subject: x\r\n\r\n" + utf8Body + " Ё Р с",
			utf8Body + " Ё Р с"},
		{"UTF-8 labelled US-ASCII, quoted-printable",
			"Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe =D1=81",
			"Grüße с"},
		{"a part with no charset and Latin bytes",
			"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nGr\xfc\xdfe\r\n--b--\r\n",
			"Grüße"},
		{"KOI8-R",
			"Content-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\xf0\xd2\xc9\xd7\xc5\xd4",
			"Привет"},
		{"an unknown charset leaves valid UTF-8",
			"Content-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: 8bit\r\n\r\nok \xff",
			"ok \uFFFD"},
		{"HTML in ISO-8859-1",
			"Content-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>Gr=FC=DFe</p>",
			"Grüße"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := inbound.Parse([]byte("From: a@b.example\r\n" + tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(e.Text); got != tc.want {
				t.Errorf("Text %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseSizeLimit(t *testing.T) {
	big := make([]byte, inbound.MaxSize+1)
	copy(big, "From: a@b.example\r\n\r\n")
	if _, err := inbound.Parse(big); !errors.Is(err, inbound.ErrTooLarge) {
		t.Errorf("Parse of MaxSize+1 bytes: %v, want ErrTooLarge", err)
	}

	msg := []byte("From: a@b.example\r\nSubject: hi\r\n\r\nHello\r\n")
	if _, err := inbound.Read(bytes.NewReader(msg), int64(len(msg))); err != nil {
		t.Errorf("Read at the limit: %v", err)
	}
	r := &countingReader{r: io.MultiReader(bytes.NewReader(msg), endless{})}
	_, err := inbound.Read(r, 1000)
	if !errors.Is(err, inbound.ErrTooLarge) {
		t.Errorf("Read over the limit: %v, want ErrTooLarge", err)
	}
	if r.n > 1001 {
		t.Errorf("Read read %d bytes for a limit of 1000", r.n)
	}
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestParseRefusesMalformed(t *testing.T) {
	// Multiparts nested deeper than any mail client goes, their boundaries never closed: enmime
	// would take hours.
	var nested strings.Builder
	nested.WriteString("From: a@b.example\r\n")
	for i := range 40 {
		fmt.Fprintf(&nested, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	// Fewer of them, in a large message whose every byte goes through every level.
	var large strings.Builder
	large.WriteString("From: a@b.example\r\n")
	for i := range 10 {
		fmt.Fprintf(&large, "Content-Type: multipart/mixed; BoundarY *=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	large.WriteString("\r\n" + strings.Repeat("x", 21<<20))

	for name, raw := range map[string]string{
		"empty":             "",
		"blank":             "\r\n\r\n  \r\n",
		"not a message":     "just some text",
		"deeply nested":     nested.String(),
		"nested and large":  large.String(),
		"too many segments": "From: a@b.example\r\n\r\n" + strings.Repeat("\n--x", 10001),
	} {
		if _, err := inbound.Parse([]byte(raw)); !errors.Is(err, inbound.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}
