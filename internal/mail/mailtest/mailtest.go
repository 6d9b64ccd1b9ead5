// Package mailtest runs a real SMTP server inside a test (emersion/go-smtp on 127.0.0.1), to
// receive what Helpdesk sends and to make it fail on demand: refuse with a temporary (4xx) or a
// permanent (5xx) reply, or be down altogether. It also delivers mail into Helpdesk's own inbound
// listener, as a customer's mail server would.
package mailtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message the server accepted, with its envelope.
type Message struct {
	From string   // MAIL FROM
	To   []string // RCPT TO
	Data []byte   // the message as transmitted
	TLS  bool     // the session was encrypted (STARTTLS or implicit)
	User string   // the authenticated user, if any
}

// Server is a running SMTP server. Its methods are safe for concurrent use; Refuse and Up report
// their misuse to the test that started the server.
type Server struct {
	Host string // 127.0.0.1
	Port int

	t          testing.TB
	user, pass string
	startTLS   bool
	implicit   bool
	serverTLS  *tls.Config
	clientTLS  *tls.Config

	mu       sync.Mutex
	srv      *smtp.Server
	listener net.Listener
	served   chan struct{} // closed when the current Serve returns
	messages []Message
	refuse   int
	arrived  chan struct{} // closed and replaced at every message
}

// Option changes how Start sets the server up.
type Option func(*Server)

// WithAuth makes the server require AUTH PLAIN with these credentials.
func WithAuth(user, pass string) Option {
	return func(s *Server) { s.user, s.pass = user, pass }
}

// WithStartTLS makes the server offer STARTTLS with a certificate of its own, which the client
// trusts through ClientTLSConfig.
func WithStartTLS() Option {
	return func(s *Server) { s.startTLS = true }
}

// WithImplicitTLS makes the server speak TLS from the first byte (smtps://).
func WithImplicitTLS() Option {
	return func(s *Server) { s.implicit = true }
}

// Start runs a server on 127.0.0.1 on a free port until the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{Host: "127.0.0.1", t: t, arrived: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	if s.startTLS || s.implicit {
		s.serverTLS, s.clientTLS = selfSigned(t)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	s.serve(l)
	t.Cleanup(s.Down)
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// URL is the server as HELPDESK_SMTP_URL: with its credentials, smtps:// for implicit TLS,
// starttls=required when it offers STARTTLS, none when it does not.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr()}
	switch {
	case s.implicit:
		u.Scheme = "smtps"
	case s.startTLS:
		u.RawQuery = "starttls=required"
	default:
		u.RawQuery = "starttls=none"
	}
	if s.user != "" {
		u.User = url.UserPassword(s.user, s.pass)
	}
	return u.String()
}

// ClientTLSConfig trusts the server's certificate; nil when the server has no TLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.Clone()
}

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Wait waits until the server has accepted at least n messages, for a worker that sends on its
// own time, and returns them; it fails t after timeout.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, arrived := len(s.messages), s.arrived
		s.mu.Unlock()
		if got >= n {
			return s.Messages()
		}
		select {
		case <-arrived:
		case <-deadline.C:
			t.Fatalf("mailtest: %d message(s) after %v, want %d", got, timeout, n)
			return nil
		}
	}
}

// Reset forgets the messages received so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
}

// Refuse makes the server answer every RCPT TO with code: 451 (a temporary failure, as when
// greylisting or over quota) or 550 (a permanent one, as for an unknown mailbox), or any other
// 4xx or 5xx; 0 accepts again.
func (s *Server) Refuse(code int) {
	if code != 0 && (code < 400 || code > 599) {
		s.t.Fatalf("mailtest: Refuse(%d): want 0 or a 4xx or 5xx code", code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = code
}

// Down stops the server: connections in progress are cut and new ones refused, as when the
// mail server is down. The messages received stay.
func (s *Server) Down() {
	s.mu.Lock()
	srv, l, served := s.srv, s.listener, s.served
	s.srv, s.listener = nil, nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	_ = srv.Close() // closes connections, and the listener if Serve has registered it yet
	_ = l.Close()
	<-served
}

// Up starts the server again on the same port after Down.
func (s *Server) Up() {
	s.t.Helper()
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		return
	}
	l, err := net.Listen("tcp", s.Addr())
	if err != nil {
		s.t.Fatalf("mailtest: listen again on %s: %v", s.Addr(), err)
	}
	s.serve(l)
}

func (s *Server) serve(l net.Listener) {
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.MaxMessageBytes = 10 << 20
	srv.MaxRecipients = 50
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.AllowInsecureAuth = !s.startTLS && !s.implicit
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if s.startTLS {
		srv.TLSConfig = s.serverTLS
	}
	if s.implicit {
		l = tls.NewListener(l, s.serverTLS)
	}
	served := make(chan struct{})
	s.mu.Lock()
	s.srv, s.listener, s.served = srv, l, served
	s.mu.Unlock()
	go func() {
		defer close(served)
		_ = srv.Serve(l)
	}()
}

func (s *Server) receive(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

func (s *Server) refusal() error {
	s.mu.Lock()
	code := s.refuse
	s.mu.Unlock()
	if code == 0 {
		return nil
	}
	if code < 500 {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later (mailtest)"}
	}
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable (mailtest)"}
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

type session struct {
	s    *Server
	conn *smtp.Conn
	user string
	from string
	to   []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != ss.s.user || pass != ss.s.pass {
			return smtp.ErrAuthFailed
		}
		ss.user = user
		return nil
	}
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && ss.user == "" {
		// As Postfix, Exchange and Gmail say it (go-smtp's own is 502).
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.s.refusal(); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, secure := ss.conn.TLSConnectionState()
	ss.s.receive(Message{From: ss.from, To: ss.to, Data: data, TLS: secure, User: ss.user})
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// Deliver sends a raw message to an SMTP server, such as Helpdesk's inbound listener, as a
// customer's mail server would: no TLS, no AUTH.
func Deliver(ctx context.Context, addr, from string, to []string, raw []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("mailtest: deliver: %w", err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.SendMail(from, to, bytes.NewReader(raw)); err != nil {
		return fmt.Errorf("mailtest: deliver: %w", err)
	}
	return c.Quit()
}

// Parsed is a received message read back: its headers and the decoded text and HTML parts,
// with the line ends of the wire (CRLF) turned into "\n".
type Parsed struct {
	Header mail.Header
	Text   string
	HTML   string
}

// Parse reads the message's headers and its text/plain and text/html parts, decoded from
// quoted-printable or base64, in multipart/alternative or mixed or as a single part.
func (m Message) Parse() (Parsed, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return Parsed{}, fmt.Errorf("mailtest: parse: %w", err)
	}
	p := Parsed{Header: msg.Header}
	err = readPart(&p, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return p, err
}

func readPart(p *Parsed, contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("mailtest: parse: content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("mailtest: parse: %w", err)
			}
			if err := readPart(p, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("mailtest: parse: %s: %w", mediaType, err)
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	switch mediaType {
	case "text/plain":
		p.Text = text
	case "text/html":
		p.HTML = text
	}
	return nil
}

// selfSigned makes a certificate for 127.0.0.1 and localhost, and a client config trusting it.
func selfSigned(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("mailtest: key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("mailtest: certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("mailtest: certificate: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
		MinVersion:   tls.VersionTLS12,
	}
	client = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return server, client
}
