package inbound_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/inbound"
)

func parseFile(t *testing.T, name string) inbound.Email {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	e, err := inbound.Parse(raw)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return e
}

// The replies of testdata, as the clients named in their file names write them, and what the
// customer wrote in each: what E2 threads into the ticket as their comment.
var realReplies = []struct {
	file string
	want string
}{
	{"gmail.eml", "Thanks, that worked!\n\nJane"},
	{"gmail_html_only.eml", "Hi,\n\nHere is the screenshot: screenshot.png (https://drive.example.com/file/d/1AbC)\nIt happens on every page.\n\nJane"},
	{"gmail_fr.eml", "Bonjour,\n\nMerci, ça marche à nouveau.\n\nCordialement,\nJeanne"},
	{"gmail_de.eml", "Hallo,\n\ndas Problem besteht weiterhin. Anbei die Fehlermeldung: \"Zugriff verweigert\".\n\nViele Grüße\nJürgen"},
	{"outlook_desktop.eml", "Hi,\n\nThe invoice is attached. It’s the one from October – please check.\n\nBest regards\nMark"},
	{"outlook_original_message.eml", "Yes, please close it.\n\nMark"},
	{"outlook_ios.eml", "Sure, go ahead."},
	{"apple_mail.eml", "Hi,\n\nI tried again this morning and the export still fails with the same error. I attached nothing this time because the file is too big.\n\nThanks,\nAnna"},
	{"iphone.eml", "Thanks, that fixed it!"},
	{"top_posted_history.eml", "Great, thank you both.\n\nPriya"},
	{"customer_quote_top.eml", "> Could you send us the log file?\n\nHere it is: https://paste.example.com/x1"},
	{"bottom_posted.eml", "Version 4.2 on Debian 13."},
	{"no_quote.eml", "Hello,\n\nI can’t log in since this morning: the page says “session expired”.\n\nRegards,\nRené"},
	{"mixed_attachments.eml", "Bonjour,\n\nVoici la capture d’écran et la facture de mars.\n\nLuc"},
}

func TestE2_RepliesOfRealClientsKeepOnlyWhatTheCustomerWrote(t *testing.T) {
	for _, tc := range realReplies {
		t.Run(tc.file, func(t *testing.T) {
			e := parseFile(t, tc.file)
			if got := e.NewText(); got != tc.want {
				t.Errorf("NewText:\n%s\n--- want:\n%s", got, tc.want)
			}
			// The HTML alternative, where the client sent one, says the same.
			if e.HTML != "" && !e.TextFromHTML {
				if got := inbound.StripQuotedHTML(e.HTML); got != tc.want {
					t.Errorf("StripQuotedHTML:\n%s\n--- want:\n%s", got, tc.want)
				}
			}
		})
	}
}

