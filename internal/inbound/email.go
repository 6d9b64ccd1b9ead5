// Package inbound reads the email a customer sends to the help desk (E2, CV1): the raw MIME
// message, as the built-in SMTP listener receives it or a mail service posts it, becomes an
// Email with the addresses, threading headers, bodies and attachments the help desk needs, and
// the customer's new text without the quoted history and signature.
//
// It only parses: no storage, no network, no database. Deciding what an Email answers
// (ReplyTokens first, then InReplyTo and References), whether its sender may write there, and
// dropping auto-replies (IsAutoReply) is the caller's job.
package inbound

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jhillyerd/enmime"
	"github.com/jhillyerd/enmime/mediatype"
)

// MaxSize is the largest message Parse accepts: 25 MB, the usual limit of mail providers
// (Gmail's), so that any reply a customer could send fits.
const MaxSize = 25 << 20

// Limits on the MIME structure, against messages built to make the parser slow or hungry.
// enmime reads a part through one reader per enclosing multipart, and near the end of a
// message whose boundaries are not closed, its time doubles with each level: 20 levels take
// seconds, 30 would take hours. The number of boundary parameters bounds the depth; real
// replies have fewer than ten, forwarded messages included, and the bound is lower for large
// messages, whose every byte goes through every level. Each part costs a few allocations, so
// the lines that may start one are bounded too.
const (
	maxMultiparts     = 16
	maxMultipartBytes = 8 * MaxSize // multiparts times bytes
	maxBoundaryLines  = 10000       // lines that start with "--"
)

// maxReferences is how many of the References the Email keeps, the most recent: enough for
// any real thread, and a bound on the look-ups a message can cause.
const maxReferences = 100

var (
	// ErrTooLarge is returned for a message over the size limit; the SMTP listener answers it
	// with 552, the HTTP endpoint with 413.
	ErrTooLarge = errors.New("inbound: message too large")
	// ErrMalformed is returned for input that is not a mail message at all, or whose MIME
	// structure is beyond the limits above.
	ErrMalformed = errors.New("inbound: malformed message")
)

// Address is a mailbox as written in a header: Addr as it was written (compare it
// case-insensitively), Name decoded to UTF-8.
type Address struct {
	Name string
	Addr string
}

// Attachment is a file sent with the message: an attachment proper, an inline image, or a
// non-text part such as a forwarded message or a delivery report.
type Attachment struct {
	// Name is the file name without any directory, safe to show and to store under; empty when
	// the sender gave none.
	Name        string
	ContentType string // lower-case media type without parameters, e.g. "application/pdf"
	Size        int    // bytes, decoded
	ContentID   string // without angle brackets, for "cid:" references from the HTML body
	Inline      bool   // shown in the body (Content-Disposition: inline) rather than attached
	// Content is the decoded file, for the caller to store: this package keeps nothing.
	Content []byte
}

// Email is what the help desk needs of a received message. Every text field is UTF-8, whatever
// the charsets of the message.
type Email struct {
	From Address
	To   []Address
	Cc   []Address
	// DeliveredTo and OriginalTo are the addresses the receiving servers recorded (Delivered-To,
	// X-Original-To): the reply address may be only there when the customer's client put it in
	// Bcc, or a server forwarded the message.
	DeliveredTo []string
	OriginalTo  []string

	Subject string
	// MessageID, InReplyTo and References are message ids without angle brackets (E2: the
	// thread is found by them when no reply token is), References oldest first and at most
	// the last 100.
	MessageID  string
	InReplyTo  []string
	References []string
	Date       time.Time // zero when missing or unreadable

	// Text is the plain-text body, or the HTML body converted to text when the message has no
	// text part (TextFromHTML), with the quoted history still in it: see NewText.
	Text         string
	TextFromHTML bool
	HTML         string
	Attachments  []Attachment

	// What marks mail written by a machine, kept verbatim so that a dropped message can be
	// logged with its reason: see IsAutoReply.
	AutoSubmitted        string // Auto-Submitted (RFC 3834)
	Precedence           string // Precedence, or X-Precedence
	XAutoreply           string // "X-Autoreply: yes" and its kin, as "Name: value"
	AutoResponseSuppress string // X-Auto-Response-Suppress
	ReturnPath           string // Return-Path, "<>" for bounces and RFC 3834 auto-replies
	Report               bool   // a delivery report or read receipt (multipart/report, RFC 6522)
}

