package mail

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxQuoteDepth caps the "> " prefixes of nested blockquotes, so that hostile nesting cannot
// blow up the size of the text.
const maxQuoteDepth = 8

// HTMLToText renders comment HTML as plain text for the text/plain part of an email: paragraphs
// and headings become blank-line separated blocks, <br> a line break, list items "- " or "1. ",
// blockquotes "> ", <pre> keeps its lines, <strong> and <em> become *x* and _x_, and a link its
// text followed by the address in parentheses. Everything else keeps only its text; script and
// style are dropped. The input is parsed as HTML5, so any string is safe to pass, sanitised or not;
// the output is text and must be escaped if it is ever put back into HTML.
func HTMLToText(s string) string {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), body)
	if err != nil { // elements nested too deep for the parser: keep the text, lose the shape
		return flatText(s)
	}
	w := &textWriter{}
	for _, n := range nodes {
		w.node(n)
	}
	return w.String()
}

// flatText is the text of HTML that the parser refuses, one line per block element.
func flatText(s string) string {
	w := &textWriter{}
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // inside script or style
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			return w.String()
		case html.TextToken:
			if skip == 0 {
				w.text(string(z.Text()))
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Script, atom.Style:
				if tt == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			case atom.A, atom.Span, atom.Strong, atom.B, atom.Em, atom.I, atom.Code, atom.U, atom.S, atom.Small, atom.Sub, atom.Sup:
			default:
				w.block(1)
			}
		}
	}
}

type textWriter struct {
	b           strings.Builder
	prefix      []string // one per blockquote ("> ") or list item (its indentation) we are in
	breaks      int      // line breaks owed before the next word: 0, 1 or 2 (a blank line)
	breakDepth  int      // how many prefixes were open when the breaks began to be owed
	space       bool     // a collapsed space is owed before the next word
	glue        bool     // the next word sticks to the last one (after an opening *)
	afterMarker bool     // a list marker was just written: a <p> in the item stays on its line
	lineOpen    bool     // the current line has its prefix already
	pre         int      // inside <pre>: whitespace is kept
	lists       []int    // one per open list: 0 for <ul>, else the next number of an <ol>
	quotes      int
}

// String is the text, without trailing spaces on lines or blank lines around it.
func (w *textWriter) String() string {
	lines := strings.Split(w.b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

func (w *textWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
	default:
		w.children(n)
		return
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Head, atom.Template, atom.Noscript, atom.Title, atom.Iframe,
		atom.Object, atom.Svg, atom.Math:
		return
	case atom.Br:
		w.owe(min(w.breaks+1, 2))
	case atom.Hr:
		w.block(2)
		w.word("----")
		w.block(2)
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table,
		atom.Section, atom.Article, atom.Header, atom.Footer, atom.Dl, atom.Figure:
		w.block(2)
		w.children(n)
		w.block(2)
	case atom.Tr, atom.Dt, atom.Dd, atom.Figcaption:
		w.block(1)
		w.children(n)
		w.block(1)
	case atom.Td, atom.Th:
		w.space = true
		w.children(n)
		w.space = true
	case atom.Blockquote:
		w.block(2)
		quoted := w.quotes < maxQuoteDepth
		if quoted {
			w.quotes++
			w.prefix = append(w.prefix, "> ")
		}
		w.children(n)
		w.block(2)
		if quoted {
			w.prefix = w.prefix[:len(w.prefix)-1]
			w.quotes--
		}
	case atom.Pre:
		w.block(2)
		w.pre++
		w.children(n)
		w.pre--
		w.block(2)
	case atom.Ul, atom.Ol:
		gap := 2
		if len(w.lists) > 0 {
			gap = 1
		}
		w.block(gap)
		next := 0
		if n.DataAtom == atom.Ol {
			next = 1
			if v, err := strconv.Atoi(attr(n, "start")); err == nil && v >= 0 && v < 1e6 {
				next = v
			}
		}
		w.lists = append(w.lists, next)
		w.children(n)
		w.lists = w.lists[:len(w.lists)-1]
		w.block(gap)
	case atom.Li:
		w.block(1)
		marker := "- "
		if len(w.lists) > 0 {
			if k := w.lists[len(w.lists)-1]; k > 0 {
				marker = strconv.Itoa(k) + ". "
				w.lists[len(w.lists)-1]++
			}
		}
		w.word(marker)
		w.glue, w.afterMarker = true, true
		w.prefix = append(w.prefix, strings.Repeat(" ", len(marker)))
		w.children(n)
		w.prefix = w.prefix[:len(w.prefix)-1]
		w.afterMarker = false
		w.breaks = min(w.breaks, 1) // a <p> in an item does not part it from the next
		w.block(1)
	case atom.Strong, atom.B:
		w.wrapped(n, "*")
	case atom.Em, atom.I:
		w.wrapped(n, "_")
	case atom.A:
		w.link(n)
	case atom.Img:
		w.text(attr(n, "alt"))
	default:
		w.children(n)
	}
}

func (w *textWriter) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
}

