package messenger

import (
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
)

// cleanText is a single-line or multi-line value typed into a form, without what the database
// cannot store.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.ReplaceAll(strings.ReplaceAll(s, "\x00", ""), "\r\n", "\n")
}

// plainText is the text of stored HTML, for one-line excerpts.
var plainText = bluemonday.StrictPolicy()

// excerpt is the first n characters of the text of stored HTML, on one line.
func excerpt(body string, n int) string {
	s := strings.ReplaceAll(body, "<br>", " ")
	s = strings.ReplaceAll(s, "</p>", "</p> ")
	s = html.UnescapeString(plainText.Sanitize(s))
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// when is a time as pages show it; the page's script shows it in the reader's own time zone.
type when struct {
	ISO  string // for <time datetime>
	Text string
}

func whenOf(t time.Time) when {
	if t.IsZero() {
		return when{}
	}
	t = t.UTC()
	return when{ISO: t.Format(time.RFC3339), Text: t.Format("2 Jan 2006, 15:04 UTC")}
}
