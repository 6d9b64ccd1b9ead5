package inbound_test

import (
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/inbound"
)

// Out-of-office replies and bounces answer our notifications too, with the reply token and
// In-Reply-To of a real reply: they must not become the customer's comments.
func TestE2_AutoRepliesAreTold(t *testing.T) {
	for _, tc := range []struct {
		file string
		want string
	}{
		{"out_of_office.eml", "Auto-Submitted: auto-replied"},
		{"exchange_ooo.eml", "X-Auto-Response-Suppress: All, subject Automatic reply: [#1235] Invoice missing"},
		{"dsn_bounce.eml", "Auto-Submitted: auto-replied"},
		{"gmail.eml", ""},
		{"outlook_desktop.eml", ""},
		{"apple_mail.eml", ""},
	} {
		e := parseFile(t, tc.file)
		if got := e.AutoReplyReason(); got != tc.want || e.IsAutoReply() != (tc.want != "") {
			t.Errorf("%s: AutoReplyReason %q IsAutoReply %v, want %q", tc.file, got, e.IsAutoReply(), tc.want)
		}
	}
	if e := parseFile(t, "dsn_bounce.eml"); !e.Report {
		t.Error("a delivery status notification is not a Report")
	}
}

func TestE2_AutoReplyMarkers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		auto   bool
	}{
		{"a person's mail", "", false},
		{"Auto-Submitted: no", "Auto-Submitted: no\r\n", false},
		{"Auto-Submitted: auto-generated", "Auto-Submitted: auto-generated\r\n", true},
		{"Auto-Submitted: auto-replied with a comment", "Auto-Submitted: Auto-Replied (vacation)\r\n", true},
		{"X-Autoreply", "X-Autoreply: yes\r\n", true},
		{"X-Autorespond", "X-Autorespond: Out of office\r\n", true},
		{"Precedence: bulk", "Precedence: bulk\r\n", true},
		{"Precedence: junk", "Precedence: junk\r\n", true},
		{"Precedence: auto_reply", "Precedence: auto_reply\r\n", true},
		{"X-Precedence: auto_reply", "X-Precedence: auto_reply\r\n", true},
		{"Precedence: list is a person on a list", "Precedence: list\r\n", false},
		{"null Return-Path", "Return-Path: <>\r\n", true},
		{"a Return-Path", "Return-Path: <jane@acme.example>\r\n", false},
		{"mailer-daemon", "From: MAILER-DAEMON@mx.acme.example\r\n", true},
		{"postmaster", "From: Microsoft Outlook <postmaster@outlook.com>\r\n", true},
		{"read receipt", "Content-Type: multipart/report; report-type=disposition-notification; boundary=r\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nRead.\r\n--r\r\nContent-Type: message/disposition-notification\r\n\r\nFinal-Recipient: rfc822; jane@acme.example\r\n--r--\r\n", true},
		// Exchange puts it on mail people write: alone, it does not tell an auto-reply.
		{"X-Auto-Response-Suppress alone", "X-Auto-Response-Suppress: All\r\n", false},
		{"X-Auto-Response-Suppress and an out-of-office subject", "X-Auto-Response-Suppress: All\r\nSubject: Réponse automatique : [#1] Test\r\n", true},
		{"an out-of-office subject alone", "Subject: Out of office: are you open on Monday?\r\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.header
			if !strings.HasPrefix(raw, "From:") {
				raw = "From: Jane <jane@acme.example>\r\n" + raw
			}
			if !strings.Contains(raw, "\r\n\r\n") {
				raw += "\r\nHello\r\n"
			}
			e, err := inbound.Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if e.IsAutoReply() != tc.auto {
				t.Errorf("IsAutoReply %v (%q), want %v", e.IsAutoReply(), e.AutoReplyReason(), tc.auto)
			}
		})
	}
}