// What arrives over SMTP has CRLF line ends; the files have LF.
func TestE2_RepliesWithCRLFLineEnds(t *testing.T) {
	for _, tc := range realReplies {
		raw, err := os.ReadFile(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		e, err := inbound.Parse(bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n")))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if got := e.NewText(); got != tc.want {
			t.Errorf("%s:\n%s\n--- want:\n%s", tc.file, got, tc.want)
		}
	}
}

func TestE2_StripQuoted(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"no quote", "Hello,\n\nIt works.\n", "Hello,\n\nIt works."},
		{"empty", "", ""},
		{"only a quote", "On Tue, 3 Nov 2026 at 10:02, Helpdesk <reply+x@support.example.com> wrote:\n> Hello\n", ""},
		{"CR LF and trailing spaces", "Fine.  \r\n\r\n\r\n\r\nThanks\r\n\r\n> quoted\r\n", "Fine.\n\nThanks"},
		{"signature delimiter", "Done.\n\n-- \nJane Doe\nAcme Ltd\n", "Done."},
		{"signature delimiter without its space", "Done.\n--\nJane Doe\n", "Done."},
		{"Sent from my iPhone", "Yes\n\nSent from my iPhone", "Yes"},
		{"Sent from my iPad then a quote", "Yes\n\nSent from my iPad\n\n> On 3 Nov 2026, at 10:02, Helpdesk <reply+x@s.example> wrote:\n> Hi", "Yes"},
		{"Get Outlook for Android", "OK\n\nGet Outlook for Android<https://aka.ms/AAb9ysg>", "OK"},
		{"Envoyé de mon iPhone", "D'accord.\n\nEnvoyé de mon iPhone", "D'accord."},
		{"Von meinem iPhone gesendet", "Danke.\n\nVon meinem iPhone gesendet", "Danke."},
		{"Sent from Mail for Windows", "Thanks\n\nSent from Mail for Windows\n", "Thanks"},
		{"a sentence that starts like a mobile signature stays",
			"Sent from my iPhone the link does not open, from my laptop it does.\n",
			"Sent from my iPhone the link does not open, from my laptop it does."},
		{"Outlook header block",
			"Thanks\n\nFrom: Helpdesk <reply+x@s.example>\nSent: Tuesday, November 3, 2026 10:02 AM\nTo: Mark <m@c.example>\nSubject: RE: hi\n\nHello",
			"Thanks"},
		{"Outlook header block with bold labels",
			"Thanks\n\n*From:* Helpdesk <reply+x@s.example>\n*Sent:* Tuesday, November 3, 2026 10:02 AM\n*To:* Mark\n*Subject:* RE: hi\n\nHello",
			"Thanks"},
		{"Outlook for Mac header block",
			"Thanks\n\nFrom: Helpdesk <reply+x@s.example>\nDate: Tuesday, 3 November 2026 at 10:02\nTo: Mark <m@c.example>\nSubject: Re: hi\n\nHello",
			"Thanks"},
		{"Outlook header block in French",
			"Merci\n\n________________________________\nDe : Helpdesk <reply+x@s.example>\nEnvoyé : mardi 3 novembre 2026 10:02\nÀ : Marc <m@c.example>\nObjet : RE: bonjour\n\nBonjour",
			"Merci"},
		{"Outlook header block in German",
			"Danke\n\nVon: Helpdesk <reply+x@s.example>\nGesendet: Dienstag, 3. November 2026 10:02\nAn: Markus <m@c.example>\nBetreff: AW: Hallo\n\nHallo",
			"Danke"},
		{"a From line alone is the customer's",
			"From: my colleague, the export still fails.\nTo: be honest, it never worked.\n",
			"From: my colleague, the export still fails.\nTo: be honest, it never worked."},
		{"Original Message", "Closed, thanks.\n\n-----Original Message-----\nFrom: Helpdesk\nHello", "Closed, thanks."},
		{"Ursprüngliche Nachricht", "Erledigt.\n\n-----Ursprüngliche Nachricht-----\nVon: Helpdesk\nHallo", "Erledigt."},
		{"Android's Original message", "Ok\n\n-------- Original message --------\nFrom: Helpdesk <reply+x@s.example>\nDate: 03/11/2026 10:02\n", "Ok"},
		{"unmarked history after an attribution with an address",
			"Works now.\n\nOn Tuesday, November 3, 2026, 10:02:00 AM GMT+1, Helpdesk <reply+x@s.example> wrote:\n\nHello, please try again.\n",
			"Works now."},
		{"a sentence ending like an attribution, followed by text, stays",
			"On Monday I wrote:\nthe export fails on large files.\n",
			"On Monday I wrote:\nthe export fails on large files."},
		{"Spanish attribution", "Gracias.\n\nEl mar, 3 nov 2026 a las 10:02, Helpdesk (<reply+x@s.example>) escribió:\n> Hola", "Gracias."},
		{"Dutch attribution", "Bedankt.\n\nOp di 3 nov 2026 om 10:02 schreef Helpdesk <reply+x@s.example>:\n> Hallo", "Bedankt."},
		{"Thunderbird German attribution", "Danke.\n\nAm 03.11.26 um 10:02 schrieb Helpdesk:\n> Hallo", "Danke."},
		{"attribution in no known language, followed by a quote", "Sure.\n\nHelpdesk <reply+x@s.example> wrote:\n> Hello", "Sure."},
		{"bottom-posted answers keep their words",
			"On 03/11/2026 10:02, Helpdesk wrote:\n> Which version?\n\n4.2\n\n> Which system?\n\nDebian\n",
			"4.2\n\n> Which system?\n\nDebian"},
		{"a line the customer quotes to answer it stays",
			"> Could you send the logs?\nHere they are.\n\n> And the version?\n4.2",
			"> Could you send the logs?\nHere they are.\n\n> And the version?\n4.2"},
		{"forwarded messages stay",
			"See below.\n\n---------- Forwarded message ---------\nFrom: Bank <no-reply@bank.example>\nDate: Mon, 2 Nov 2026\nSubject: Payment\nTo: <jane@acme.example>\n\nPayment failed.",
			"See below.\n\n---------- Forwarded message ---------\nFrom: Bank <no-reply@bank.example>\nDate: Mon, 2 Nov 2026\nSubject: Payment\nTo: <jane@acme.example>\n\nPayment failed."},
		{"Apple's forward",
			"FYI\n\nBegin forwarded message:\n\nFrom: Bank <no-reply@bank.example>\nSubject: Payment\nDate: 2 November 2026 at 09:00:00 CET\nTo: Jane <jane@acme.example>\n\nPayment failed.\n-- \nYour Bank",
			"FYI\n\nBegin forwarded message:\n\nFrom: Bank <no-reply@bank.example>\nSubject: Payment\nDate: 2 November 2026 at 09:00:00 CET\nTo: Jane <jane@acme.example>\n\nPayment failed.\n--\nYour Bank"},
		{"French sentence ending in a écrit, followed by text, stays",
			"Le client a écrit :\nrien ne marche.",
			"Le client a écrit :\nrien ne marche."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := inbound.StripQuoted(tc.in); got != tc.want {
				t.Errorf("StripQuoted(%q):\n%s\n--- want:\n%s", tc.in, got, tc.want)
			}
		})
	}
}

