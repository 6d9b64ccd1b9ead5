// Package browsertest drives Debian's chromium, headless, through chromedp, for the tests of the
// web pages (the Messenger, the portal, the Inbox). A test that needs a browser calls New; where
// chromium is missing the test is skipped, except under CI (CI=true), where .ci/run installs it
// and a missing browser is a failure.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Timeout bounds each test's browser session: a page that never shows what a test waits for
// fails the test instead of hanging the suite.
const Timeout = 3 * time.Minute

// Path finds the browser: $CHROMIUM, else chromium or chromium-browser on PATH.
func Path() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts a headless browser for t with a fresh profile and returns a context for chromedp
// actions in its first tab. The browser is closed when t ends.
func New(t testing.TB) context.Context {
	t.Helper()
	path := Path()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("browsertest: chromium is not installed (apt-get install chromium)")
		}
		t.Skip("browsertest: chromium is not installed; skipping the browser test")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, Timeout)
	t.Cleanup(func() {
		// Close the browser and wait for it, so that its profile directory (t.TempDir, removed
		// after this) is no longer being written.
		if ctx.Err() == nil { // a test may have closed it already
			_ = chromedp.Cancel(ctx)
		}
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Run(ctx); err != nil { // starts the browser
		t.Fatalf("browsertest: starting %s: %v", path, err)
	}
	return ctx
}

// NewTab opens another tab of the same browser, sharing its cookies (a second window of the
// same person); NewBrowser-like isolation needs New.
func NewTab(t testing.TB, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	if err := chromedp.Run(tab); err != nil {
		t.Fatalf("browsertest: new tab: %v", err)
	}
	return tab
}

// Screenshot saves a PNG of the whole page at path (for docs/), when the directory exists.
func Screenshot(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	var png []byte // quality 100 makes chromedp capture PNG, not JPEG
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Logf("browsertest: screenshot: %v", err)
		return
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Logf("browsertest: screenshot: %v", err)
	}
}

// FailOnPageErrors makes t fail, when it ends, for every script error and every
// Content-Security-Policy violation the browser reports in ctx's tab.
func FailOnPageErrors(t testing.TB, ctx context.Context) {
	t.Helper()
	var mu sync.Mutex
	var problems []string
	chromedp.ListenTarget(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *log.EventEntryAdded:
			if strings.Contains(ev.Entry.Text, "Content Security Policy") {
				problems = append(problems, ev.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, ev.ExceptionDetails.Error())
		}
	})
	if err := chromedp.Run(ctx, log.Enable(), runtime.Enable()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("browser: %s", p)
		}
	})
}
