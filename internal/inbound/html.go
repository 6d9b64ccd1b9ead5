package inbound

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// StripQuotedHTML returns the text a customer wrote in an HTML reply (E2). Mail clients mark
// their quotes in HTML better than in text, so the quote containers go first: Gmail's
// gmail_quote, the blockquote type="cite" of Apple Mail and Thunderbird, and, from Outlook's
// appendonsend or divRplyFwdMsg on, everything after; with them the signatures clients mark
// (gmail_signature, Outlook's Signature, Thunderbird's moz-signature). The rest is converted to
// text and goes through StripQuoted, for what is only recognisable as text: Outlook desktop's
// unmarked header block, "-- " signatures, "Sent from my iPhone". Gmail puts a forwarded
// message in a gmail_quote too: Email.NewText keeps forwards whole.
func StripQuotedHTML(s string) string {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		// Nesting deeper than the parser allows: no structure to trust.
		return StripQuoted(tokensToText(s))
	}
	removeQuotes(doc)
	return StripQuoted(render(doc))
}

// htmlToText converts an HTML body to plain text: a line per block, blank lines between
// paragraphs, "> " before the lines of a blockquote, "- " before list items, and the address
// of a link after its text when they differ.
func htmlToText(s string) string {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return tokensToText(s)
	}
	return render(doc)
}

// cutMarkers are the ids of the elements from which Outlook's quoted history starts (Outlook on
// the web and 365 prefix them with "x_" when a quote is quoted again).
var cutMarkers = map[string]bool{
	"appendonsend":  true,
	"divRplyFwdMsg": true,
	"mail-editor-reference-message-container": true,
}

// quoteClasses are the classes of quote and signature containers, which are removed.
var quoteClasses = map[string]bool{
	"gmail_quote":                true,
	"gmail_quote_container":      true,
	"gmail_signature":            true,
	"gmail_signature_prefix":     true,
	"yahoo_quoted":               true,
	"moz-cite-prefix":            true,
	"moz-signature":              true,
	"protonmail_quote":           true,
	"protonmail_signature_block": true,
}

// quoteIDs are the ids of signature containers, which are removed.
var quoteIDs = map[string]bool{
	"Signature":                   true,
	"ms-outlook-mobile-signature": true,
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func id(n *html.Node) string { return strings.TrimPrefix(attr(n, "id"), "x_") }

func hasClass(n *html.Node, set map[string]bool) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if set[c] {
			return true
		}
	}
	return false
}

func isQuoteContainer(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	if n.DataAtom == atom.Blockquote && strings.EqualFold(attr(n, "type"), "cite") {
		return true
	}
	return hasClass(n, quoteClasses) || quoteIDs[id(n)]
}

func removeQuotes(doc *html.Node) {
	var marker *html.Node
	var containers []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if marker != nil {
			return
		}
		if n.Type == html.ElementNode && cutMarkers[id(n)] {
			marker = n
			return
		}
		if isQuoteContainer(n) {
			containers = append(containers, n)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if marker != nil {
		// Outlook draws a rule above its header block: it goes too.
		if prev := prevElement(marker); prev != nil && prev.DataAtom == atom.Hr {
			marker = prev
		}
		for n := marker; n.Parent != nil && n.DataAtom != atom.Body; n = n.Parent {
			for n.NextSibling != nil {
				n.Parent.RemoveChild(n.NextSibling)
			}
		}
		marker.Parent.RemoveChild(marker)
	}
	for _, n := range containers {
		if n.Parent != nil && inDocument(n) {
			n.Parent.RemoveChild(n)
		}
	}
}

func prevElement(n *html.Node) *html.Node {
	for p := n.PrevSibling; p != nil; p = p.PrevSibling {
		if p.Type == html.ElementNode {
			return p
		}
		if p.Type == html.TextNode && strings.TrimSpace(p.Data) != "" {
			return nil
		}
	}
	return nil
}

// inDocument tells whether n is still attached to the document, and not cut with what
// followed an Outlook marker.
func inDocument(n *html.Node) bool {
	for ; n.Parent != nil; n = n.Parent {
	}
	return n.Type == html.DocumentNode
}

// textRenderer writes the text of an HTML tree, line by line.
type textRenderer struct {
	lines []string
	cur   strings.Builder
	quote int  // blockquote depth, written as "> " per level
	pre   int  // inside <pre>: white space kept
	space bool // white space seen since the last word of the line
}

func render(doc *html.Node) string {
	var r textRenderer
	r.node(doc)
	r.blockBreak()
	return finishText(r.lines)
}

// finishText turns non-breaking spaces into spaces, trims the lines, makes runs of blank lines
// one and trims blank lines at both ends.
func finishText(lines []string) string {
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(l, "\u00a0", " ")
	}
	return strings.Join(normalizeLines(lines), "\n")
}

func (r *textRenderer) newline() {
	line := r.cur.String()
	prefix := strings.Repeat("> ", r.quote)
	if strings.TrimSpace(line) == "" {
		prefix = strings.TrimSpace(prefix)
	}
	r.lines = append(r.lines, prefix+line)
	r.cur.Reset()
	r.space = false
}

