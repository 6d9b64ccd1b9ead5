package ticket

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/renderer/html"
)

// markdown renders descriptions written as Markdown; HTML in them passes through to the
// sanitiser, which decides what stays.
var markdown = goldmark.New(goldmark.WithRendererOptions(html.WithUnsafe(), html.WithHardWraps()))

// richText is what a description may hold (TT3): paragraphs, bold, italic, ordered and
// unordered lists, code blocks, quotes and links, and nothing else: no script, no event
// handlers, no javascript: links, no styles.
var richText = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "strong", "b", "em", "i", "ol", "ul", "li", "pre", "code", "blockquote")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

var htmlTag = regexp.MustCompile(`(?i)^\s*<(p|ul|ol|pre|blockquote|strong|em|b|i|a|br|code|div|span)\b`)

// SanitizeDescription returns the description as it is stored (TT3): HTML is kept to the rich
// text elements and attributes above; anything else is read as Markdown first.
func SanitizeDescription(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if !htmlTag.MatchString(s) {
		var b bytes.Buffer
		if err := markdown.Convert([]byte(s), &b); err == nil {
			s = b.String()
		}
	}
	return strings.TrimSpace(richText.Sanitize(s))
}