func TestE2_StripQuotedHTML(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"Apple Mail, attribution outside the quote",
			`<div>Works now.</div><div><br></div><div>On 3 Nov 2026, at 10:02, Helpdesk &lt;reply+x@s.example&gt; wrote:<br><blockquote type="cite"><div>Hello</div></blockquote></div>`,
			"Works now."},
		{"Thunderbird",
			`<html><body><p>Version 4.2.</p><pre class="moz-signature" cols="72">-- 
Tom</pre><div class="moz-cite-prefix">On 03/11/2026 10:02, Helpdesk wrote:<br></div><blockquote type="cite" cite="mid:x@s.example">Which version?</blockquote></body></html>`,
			"Version 4.2."},
		{"Yahoo",
			`<div>Fine by me.</div><div id="yahoo_quoted_123" class="yahoo_quoted"><div>On Tuesday, November 3, 2026, 10:02:00 AM GMT+1, Helpdesk wrote:</div><div>Hello</div></div>`,
			"Fine by me."},
		{"Outlook on the web",
			`<div>Please close it.</div><div id="Signature"><p>Mark Smith<br>Contoso</p></div><div id="appendonsend"></div><hr tabindex="-1"><div id="divRplyFwdMsg"><b>From:</b> Helpdesk<br><b>Sent:</b> Tuesday<br><b>To:</b> Mark</div><div>Hello Mark</div>`,
			"Please close it."},
		{"Outlook quote quoted again (x_ ids)",
			`<p>OK</p><div id="x_divRplyFwdMsg"><b>From:</b> Helpdesk</div><p>Hello</p>`,
			"OK"},
		{"Outlook marker nested deep: what follows its ancestors goes too",
			`<div><div><p>Yes.</p><div id="appendonsend"></div><p>old</p></div><p>older</p></div><p>oldest</p>`,
			"Yes."},
		{"the customer's own blockquote stays, marked",
			`<p>About your advice:</p><blockquote>Use version 4.</blockquote><p>It does not exist.</p>`,
			"About your advice:\n\n> Use version 4.\n\nIt does not exist."},
		{"Outlook desktop header block without marker",
			`<p class="MsoNormal">Done.</p><p class="MsoNormal">&nbsp;</p><div style="border:none;border-top:solid #E1E1E1 1.0pt"><p class="MsoNormal"><b>From:</b> Helpdesk &lt;reply+x@s.example&gt;<br><b>Sent:</b> Tuesday, November 3, 2026 10:02 AM<br><b>To:</b> Mark<br><b>Subject:</b> RE: hi</p></div><p class="MsoNormal">Hello</p>`,
			"Done."},
		{"too deeply nested for a tree: text all the same",
			strings.Repeat("<div>", 600) + "Deep. <br>Still here." + strings.Repeat("</div>", 600),
			"Deep.\nStill here."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := inbound.StripQuotedHTML(tc.in); got != tc.want {
				t.Errorf("StripQuotedHTML:\n%s\n--- want:\n%s", got, tc.want)
			}
		})
	}
}

