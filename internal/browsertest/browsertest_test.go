package browsertest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/browsertest"
)

func TestBrowserRendersALocalPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>t</title><p id=x>hello</p><script>document.getElementById('x').textContent += ' from js'</script>`))
	}))
	defer srv.Close()
	ctx := browsertest.New(t)
	var text string
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL), chromedp.Text("#x", &text, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if text != "hello from js" {
		t.Fatalf("text = %q", text)
	}
}
