package web_test

import (
	"testing"

	"github.com/helpdesk/helpdesk/internal/web"
)

func TestTextToHTML(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "",
		"  \n\n ":                    "",
		"Hello":                      "<p>Hello</p>",
		"a\nb\r\n\r\nc":              "<p>a<br>b</p><p>c</p>",
		"<script>x</script> & \"q\"": "<p>&lt;script&gt;x&lt;/script&gt; &amp; &#34;q&#34;</p>",
		"nul\x00 and \xff bad":       "<p>nul and  bad</p>",
	} {
		if got := web.TextToHTML(in); got != want {
			t.Errorf("TextToHTML(%q) = %q, want %q", in, got, want)
		}
	}
}