// An HTML-only message's Text is its HTML as text, quotes included and marked with "> ".
func TestHTMLBodyAsText(t *testing.T) {
	for _, tc := range []struct {
		name, html, want string
	}{
		{"Gmail's lines and blank lines", `<div dir="ltr">One<div><br></div><div>Two</div><div>Three<br></div></div>`, "One\n\nTwo\nThree"},
		{"paragraphs", `<p>One</p><p>Two<br>Three</p>`, "One\n\nTwo\nThree"},
		{"Outlook's paragraphs are lines", `<p class=MsoNormal>One<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Two</p>`, "One\n\nTwo"},
		{"white space", "<div>  a \n b&nbsp;&nbsp;c\t</div>", "a b  c"},
		{"entities", `<p>Tom &amp; Jerry &lt;3 &eacute;t&eacute;</p>`, "Tom & Jerry <3 été"},
		{"links", `<p><a href="https://example.com/a">here</a>, <a href="https://example.com/b">https://example.com/b</a>, <a href="mailto:j@x.example">j@x.example</a></p>`,
			"here (https://example.com/a), https://example.com/b, j@x.example"},
		{"lists", `<ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>`, "- one\n- two\n1. first\n2. second"},
		{"quotes", `<p>Answer</p><blockquote type="cite"><div>Question</div><blockquote>Older</blockquote></blockquote>`, "Answer\n\n> Question\n> > Older"},
		{"pre", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"tables", `<table><tr><td>Name</td><td>Jane</td></tr><tr><td>Plan</td><td>Pro</td></tr></table>`, "Name Jane\nPlan Pro"},
		{"hidden, scripts and styles", `<head><style>p{}</style><title>t</title></head><body><div style="display: none">preview</div><script>x()</script><p>Shown</p><img src="cid:x" alt="logo"></body>`, "Shown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := "From: a@b.example\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + tc.html
			e, err := inbound.Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if !e.TextFromHTML || e.Text != tc.want {
				t.Errorf("Text (from HTML %v):\n%s\n--- want:\n%s", e.TextFromHTML, e.Text, tc.want)
			}
		})
	}
}

// Outlook marks a forward only by its subject: the header block below the customer's note is
// the forwarded mail, which is what they want us to read.
func TestE2_ForwardsAreKeptWhole(t *testing.T) {
	raw := "From: Mark <mark@contoso.example>\r\nTo: support@support.example.com\r\n" +
		"Subject: FW: Payment failed\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"See below.\r\n\r\n________________________________\r\nFrom: Bank <no-reply@bank.example>\r\n" +
		"Sent: Monday, November 2, 2026 9:00 AM\r\nTo: Mark <mark@contoso.example>\r\n" +
		"Subject: Payment failed\r\n\r\nYour payment failed.\r\n"
	e, err := inbound.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := "See below.\n\n________________________________\nFrom: Bank <no-reply@bank.example>\n" +
		"Sent: Monday, November 2, 2026 9:00 AM\nTo: Mark <mark@contoso.example>\n" +
		"Subject: Payment failed\n\nYour payment failed."
	if got := e.NewText(); got != want {
		t.Errorf("NewText:\n%s\n--- want:\n%s", got, want)
	}
}
