// Command helpdesk-load drives a Helpdesk server through its real HTTP API with concurrent
// clients and reports requests per second and latency percentiles per operation.
//
// Against a running server (loopback only):
//
//	go run ./cmd/helpdesk-load -url http://127.0.0.1:8080 -token TOKEN -admin-id N [-clients 32] [-duration 20s | -requests N]
//
// Or in one command, on a throwaway database it creates and removes (a new SQLite file, or a new
// schema in the PostgreSQL database named):
//
//	go run ./cmd/helpdesk-load -spawn [-database sqlite:/tmp/load.db | -database postgres://...]
//
// The default scenario, write, first makes -contacts contacts (POST /api/contacts); then each
// client loops: a contact starts a conversation, a teammate replies (a comment), the contact
// replies. Scenarios me (GET /api/me: the token check) and list (GET /api/conversations?per_page=50)
// measure reads; -seed N starts N such conversations first. Scenario tickets: each client owns a
// Back-office ticket linked to 10 conversations and loops: create a Customer ticket, cross-post a
// note to the 10, change the Back-office ticket's state, search tickets. See docs/PERFORMANCE.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "helpdesk-load:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	url, token string
	adminID    int64
	clients    int
	limits     limits
	contacts   int
	seed       int64
	scenarios  []string
	json       bool
	timeout    time.Duration
	serverPID  int

	spawn     bool
	database  string
	serverBin string
	keep      bool
}

var scenarioNames = []string{"write", "me", "list", "tickets"}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	var scenarios string
	fs := flag.NewFlagSet("helpdesk-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080", "the server, without /api; loopback addresses only")
	fs.StringVar(&c.token, "token", getenv("HELPDESK_TOKEN"), "API token (HELPDESK_TOKEN)")
	fs.Int64Var(&c.adminID, "admin-id", 0, "id of the teammate who replies: the token's own teammate will do")
	fs.IntVar(&c.clients, "clients", 32, "concurrent clients, each with its own keep-alive connection")
	fs.DurationVar(&c.limits.duration, "duration", 20*time.Second, "how long each scenario runs (at most 10m when -requests is given alone)")
	fs.Int64Var(&c.limits.requests, "requests", 0, "stop each scenario after this many requests (0: by -duration only)")
	fs.IntVar(&c.contacts, "contacts", 200, "contacts to create first, among which conversations are spread")
	fs.Int64Var(&c.seed, "seed", 0, "first start this many conversations (each with both replies), reported as scenario seed")
	fs.StringVar(&scenarios, "scenario", "write", "comma-separated scenarios to run in order: "+strings.Join(scenarioNames, ", "))
	fs.BoolVar(&c.json, "json", false, "print the results as JSON")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "time limit of one request")
	fs.IntVar(&c.serverPID, "server-pid", 0, "pid of the server, to report its CPU use (known by itself with -spawn)")
	fs.BoolVar(&c.spawn, "spawn", false, "build and start a server on a throwaway database, make an admin and a token, and stop it afterwards")
	fs.StringVar(&c.database, "database", "", "with -spawn: sqlite:PATH (a new file, removed afterwards; default a temporary one) or a postgres:// URL (a new schema in it, dropped afterwards)")
	fs.StringVar(&c.serverBin, "server-bin", "", "with -spawn: a helpdesk binary to run instead of building ./cmd/helpdesk")
	fs.BoolVar(&c.keep, "keep", false, "with -spawn: keep the database and the server log")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["requests"] && !set["duration"] {
		c.limits.duration = 10 * time.Minute
	}
	for s := range strings.SplitSeq(scenarios, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !slices.Contains(scenarioNames, s) {
			return c, fmt.Errorf("-scenario: unknown %q; there are %s", s, strings.Join(scenarioNames, ", "))
		}
		c.scenarios = append(c.scenarios, s)
	}
	switch {
	case len(c.scenarios) == 0 && c.seed == 0:
		return c, errors.New("-scenario: name at least one")
	case c.clients < 1:
		return c, errors.New("-clients must be at least 1")
	case c.limits.duration <= 0:
		return c, errors.New("-duration must be positive")
	case c.limits.requests < 0 || c.seed < 0:
		return c, errors.New("-requests and -seed cannot be negative")
	case c.contacts < 1:
		return c, errors.New("-contacts must be at least 1")
	case !c.spawn && (c.database != "" || c.serverBin != "" || c.keep):
		return c, errors.New("-database, -server-bin and -keep go with -spawn")
	case c.spawn && (set["url"] || set["token"] || set["admin-id"] || set["server-pid"]):
		return c, errors.New("-spawn makes its own server: leave out -url, -token, -admin-id and -server-pid")
	case !c.spawn && c.token == "":
		return c, errors.New("-token is required (or -spawn)")
	}
	return c, nil
}

// checkLoopback refuses to load anything but this machine.
func checkLoopback(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("-url must be like http://127.0.0.1:8080, not %q", raw)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("-url: %s is not a loopback address; this tool only loads a server on this machine", host)
	}
	return u.Scheme + "://" + u.Host, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	database := ""
	if cfg.spawn {
		srv, err := spawn(ctx, cfg, stderr)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, srv.stop(stderr)) }()
		cfg.url, cfg.token, cfg.adminID, cfg.serverPID, database = srv.url, srv.token, srv.adminID, srv.pid, srv.database
	}
	base, err := checkLoopback(cfg.url)
	if err != nil {
		return err
	}
	c := newClient(base, cfg.token, cfg.clients, cfg.timeout)

	var me struct {
		ID string `json:"id"`
	}
	if err := c.do(ctx, "GET", "/api/me", nil, &me); err != nil {
		return fmt.Errorf("GET /api/me (is the server up and the token right?): %w", err)
	}
	needWrites := cfg.seed > 0 || slices.Contains(cfg.scenarios, "write") || slices.Contains(cfg.scenarios, "tickets")
	if needWrites && cfg.adminID == 0 {
		return fmt.Errorf("-admin-id is required for writes (the token's teammate is %s)", me.ID)
	}
	var contacts []string
	if needWrites {
		fmt.Fprintf(stderr, "creating %d contacts…\n", cfg.contacts)
		if contacts, err = createContacts(ctx, c, cfg.contacts, cfg.clients); err != nil {
			return err
		}
	}

	idleCheck(ctx, cfg.serverPID, stderr)
	var results []result
	report := func(r result) {
		r.Database = database
		results = append(results, r)
		if !cfg.json {
			r.print(stdout)
		}
	}
	if cfg.seed > 0 {
		fmt.Fprintf(stderr, "seeding %d conversations…\n", cfg.seed)
		report(drive(ctx, c, writeScenario("seed", cfg.adminID, contacts), cfg.clients,
			limits{duration: time.Hour, conversations: cfg.seed}, cfg.serverPID))
	}
	for _, name := range cfg.scenarios {
		if ctx.Err() != nil {
			break
		}
		var sc scenario
		switch name {
		case "write":
			sc = writeScenario(name, cfg.adminID, contacts)
		case "me":
			sc = readScenario(name, opMe, "/api/me")
		case "list":
			sc = readScenario(name, opList, "/api/conversations?per_page=50")
		case "tickets":
			setup, err := setupTickets(ctx, c)
			if err != nil {
				return err
			}
			sc = ticketScenario(name, cfg.adminID, contacts, setup)
		}
		fmt.Fprintf(stderr, "running %s…\n", name)
		report(drive(ctx, c, sc, cfg.clients, cfg.limits, cfg.serverPID))
	}
	if cfg.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	return nil
}