// NewText is what the customer wrote in this message: the text body with the quoted history
// and the signature removed (E2). When the message has HTML only, the quote containers of the
// HTML (Gmail's, Apple Mail's, Outlook's) are removed before it is converted to text, which is
// more reliable than finding the quote in the converted text. A message whose subject says it
// is a forward ("Fwd:", "TR:", "WG:") is kept whole: the forwarded mail is what the customer
// wants us to read. Empty when the customer wrote nothing of their own, which the caller
// should treat as nothing to add.
func (e Email) NewText() string {
	if forwardSubject.MatchString(e.Subject) {
		return strings.Join(normalizeLines(splitLines(e.Text)), "\n")
	}
	if e.TextFromHTML {
		return StripQuotedHTML(e.HTML)
	}
	return StripQuoted(e.Text)
}

// Parse reads a raw MIME message (RFC 5322), as received over SMTP or posted by a mail service.
// A message over MaxSize is refused with ErrTooLarge. Defects a mail client would tolerate
// (a bad date, a malformed address, an unknown charset, a broken part) are tolerated: the
// field is left empty rather than the message lost.
func Parse(raw []byte) (Email, error) {
	if len(raw) > MaxSize {
		return Email{}, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(raw), MaxSize)
	}
	return parse(raw)
}

// Read reads a message from r, refusing one over limit bytes (MaxSize when limit is zero or
// less) with ErrTooLarge without reading further than the limit.
func Read(r io.Reader, limit int64) (Email, error) {
	if limit <= 0 {
		limit = MaxSize
	}
	raw, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return Email{}, fmt.Errorf("inbound: read: %w", err)
	}
	if int64(len(raw)) > limit {
		return Email{}, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	return parse(raw)
}

func parse(raw []byte) (Email, error) {
	raw = trimMboxLine(raw)
	if len(bytes.TrimSpace(raw)) == 0 {
		return Email{}, fmt.Errorf("%w: empty", ErrMalformed)
	}
	n := countBoundaryParams(raw, maxMultiparts)
	if n > maxMultiparts || int64(n)*int64(len(raw)) > maxMultipartBytes {
		return Email{}, fmt.Errorf("%w: %d multiparts in %d bytes", ErrMalformed, n, len(raw))
	}
	if n := bytes.Count(raw, []byte("\n--")); n > maxBoundaryLines {
		return Email{}, fmt.Errorf("%w: %d lines start with --, the limit is %d", ErrMalformed, n, maxBoundaryLines)
	}
	env, err := headerEnvelope(raw)
	if err != nil {
		return Email{}, err
	}
	root, err := readParts(raw, false)
	if err != nil {
		return Email{}, err
	}

	var e Email
	e.setHeader(env)
	e.readBody(root)
	if e.hasMislabelledASCII(root) {
		// Read the message again undecoded, to take the 8-bit text of parts that claim to be
		// US-ASCII for the UTF-8 it nearly always is.
		if undecoded, err := readParts(raw, true); err == nil {
			relabelASCII(root, undecoded)
			e.Text, e.HTML, e.Attachments = "", "", nil
			e.readBody(root)
		}
	}
	return e, nil
}

func parser(undecoded bool) *enmime.Parser {
	return enmime.NewParser(
		// The declared charset, not a guess from the bytes: guesses between the Latin charsets
		// are wrong often enough on short replies.
		enmime.DisableCharacterDetection(true),
		enmime.DisableTextConversion(true), // HTML is converted here, after removing quotes
		enmime.SkipMalformedParts(true),
		enmime.MultipartWOBoundaryAsSinglePart(true),
		enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
		enmime.RawContent(undecoded),
	)
}

// readParts reads the tree of MIME parts. enmime does not promise never to panic on hostile
// input: a panic is a malformed message, not a crashed listener.
func readParts(raw []byte, undecoded bool) (root *enmime.Part, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("%w: %v", ErrMalformed, r)
		}
	}()
	root, err = parser(undecoded).ReadParts(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return root, nil
}

// headerEnvelope makes an enmime Envelope of the header alone, for its decoding of header fields
// (RFC 2047 words in any charset). The body is left to readParts: the Envelope's own handling
// of it is quadratic in the number of parts. Content-Type goes too, so that the Envelope looks
// for no parts.
func headerEnvelope(raw []byte) (env *enmime.Envelope, err error) {
	defer func() {
		if r := recover(); r != nil {
			env, err = nil, fmt.Errorf("%w: %v", ErrMalformed, r)
		}
	}()
	p := parser(false)
	root, err := p.ReadParts(bytes.NewReader(withoutContentType(headerBlock(raw))))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(root.Header) == 0 {
		return nil, fmt.Errorf("%w: no header", ErrMalformed)
	}
	env, err = p.EnvelopeFromPart(root)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return env, nil
}

// headerBlock is the header of a raw message, with the blank line that ends it.
func headerBlock(raw []byte) []byte {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\n' {
			continue
		}
		switch {
		case i+1 < len(raw) && raw[i+1] == '\n':
			return raw[:i+2]
		case i+2 < len(raw) && raw[i+1] == '\r' && raw[i+2] == '\n':
			return raw[:i+3]
		}
	}
	return raw
}