// blockBreak starts a new line unless the current one is empty.
func (r *textRenderer) blockBreak() {
	if r.cur.Len() > 0 {
		r.newline()
	}
}

// paragraphBreak leaves a blank line, once.
func (r *textRenderer) paragraphBreak() {
	r.blockBreak()
	if n := len(r.lines); n > 0 && strings.Trim(r.lines[n-1], "> ") != "" {
		r.lines = append(r.lines, strings.TrimSpace(strings.Repeat("> ", r.quote)))
	}
}

func (r *textRenderer) text(s string) {
	if r.pre > 0 {
		for i, part := range strings.Split(s, "\n") {
			if i > 0 {
				r.newline()
			}
			r.cur.WriteString(part)
		}
		return
	}
	for _, c := range s {
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' {
			r.space = true
			continue
		}
		if r.space && r.cur.Len() > 0 {
			r.cur.WriteByte(' ')
		}
		r.space = false
		r.cur.WriteRune(c)
	}
}

// isHidden tells the elements a mail client does not show, such as the preview text some
// senders hide at the top.
func isHidden(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key == "hidden" {
			return true
		}
	}
	style := strings.ToLower(strings.Join(strings.Fields(attr(n, "style")), ""))
	return strings.Contains(style, "display:none")
}

func (r *textRenderer) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.node(c)
	}
}

func (r *textRenderer) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		r.text(n.Data)
		return
	case html.DocumentNode:
		r.children(n)
		return
	case html.ElementNode:
	default:
		return
	}
	if isHidden(n) {
		return
	}
	switch n.DataAtom {
	case atom.Head, atom.Script, atom.Style, atom.Title, atom.Template, atom.Img, atom.Input,
		atom.Select, atom.Button, atom.Object, atom.Iframe, atom.Svg:
		return
	case atom.Br:
		r.newline()
	case atom.Hr:
		r.paragraphBreak()
	case atom.P:
		if strings.Contains(attr(n, "class"), "Mso") {
			// Outlook writes each line as a paragraph without margins.
			r.block(n)
		} else {
			r.paragraphBreak()
			r.children(n)
			r.paragraphBreak()
		}
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		r.paragraphBreak()
		r.children(n)
		r.paragraphBreak()
	case atom.Blockquote:
		r.blockBreak()
		r.quote++
		r.children(n)
		r.blockBreak()
		r.quote--
	case atom.Pre:
		r.blockBreak()
		r.pre++
		r.children(n)
		r.pre--
		r.blockBreak()
	case atom.Ul, atom.Ol:
		r.blockBreak()
		number := 0
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.DataAtom == atom.Li {
				number++
				r.blockBreak()
				if n.DataAtom == atom.Ol {
					r.cur.WriteString(strconv.Itoa(number) + ". ")
				} else {
					r.cur.WriteString("- ")
				}
				r.children(c)
				r.blockBreak()
				continue
			}
			r.node(c)
		}
		r.blockBreak()
	case atom.Td, atom.Th:
		r.space = true
		r.children(n)
		r.space = true
	case atom.A:
		r.link(n)
	case atom.Div, atom.Li, atom.Tr, atom.Table, atom.Tbody, atom.Thead, atom.Tfoot,
		atom.Section, atom.Article, atom.Header, atom.Footer, atom.Address, atom.Center,
		atom.Dl, atom.Dt, atom.Dd, atom.Figure, atom.Figcaption, atom.Main, atom.Nav, atom.Aside,
		atom.Form, atom.Fieldset, atom.Caption:
		r.block(n)
	default:
		r.children(n)
	}
}

func (r *textRenderer) block(n *html.Node) {
	r.blockBreak()
	r.children(n)
	r.blockBreak()
}

// link writes a link's text, then its address when the text does not already say it, so
// that "click here" keeps where it goes.
func (r *textRenderer) link(n *html.Node) {
	lines, start := len(r.lines), r.cur.Len()
	r.children(n)
	href := strings.TrimSpace(attr(n, "href"))
	lower := strings.ToLower(href)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return
	}
	if len(r.lines) == lines {
		text := strings.TrimSpace(r.cur.String()[start:])
		if text == "" || sameURL(text, href) {
			if text == "" {
				r.text(href)
			}
			return
		}
	}
	r.text(" (" + href + ")")
}

func sameURL(text, href string) bool {
	trim := func(s string) string {
		s = strings.ToLower(s)
		s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
		return strings.TrimSuffix(s, "/")
	}
	return trim(text) == trim(href)
}

// tokensToText is the fallback for HTML too deeply nested to parse into a tree: its text, a
// line per block element.
func tokensToText(s string) string {
	var r textRenderer
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			r.blockBreak()
			return finishText(r.lines)
		case html.TextToken:
			if skip == 0 {
				r.text(string(z.Text()))
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Script, atom.Style, atom.Head, atom.Title:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case atom.Br:
				r.newline()
			case atom.P, atom.Div, atom.Li, atom.Tr, atom.Blockquote, atom.H1, atom.H2, atom.H3,
				atom.H4, atom.H5, atom.H6, atom.Table, atom.Hr, atom.Pre:
				r.blockBreak()
			}
		}
	}
}
