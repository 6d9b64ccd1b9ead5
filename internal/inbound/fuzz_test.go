package inbound_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/helpdesk/helpdesk/internal/inbound"
)

func addSamples(f *testing.F, text func(inbound.Email) string) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(files) == 0 {
		f.Fatal("no samples", err)
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if text == nil {
			f.Add(string(raw))
			continue
		}
		if e, err := inbound.Parse(raw); err == nil {
			f.Add(text(e))
		}
	}
}

// StripQuoted only removes lines and trailing spaces: whatever the input, every line it returns
// is one of the input's, and stripping again changes nothing.
func FuzzStripQuoted(f *testing.F) {
	addSamples(f, func(e inbound.Email) string { return e.Text })
	f.Add("> a\nSent from my iPhone\n> b\n")
	f.Add("On a wrote:\nOn b wrote:\n> q\n")
	f.Add("x\r\n-- \r\ny\r\n\r\nFrom: a\r\nSent: b\r\nTo: c\r\n")
	f.Fuzz(func(t *testing.T, text string) {
		got := inbound.StripQuoted(text)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if again := inbound.StripQuoted(got); again != got {
			t.Fatalf("not idempotent:\n%q\n%q", got, again)
		}
		if !utf8.ValidString(text) || strings.ContainsAny(text, "\r\ufeff") {
			return
		}
		in := map[string]bool{}
		for _, l := range strings.Split(text, "\n") {
			in[strings.TrimRightFunc(l, unicode.IsSpace)] = true
		}
		for _, l := range strings.Split(got, "\n") {
			if l != "" && !in[l] {
				t.Fatalf("line %q is not in the input", l)
			}
		}
	})
}

func FuzzStripQuotedHTML(f *testing.F) {
	addSamples(f, func(e inbound.Email) string { return e.HTML })
	f.Add(`<div id="appendonsend"></div><blockquote type="cite"><div class="gmail_quote">x</div></blockquote>`)
	f.Fuzz(func(t *testing.T, html string) {
		if got := inbound.StripQuotedHTML(html); !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
	})
}

// Parse takes mail from anyone on the internet: it never panics, and what it returns is UTF-8.
func FuzzParse(f *testing.F) {
	addSamples(f, nil)
	f.Add("From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: base64\r\n\r\nw6k=\r\n--x--\r\n")
	f.Fuzz(func(t *testing.T, raw string) {
		e, err := inbound.Parse([]byte(raw))
		if err != nil {
			return
		}
		_ = inbound.ReplyTokens(e)
		_ = e.IsAutoReply()
		for _, s := range []string{e.Subject, e.From.Name, e.From.Addr, e.Text, e.HTML, e.NewText()} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8: %q", s)
			}
		}
	})
}
