package mail_test

import (
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/mail"
)

func TestHTMLToText(t *testing.T) {
	for _, tc := range []struct{ name, html, want string }{
		{"empty", "", ""},
		{"plain text", "just  some\n text", "just some text"},
		{"paragraphs and breaks", "<p>Hello,</p><p>first line<br>second line</p>", "Hello,\n\nfirst line\nsecond line"},
		{"breaks collapse to a blank line", "<p>a<br><br><br><br>b</p>", "a\n\nb"},
		{"bold and italic", "<p>This is <strong>very</strong> <em>urgent</em>, <b>really</b>!</p>", "This is *very* _urgent_, *really*!"},
		{"marks keep the spaces outside", "a<strong> b </strong>c <em></em>d", "a *b* c d"},
		{"links", `<p>See <a href="https://acme.example/doc">the docs</a>, <a href="https://acme.example">https://acme.example</a> or <a href="mailto:help@acme.example">help@acme.example</a>.</p>`,
			"See the docs (https://acme.example/doc), https://acme.example or help@acme.example."},
		{"unsafe link keeps only its text", `<a href="javascript:alert(1)">click</a>`, "click"},
		{"link without text", `<a href="https://acme.example/x"></a>`, "https://acme.example/x"},
		{"unordered list", "<p>Steps:</p><ul><li>one</li><li><p>two</p></li></ul><p>Done.</p>", "Steps:\n\n- one\n- two\n\nDone."},
		{"ordered list", `<ol><li>first</li><li>second</li></ol><ol start="9"><li>ninth</li></ol>`, "1. first\n2. second\n\n9. ninth"},
		{"nested list", "<ul><li>a<ul><li>a1</li><li>a2</li></ul></li><li>b</li></ul>", "- a\n  - a1\n  - a2\n- b"},
		{"multi-line item", "<ol><li>line one<br>line two</li></ol>", "1. line one\n   line two"},
		{"blockquote", "<p>You wrote:</p><blockquote><p>It broke.</p><p>Twice.</p></blockquote><p>Fixed.</p>",
			"You wrote:\n\n> It broke.\n>\n> Twice.\n\nFixed."},
		{"nested blockquote", "<blockquote>a<blockquote>b</blockquote></blockquote>", "> a\n>\n> > b"},
		{"pre keeps whitespace", "<pre><code>if x {\n\treturn  &lt;y&gt;\n}\n</code></pre><p>ok</p>", "if x {\n\treturn  <y>\n}\n\nok"},
		{"entities", "<p>Tom &amp; Jerry &lt;3 &quot;x&quot; &nbsp;&eacute;</p>", `Tom & Jerry <3 "x" é`},
		{"script and style dropped", "<p>a</p><script>alert(1)</script><style>p{color:red}</style><p>b</p>", "a\n\nb"},
		{"broken HTML", "<p>unclosed <strong>bold<li>item</p></div>", "unclosed *bold*\n\n- *item*"},
		{"image alt", `<p>Look: <img src="x.png" alt="a screenshot"></p>`, "Look: a screenshot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mail.HTMLToText(tc.html); got != tc.want {
				t.Errorf("HTMLToText(%q) =\n%s\nwant\n%s", tc.html, got, tc.want)
			}
		})
	}
}

func TestHTMLToText_survives_hostile_nesting(t *testing.T) {
	deep := strings.Repeat("<blockquote>", 5000) + "deep" + strings.Repeat("</blockquote>", 5000)
	got := mail.HTMLToText(deep)
	if !strings.HasSuffix(got, "deep") || len(got) > 200 {
		t.Errorf("5000 nested quotes gave %d bytes: %.80q", len(got), got)
	}
}