// withoutContentType removes the Content-Type field, folded lines included, from a header.
func withoutContentType(header []byte) []byte {
	var out []byte
	skipping := false
	for _, line := range bytes.SplitAfter(header, []byte("\n")) {
		folded := len(line) > 0 && (line[0] == ' ' || line[0] == '\t')
		if !folded {
			skipping = len(line) >= 13 && bytes.EqualFold(line[:13], []byte("content-type:"))
		}
		if !skipping {
			out = append(out, line...)
		}
	}
	return out
}

func (e *Email) setHeader(env *enmime.Envelope) {
	header := func(name string) string { return cleanHeader(env.GetHeader(name)) }
	all := func(name string) string { return strings.Join(env.GetHeaderValues(name), ", ") }

	if from := addressList(all("From")); len(from) > 0 {
		e.From = from[0]
	}
	e.To = addressList(all("To"))
	e.Cc = addressList(all("Cc"))
	e.DeliveredTo = addrs(addressList(all("Delivered-To")))
	e.OriginalTo = addrs(addressList(all("X-Original-To")))
	e.Subject = header("Subject")
	if ids := messageIDs(header("Message-Id")); len(ids) > 0 {
		e.MessageID = ids[0]
	}
	e.InReplyTo = messageIDs(all("In-Reply-To"))
	e.References = messageIDs(all("References"))
	if len(e.References) > maxReferences {
		e.References = e.References[len(e.References)-maxReferences:]
	}
	if d, err := mail.ParseDate(header("Date")); err == nil {
		e.Date = d
	}

	e.AutoSubmitted = header("Auto-Submitted")
	e.Precedence = header("Precedence")
	if e.Precedence == "" {
		e.Precedence = header("X-Precedence")
	}
	for _, name := range []string{"X-Autoreply", "X-Autorespond", "X-AutoReply-From", "X-Mail-Autoreply"} {
		if v := header(name); v != "" {
			e.XAutoreply = name + ": " + v
			break
		}
	}
	e.AutoResponseSuppress = header("X-Auto-Response-Suppress")
	e.ReturnPath = header("Return-Path")
}

// readBody takes the text and HTML bodies and the attachments from the MIME tree. enmime's own
// choice is not used: it joins the text parts with a "--" line that would read as a signature
// delimiter, and converts HTML before the quotes could be removed from it.
func (e *Email) readBody(root *enmime.Part) {
	var texts, htmls []string
	for p := range leaves(root) {
		ctype := p.ContentType
		if ctype == "" {
			ctype = "text/plain" // RFC 2046's default
		}
		body := p.Disposition != "attachment" && p.FileName == ""
		switch {
		case body && ctype == "text/plain":
			text := decodedText(p)
			if _, params, _, err := mediatype.Parse(p.Header.Get("Content-Type")); err == nil &&
				strings.EqualFold(params["format"], "flowed") {
				text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
			}
			texts = append(texts, text)
		case body && ctype == "text/html":
			htmls = append(htmls, decodedText(p))
		case strings.HasPrefix(ctype, "multipart/"):
			// An empty multipart: nothing to keep.
		default:
			e.Attachments = append(e.Attachments, Attachment{
				Name:        safeFileName(p.FileName),
				ContentType: ctype,
				Size:        len(p.Content),
				ContentID:   p.ContentID,
				Inline:      p.Disposition == "inline",
				Content:     p.Content,
			})
		}
	}
	e.Report = root.DepthMatchFirst(func(p *enmime.Part) bool {
		switch p.ContentType {
		case "multipart/report", "message/delivery-status", "message/global-delivery-status",
			"message/disposition-notification":
			return true
		}
		return false
	}) != nil
	e.Text = strings.Join(texts, "\n\n")
	e.HTML = strings.Join(htmls, "\n")
	if strings.TrimSpace(e.Text) == "" && e.HTML != "" {
		e.Text = htmlToText(e.HTML)
		e.TextFromHTML = true
	}
}

// leaves yields the parts of the tree that hold content, in the order a reader meets them.
func leaves(root *enmime.Part) func(yield func(*enmime.Part) bool) {
	return func(yield func(*enmime.Part) bool) {
		var walk func(p *enmime.Part) bool
		walk = func(p *enmime.Part) bool {
			for ; p != nil; p = p.NextSibling {
				if p.FirstChild != nil {
					if !walk(p.FirstChild) {
						return false
					}
					continue
				}
				if !yield(p) {
					return false
				}
			}
			return true
		}
		if root != nil && root.FirstChild == nil {
			yield(root)
			return
		}
		if root != nil {
			walk(root.FirstChild)
		}
	}
}