// block owes n line breaks before whatever comes next: 1 for a new line, 2 for a blank line.
func (w *textWriter) block(n int) {
	if w.afterMarker {
		return
	}
	w.owe(max(w.breaks, n))
}

func (w *textWriter) owe(breaks int) {
	if w.breaks == 0 {
		w.breakDepth = len(w.prefix)
	}
	w.breaks, w.space = breaks, false
}

// text writes a text node: whitespace collapsed to single spaces, or kept inside <pre>.
func (w *textWriter) text(s string) {
	if w.pre > 0 {
		s = strings.ReplaceAll(s, "\r", "")
		for i, line := range strings.Split(s, "\n") {
			if i > 0 {
				w.owe(min(w.breaks+1, 2))
			}
			if line != "" {
				w.space = false
				w.startWord()
				w.b.WriteString(line)
			}
		}
		return
	}
	words := strings.Fields(s)
	if len(words) == 0 {
		if s != "" {
			w.space = true
		}
		return
	}
	if first, _ := utf8.DecodeRuneInString(s); unicode.IsSpace(first) {
		w.space = true
	}
	for _, word := range words {
		w.word(word)
		w.space = true
	}
	if last, _ := utf8.DecodeLastRuneInString(s); !unicode.IsSpace(last) {
		w.space = false
	}
}

// word writes s after the breaks, prefix or space it is owed.
func (w *textWriter) word(s string) {
	w.startWord()
	w.b.WriteString(s)
}

func (w *textWriter) startWord() {
	w.afterMarker = false
	if w.b.Len() == 0 {
		w.breaks = 0
	}
	if w.breaks > 0 {
		// A blank line belongs to what both sides are in: none of a quote's "> " before or
		// after it.
		blank := strings.TrimRight(strings.Join(w.prefix[:min(w.breakDepth, len(w.prefix))], ""), " ")
		for i := range w.breaks {
			w.b.WriteByte('\n')
			if i < w.breaks-1 {
				w.b.WriteString(blank)
			}
		}
		w.breaks, w.lineOpen, w.space = 0, false, false
	}
	if !w.lineOpen {
		for _, p := range w.prefix {
			w.b.WriteString(p)
		}
		w.lineOpen, w.space = true, false
	}
	if w.space && !w.glue {
		w.b.WriteByte(' ')
	}
	w.space, w.glue = false, false
}

// wrapped writes *bold* or _italic_, the marks against the words; an empty element gets none,
// and <pre> keeps its text as it is.
func (w *textWriter) wrapped(n *html.Node, mark string) {
	inner := plainText(n)
	if w.pre > 0 || strings.TrimSpace(inner) == "" {
		w.children(n)
		return
	}
	if first, _ := utf8.DecodeRuneInString(inner); unicode.IsSpace(first) {
		w.space = true
	}
	w.word(mark)
	w.glue = true
	w.children(n)
	// The closing mark goes right after the last word, even when a block inside owes breaks.
	w.b.WriteString(mark)
}

// link writes the text of a link and, when it says something else, its address.
func (w *textWriter) link(n *html.Node) {
	href := strings.TrimSpace(attr(n, "href"))
	if u, err := url.Parse(href); err != nil || !(u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "mailto") {
		href = ""
	}
	text := strings.Join(strings.Fields(plainText(n)), " ")
	w.children(n)
	if href == "" || w.pre > 0 {
		return
	}
	shown := strings.TrimPrefix(href, "mailto:")
	switch {
	case text == "":
		w.word(shown)
	case text != shown && text != href:
		owed := w.space
		w.space = true
		w.word("(" + href + ")")
		w.space = owed
	}
}

// plainText is the bare text under n.
func plainText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == name {
			return a.Val
		}
	}
	return ""
}
