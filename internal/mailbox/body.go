package mailbox

import (
	"html"
	"strings"
)

// maxBodyText is how much of a customer's text becomes a comment: far more than anyone types,
// and a bound on what a forwarded 25 MB message can put in a timeline.
const maxBodyText = 1 << 20

// bodyHTML makes the plain text a customer wrote into a comment body, as the API and the
// Messenger store comments: simple HTML paragraphs, one per block of lines, the lines of a block
// joined by <br>. Every character of the text is escaped, so whatever the email held, the
// comment holds no markup of the sender's. Control characters other than tabs go, since a
// database may refuse them (NUL on PostgreSQL). Empty when the text has nothing but spaces.
func bodyHTML(text string) string {
	if len(text) > maxBodyText {
		text = text[:maxBodyText]
		if i := strings.LastIndexByte(text, '\n'); i > 0 {
			text = text[:i]
		}
		text = strings.ToValidUTF8(text, "") + "\n…"
	}
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r':
			return '\n'
		case r < 0x20 || r == 0x7f || 0x80 <= r && r < 0xa0:
			return -1
		}
		return r
	}, text)

	var b strings.Builder
	var para []string
	flush := func() {
		if len(para) == 0 {
			return
		}
		b.WriteString("<p>")
		for i, line := range para {
			if i > 0 {
				b.WriteString("<br>")
			}
			b.WriteString(html.EscapeString(line))
		}
		b.WriteString("</p>")
		para = para[:0]
	}
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimRight(line, " \t\u00a0")
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		para = append(para, line)
	}
	flush()
	return b.String()
}
