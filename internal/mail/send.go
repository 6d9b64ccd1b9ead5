package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"sync"

	gomail "github.com/wneessen/go-mail"
)

// Sender hands messages to the SMTP server of HELPDESK_SMTP_URL. Each Send opens its own
// connection, so a Sender is safe for concurrent use and survives the server restarting.
type Sender struct {
	cfg SMTPConfig
}

// NewSender returns a Sender for a server; see ParseSMTPURL.
func NewSender(cfg SMTPConfig) *Sender {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultSMTPTimeout
	}
	return &Sender{cfg: cfg}
}

// SendError is why Send failed, and whether trying again later may succeed.
type SendError struct {
	// Temporary tells the worker to retry with backoff; false means this message will never be
	// accepted, and the worker gives up on it.
	Temporary bool
	// Code is the server's reply code (451, 550...), 0 when it gave none (connection refused,
	// timeout).
	Code int
	Err  error
}

func (e *SendError) Error() string {
	kind := "permanent failure"
	if e.Temporary {
		kind = "temporary failure"
	}
	return "mail: send: " + kind + ": " + e.Err.Error()
}

func (e *SendError) Unwrap() error { return e.Err }

// IsTemporary tells whether a failed Send is worth retrying (E3). Permanent are only the
// failures of this very message: a 5xx reply to MAIL FROM, RCPT TO or DATA (unknown mailbox,
// message refused), or an address that cannot be sent to. Everything else is temporary: a 4xx
// reply, a server down or unreachable, a timeout, a cancelled context, and also a failure to
// connect, upgrade to TLS or authenticate whatever its code, since that is the server's or the
// configuration's problem and mail should wait for it to be fixed rather than be dropped.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	var se *SendError
	if errors.As(err, &se) {
		return se.Temporary
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// authPreference is the order in which SMTP AUTH mechanisms are tried. PLAIN and LOGIN send the
// password as it is, so go-mail refuses them except over TLS or to localhost.
var authPreference = []gomail.SMTPAuthType{
	gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1, gomail.SMTPAuthCramMD5,
	gomail.SMTPAuthPlain, gomail.SMTPAuthLogin,
}

// Send delivers one message, within the configured timeout and ctx. It returns nil once the
// server has accepted the message, even if closing the connection fails afterwards, so that a
// caller recording "sent" on nil never sends twice. Otherwise the error is a *SendError; see
// IsTemporary.
func (s *Sender) Send(ctx context.Context, m *Message) error {
	msg, err := m.msg()
	if err != nil {
		return &SendError{Err: err}
	}
	if err := ctx.Err(); err != nil {
		return &SendError{Temporary: true, Err: err}
	}

	// go-mail bounds each command by the timeout but does not watch ctx once connected:
	// closing the connection when ctx ends stops a send in progress.
	var guard connGuard
	stop := context.AfterFunc(ctx, guard.abort)
	defer stop()

	tlsConfig := &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
	if s.cfg.TLSConfig != nil {
		tlsConfig = s.cfg.TLSConfig.Clone()
		if tlsConfig.ServerName == "" {
			tlsConfig.ServerName = s.cfg.Host
		}
	}
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	dial := func(dialCtx context.Context, network, _ string) (net.Conn, error) {
		d := net.Dialer{Timeout: s.cfg.Timeout}
		raw, err := d.DialContext(dialCtx, network, addr)
		if err != nil {
			return nil, err
		}
		if !guard.set(raw) {
			return nil, context.Cause(ctx)
		}
		if s.cfg.Security != ImplicitTLS {
			return raw, nil
		}
		conn := tls.Client(raw, tlsConfig)
		if err := conn.HandshakeContext(dialCtx); err != nil {
			_ = raw.Close()
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		return conn, nil
	}
	policy := gomail.TLSMandatory
	switch s.cfg.Security {
	case StartTLSOpportunistic:
		policy = gomail.TLSOpportunistic
	case NoTLS, ImplicitTLS: // implicit TLS is done by dial, with no STARTTLS on top
		policy = gomail.NoTLS
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSPolicy(policy),
		gomail.WithTLSConfig(tlsConfig),
	}
	if s.cfg.Username != "" {
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(authPreference...),
			gomail.WithUsername(s.cfg.Username),
			gomail.WithPassword(s.cfg.Password))
	}
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return &SendError{Temporary: true, Err: fmt.Errorf("%s: %w", s.cfg, err)}
	}

	err = client.DialAndSendWithContext(ctx, msg)
	if msg.IsDelivered() {
		return nil
	}
	if err == nil { // not delivered, yet no error: cannot happen, but must not pass for sent
		err = errors.New("message not accepted")
	}
	se := classify(fmt.Errorf("%s: %w", s.cfg, err))
	if ctx.Err() != nil {
		se.Temporary = true
		se.Err = fmt.Errorf("%w: %w", context.Cause(ctx), se.Err)
	}
	return se
}

// classify tells a failure of this message (permanent on 5xx) from one of the connection.
func classify(err error) *SendError {
	se := &SendError{Temporary: true, Err: err}
	var sendErr *gomail.SendError
	if !errors.As(err, &sendErr) {
		// Connecting, TLS, EHLO or AUTH: the code says something about the server or the
		// configuration, not about the message.
		var reply *textproto.Error
		if errors.As(err, &reply) {
			se.Code = reply.Code
		}
		return se
	}
	se.Code = sendErr.ErrorCode()
	switch sendErr.Reason {
	case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
		se.Temporary = false
	case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose, gomail.ErrWriteContent:
		// 530 is "authenticate first": the configuration lacks credentials, the message is fine.
		se.Temporary = !(se.Code >= 500 && se.Code < 600 && se.Code != 530)
	}
	return se
}

// connGuard closes the connection of a Send whose context ends.
type connGuard struct {
	mu      sync.Mutex
	conn    net.Conn
	aborted bool
}

// set records the connection, or closes it and reports false when ctx has already ended.
func (g *connGuard) set(c net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.aborted {
		_ = c.Close()
		return false
	}
	g.conn = c
	return true
}

func (g *connGuard) abort() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.aborted = true
	if g.conn != nil {
		_ = g.conn.Close()
	}
}
