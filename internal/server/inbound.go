package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/mail"
	"strconv"
	"strings"

	"github.com/helpdesk/helpdesk/internal/inbound"
	"github.com/helpdesk/helpdesk/internal/mailbox"
)

// inboundState is what the inbound surface keeps: email in (E2, CV1), by the built-in SMTP
// listener (HELPDESK_INBOUND_SMTP_ADDR) or by a mail service posting to /inbound/email
// (HELPDESK_INBOUND_SECRET).
type inboundState struct {
	mailbox *mailbox.Mailbox
}

// initInbound prepares the inbound surface from the configuration.
func (s *Server) initInbound() {
	s.inbound.mailbox = mailbox.New(s.db, s.desk, s.clock, s.log)
}

// mountInbound adds the HTTP endpoint for raw MIME from mail services, when it has a secret.
func (s *Server) mountInbound(mux *http.ServeMux) {
	if s.cfg.InboundSecret == "" {
		return
	}
	mux.HandleFunc("POST /inbound/email", s.inboundEmail)
}

// runInbound runs the inbound SMTP listener until ctx ends, when an address is configured.
func (s *Server) runInbound(ctx context.Context) {
	if s.cfg.InboundSMTPAddr == "" {
		return
	}
	l, err := net.Listen("tcp", s.cfg.InboundSMTPAddr)
	if err != nil {
		s.log.Error("inbound SMTP listener not started: no email will be received by SMTP",
			"addr", s.cfg.InboundSMTPAddr, "err", err)
		return
	}
	s.log.Info("inbound SMTP listener started", "addr", l.Addr().String(), "domains", s.inboundDomains().accept)
	if err := s.ServeInboundSMTP(ctx, l); err != nil {
		s.log.Error("inbound SMTP listener stopped", "err", err)
	}
}

// ServeInboundSMTP runs the inbound SMTP listener on l until ctx ends (see
// mailbox.Mailbox.ServeSMTP). Background runs it on HELPDESK_INBOUND_SMTP_ADDR; tests run it on
// a listener of their own.
func (s *Server) ServeInboundSMTP(ctx context.Context, l net.Listener) error {
	d := s.inboundDomains()
	return s.inbound.mailbox.ServeSMTP(ctx, l, mailbox.SMTPConfig{Hostname: d.hostname, Domains: d.accept})
}

// Mailbox is where inbound email is delivered, for tests and tools.
func (s *Server) Mailbox() *mailbox.Mailbox { return s.inbound.mailbox }

type inboundDomains struct {
	hostname string
	accept   []string
}

// inboundDomains are the recipients' domains the listener accepts: the reply domain
// (HELPDESK_REPLY_DOMAIN, else that of HELPDESK_MAIL_FROM); any when neither is set.
func (s *Server) inboundDomains() inboundDomains {
	d := s.cfg.ReplyDomain
	if d == "" && s.cfg.MailFrom != "" {
		if a, err := mail.ParseAddress(s.cfg.MailFrom); err == nil {
			_, d, _ = strings.Cut(a.Address, "@")
		}
	}
	if d == "" {
		return inboundDomains{}
	}
	return inboundDomains{hostname: d, accept: []string{d}}
}

// inboundResult is the answer of POST /inbound/email.
type inboundResult struct {
	Result         string `json:"result,omitempty"` // replied, started, duplicate, dropped, empty
	ConversationID string `json:"conversation_id,omitempty"`
	TicketID       string `json:"ticket_id,omitempty"`
	Error          string `json:"error,omitempty"`
}

// inboundEmail takes one raw MIME message from a mail service (E2, CV1). The body is the
// message as is, whatever its Content-Type (message/rfc822 is the right one); the envelope
// recipients, when the service passes them, come in X-Envelope-To (comma-separated, or the
// header repeated). The secret comes as "Authorization: Bearer SECRET" or "?secret=SECRET".
//
// 200 with the result once the message is taken (stored, or deliberately dropped: the service
// must not send it again); 401 without the secret; 413 over inbound.MaxSize; 400 for what is
// not a mail message; 503 when it could not be stored for now, so that the service retries.
func (s *Server) inboundEmail(w http.ResponseWriter, r *http.Request) {
	if !s.inboundAuthorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="inbound email"`)
		writeInbound(w, http.StatusUnauthorized, inboundResult{Error: "the inbound secret is missing or wrong"})
		return
	}
	if r.ContentLength > inbound.MaxSize {
		writeInbound(w, http.StatusRequestEntityTooLarge, inboundResult{Error: "message too large"})
		return
	}
	e, err := inbound.Read(http.MaxBytesReader(w, r.Body, inbound.MaxSize+1), inbound.MaxSize)
	var res mailbox.Result
	if err == nil {
		// A client that goes away does not cut a delivery short: it is stored, or not at all.
		res, err = s.inbound.mailbox.Deliver(context.WithoutCancel(r.Context()), e, envelopeTo(r.Header))
	}
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
	case errors.Is(err, inbound.ErrTooLarge), errors.As(err, &tooLarge):
		writeInbound(w, http.StatusRequestEntityTooLarge, inboundResult{Error: "message too large"})
		return
	case errors.Is(err, inbound.ErrMalformed):
		writeInbound(w, http.StatusBadRequest, inboundResult{Error: "malformed message"})
		return
	case !mailbox.Temporary(err):
		s.log.Warn("inbound email refused", "err", err)
		writeInbound(w, http.StatusUnprocessableEntity, inboundResult{Error: "message refused"})
		return
	default:
		s.log.Error("inbound email not stored: the sender should retry", "err", err)
		w.Header().Set("Retry-After", "60")
		writeInbound(w, http.StatusServiceUnavailable, inboundResult{Error: "temporary failure, retry later"})
		return
	}
	out := inboundResult{Result: string(res.Outcome)}
	if res.ConversationID != 0 {
		id := strconv.FormatInt(res.ConversationID, 10)
		if res.Ticket {
			out.TicketID = id
		} else {
			out.ConversationID = id
		}
	}
	writeInbound(w, http.StatusOK, out)
}

// inboundAuthorized compares the request's secret with HELPDESK_INBOUND_SECRET in constant time
// (as digests, so that not even the length shows).
func (s *Server) inboundAuthorized(r *http.Request) bool {
	given := r.URL.Query().Get("secret")
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, token, ok := strings.Cut(auth, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return false
		}
		given = strings.TrimSpace(token)
	}
	if given == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(given)), sha256.Sum256([]byte(s.cfg.InboundSecret))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// envelopeTo reads the envelope recipients a mail service passes in X-Envelope-To.
func envelopeTo(h http.Header) []string {
	var out []string
	for _, v := range h.Values("X-Envelope-To") {
		for a := range strings.SplitSeq(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				out = append(out, a)
			}
		}
	}
	return out
}

func writeInbound(w http.ResponseWriter, status int, v inboundResult) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
