package mailbox

import (
	"strings"
	"testing"
)

func TestE2_CommentBodyIsSafeHTMLParagraphs(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"", ""},
		{" \n\t\n", ""},
		{"Thanks!", "<p>Thanks!</p>"},
		{"Hi,\n\nIt works.\nThanks,\nJane", "<p>Hi,</p><p>It works.<br>Thanks,<br>Jane</p>"},
		{"a\r\nb\r\n\r\n\r\n\r\nc  ", "<p>a<br>b</p><p>c</p>"},
		{`<script>alert("x")</script> & <b>bold</b>`, "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</p>"},
		{"> quoted line kept\nanswer", "<p>&gt; quoted line kept<br>answer</p>"},
		{"nul\x00 and bell\x07 and \u0085C1", "<p>nul and bell and C1</p>"},
		{"bad \xff byte", "<p>bad \uFFFD byte</p>"},
	} {
		if got := bodyHTML(tc.text); got != tc.want {
			t.Errorf("bodyHTML(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
	long := strings.Repeat("line of text\n", maxBodyText/10)
	if got := bodyHTML(long); len(got) > maxBodyText*2 || !strings.HasSuffix(got, "<br>…</p>") {
		t.Errorf("a long text is not cut: %d bytes, ends %q", len(got), got[len(got)-20:])
	}
}

func TestTitleOfASubject(t *testing.T) {
	if got := title("  Cannot log in "); got != "Cannot log in" {
		t.Errorf("title %q", got)
	}
	long := strings.Repeat("é", 300)
	if got := title(long); len([]rune(got)) != maxTitle || !strings.HasSuffix(got, "…") {
		t.Errorf("long title has %d characters", len([]rune(got)))
	}
}
