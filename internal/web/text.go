package web

import (
	"html"
	"strings"
)

// TextToHTML turns what a person typed (a teammate's reply, a customer's message) into the HTML
// that bodies are stored as (Intercom's bodies are HTML): paragraphs at blank lines, line breaks
// within them, everything escaped. Bytes the database cannot store (NUL, invalid UTF-8) are
// dropped.
func TextToHTML(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.ReplaceAll(s, "\x00", "")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	for para := range strings.SplitSeq(strings.TrimSpace(s), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		lines := strings.Split(para, "\n")
		for i := range lines {
			lines[i] = html.EscapeString(strings.TrimSpace(lines[i]))
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>") + "</p>")
	}
	return b.String()
}
