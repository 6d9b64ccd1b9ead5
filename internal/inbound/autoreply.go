package inbound

import (
	"regexp"
	"strings"
)

// IsAutoReply tells mail that a machine wrote (out-of-office replies, vacation responders,
// bounces, read receipts), which must not become a customer's comment: it would notify the
// teammates for nothing, reopen a snoozed conversation (CV2), and an auto-reply to our
// notification answered by another notification is a mail loop.
func (e Email) IsAutoReply() bool { return e.AutoReplyReason() != "" }

// AutoReplyReason says why IsAutoReply holds, for the log: the header or the sender that gave
// it away. Empty for mail a person wrote.
//
// X-Auto-Response-Suppress is not a reason on its own: it asks servers not to auto-reply to a
// message, and Exchange puts it on mail people write (to distribution lists, for one), so
// help desks that dropped mail for it lost real replies (Discourse, osTicket and GLPI removed
// that rule). It counts with a subject that reads as an Outlook out-of-office reply, for the
// Exchange servers that send those with no other mark.
func (e Email) AutoReplyReason() string {
	if v := firstWord(e.AutoSubmitted); v != "" && v != "no" {
		return "Auto-Submitted: " + e.AutoSubmitted
	}
	if e.XAutoreply != "" && !strings.HasSuffix(strings.ToLower(e.XAutoreply), ": no") {
		return e.XAutoreply
	}
	switch firstWord(e.Precedence) {
	case "bulk", "junk", "auto_reply", "auto-reply":
		return "Precedence: " + e.Precedence
	}
	if strings.TrimSpace(e.ReturnPath) == "<>" {
		return "Return-Path: <>"
	}
	if e.Report {
		return "delivery report"
	}
	if local, _, ok := strings.Cut(strings.ToLower(e.From.Addr), "@"); ok {
		switch local {
		case "mailer-daemon", "postmaster":
			return "sender " + e.From.Addr
		}
	}
	if e.AutoResponseSuppress != "" && outOfOfficeSubject.MatchString(e.Subject) {
		return "X-Auto-Response-Suppress: " + e.AutoResponseSuppress + ", subject " + e.Subject
	}
	return ""
}

// outOfOfficeSubject is how Outlook starts the subject of its automatic replies, in the
// languages of the help desk's customers.
var outOfOfficeSubject = regexp.MustCompile(`(?i)^\s*(automatic reply|auto reply|autoreply|` +
	`out of office|réponse automatique|absence du bureau|automatische antwort|abwesenheitsnotiz|` +
	`respuesta automática|risposta automatica|automatisch antwoord|resposta automática|` +
	`autosvar|automatisk svar)\s*:`)

// firstWord is a header value's first word, lower-cased: "auto-replied" of
// "Auto-Replied (vacation)".
func firstWord(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if i := strings.IndexAny(v, " \t;,("); i >= 0 {
		v = v[:i]
	}
	return v
}