// decodedText is a text part's content as valid UTF-8, with the C1 controls that a
// windows-1252 text labelled ISO-8859-1 decodes to turned into the characters meant.
func decodedText(p *enmime.Part) string {
	var s string
	if p.Charset == "" && !utf8.Valid(p.Content) {
		s = decodeWindows1252(p.Content)
	} else {
		s = strings.ToValidUTF8(string(p.Content), "\uFFFD")
	}
	s = strings.TrimPrefix(s, "\uFEFF")
	return fixC1(s)
}

// forwardSubject is how mail clients mark a forward's subject, in English, French (TR),
// German (WG), Spanish (RV), Portuguese (ENC), Swedish (VB) and Dutch (Doorst).
var forwardSubject = regexp.MustCompile(`(?i)^\s*(fwd?|tr|wg|rv|enc|vb|doorst)\s*:`)

var addrSpec = regexp.MustCompile(`[^\s<>,;:"()\[\]\\]+@[^\s<>,;:"()\[\]\\]+`)

// addressList parses an address header. When the list as a whole is too broken for that, each
// of its comma-separated items is parsed alone, and when an item is still too broken, the
// address in it is at least found.
func addressList(s string) []Address {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if out, ok := parseAddresses(s); ok {
		return out
	}
	var out []Address
	for _, item := range splitAddressList(s) {
		if list, ok := parseAddresses(item); ok {
			out = append(out, list...)
			continue
		}
		for _, a := range addrSpec.FindAllString(item, -1) {
			out = append(out, Address{Addr: cleanHeader(a)})
		}
	}
	return out
}

func parseAddresses(s string) ([]Address, bool) {
	list, err := enmime.ParseAddressList(s)
	if err != nil {
		return nil, false
	}
	var out []Address
	for _, a := range list {
		if a != nil && a.Address != "" {
			out = append(out, Address{Name: cleanHeader(a.Name), Addr: cleanHeader(a.Address)})
		}
	}
	return out, true
}

// splitAddressList splits an address list at the commas that are not in a quoted name, a
// comment or angle brackets.
func splitAddressList(s string) []string {
	var items []string
	var quoted bool
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(' || c == '<':
			depth++
		case (c == ')' || c == '>') && depth > 0:
			depth--
		case c == ',' && depth == 0:
			items = append(items, s[start:i])
			start = i + 1
		}
	}
	return append(items, s[start:])
}

func addrs(list []Address) []string {
	var out []string
	for _, a := range list {
		out = append(out, a.Addr)
	}
	return out
}

// messageIDs reads a list of message ids: "<a@b> <c@d>", tolerating commas, comments and ids
// written without brackets.
func messageIDs(s string) []string {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		id = strings.TrimSpace(id)
		if id != "" && !seen[id] && utf8.ValidString(id) {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if strings.Contains(s, "<") {
		for rest := s; ; {
			_, after, ok := strings.Cut(rest, "<")
			if !ok {
				break
			}
			id, tail, ok := strings.Cut(after, ">")
			if !ok {
				break
			}
			add(id)
			rest = tail
		}
		return ids
	}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		if strings.Contains(f, "@") {
			add(f)
		}
	}
	return ids
}

// cleanHeader makes a decoded header value one line of valid UTF-8.
func cleanHeader(s string) string {
	s = fixC1(strings.ToValidUTF8(s, "\uFFFD"))
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// safeFileName keeps the last element of a sender's file name, without controls, so that it
// can be shown and used to store the file under.
func safeFileName(name string) string {
	name = path.Base(strings.ReplaceAll(cleanHeader(name), "\\", "/"))
	switch name {
	case ".", "..", "/":
		return ""
	}
	return name
}

// countBoundaryParams counts the boundary parameters of a raw message, however they are written
// (any case, spaces before the "=", RFC 2231's boundary*=), so that the count is never below the
// depth of its multiparts; it stops counting past limit. A regular expression would take half a
// second on 25 MB.
func countBoundaryParams(raw []byte, limit int) int {
	n := 0
	for i, c := range raw {
		if c != '=' && c != '*' {
			continue
		}
		j := i
		for j > 0 && (raw[j-1] == ' ' || raw[j-1] == '\t' || raw[j-1] == '\r' || raw[j-1] == '\n') {
			j--
		}
		if j >= 8 && bytes.EqualFold(raw[j-8:j], []byte("boundary")) {
			if n++; n > limit {
				break
			}
		}
	}
	return n
}

// trimMboxLine drops the "From sender date" line that mbox files, and some mail services,
// put before the header.
func trimMboxLine(raw []byte) []byte {
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			return raw[i+1:]
		}
	}
	return raw
}
