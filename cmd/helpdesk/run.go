package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	goio "io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/helpdesk/helpdesk/internal/auth"
	"github.com/helpdesk/helpdesk/internal/clock"
	"github.com/helpdesk/helpdesk/internal/config"
	"github.com/helpdesk/helpdesk/internal/server"
	"github.com/helpdesk/helpdesk/internal/store"
)

const usage = `usage:
  helpdesk [serve] [flags]                              start the server (the default)
  helpdesk migrate [flags]                              create or update the database schema
  helpdesk admin create --email E --name N [--role owner|admin|agent]
                                                        add a teammate; password from stdin when piped
  helpdesk token create --admin EMAIL --name NAME       print a new API token as the last line
  helpdesk team create --name N [--member EMAIL]...     add a team

Every command takes --database (HELPDESK_DATABASE_URL); "helpdesk serve -h" lists all settings.`

// run is the whole program, with its surroundings passed in so that tests can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin goio.Reader, stdout, stderr goio.Writer) error {
	io := stdio{in: stdin, out: stdout, err: stderr}
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	sub := func() (string, []string, error) {
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return "", nil, fmt.Errorf("%s needs a subcommand\n%s", cmd, usage)
		}
		return args[0], args[1:], nil
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, io)
	case "migrate":
		cfg, _, err := parse("migrate", args, getenv, io, nil)
		if err != nil {
			return err
		}
		db, err := openDB(ctx, cfg, discard)
		if err != nil {
			return err
		}
		defer db.Close()
		fmt.Fprintln(io.out, "database is up to date")
		return nil
	case "admin", "token", "team":
		what, rest, err := sub()
		if err != nil {
			return err
		}
		if what != "create" {
			return fmt.Errorf("unknown command %q\n%s", cmd+" "+what, usage)
		}
		switch cmd {
		case "admin":
			return adminCreate(ctx, rest, getenv, io)
		case "token":
			return tokenCreate(ctx, rest, getenv, io)
		default:
			return teamCreate(ctx, rest, getenv, io)
		}
	case "help", "-h", "--help":
		fmt.Fprintln(io.out, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

var discard = slog.New(slog.DiscardHandler)

// parse reads the common settings and the command's own flags (added by more).
func parse(name string, args []string, getenv func(string) string, io stdio, more func(*flag.FlagSet)) (config.Config, *flag.FlagSet, error) {
	cfg := config.Defaults()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.err)
	cfg.Flags(fs, getenv)
	if more != nil {
		more(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, fs, err
	}
	if fs.NArg() > 0 {
		return cfg, fs, fmt.Errorf("%s: unexpected arguments %q", name, fs.Args())
	}
	return cfg, fs, cfg.Finish()
}

// openDB opens and migrates the database: every command works on a fresh one.
func openDB(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, io stdio) error {
	cfg, _, err := parse("serve", args, getenv, io, nil)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(io.err, &slog.HandlerOptions{Level: slog.LevelInfo}))
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := firstRun(ctx, db, cfg, io); err != nil {
		return err
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("helpdesk listening", "addr", l.Addr().String(), "database", string(db.Dialect()), "base_url", cfg.BaseURL)
	return server.New(cfg, db, log, clock.System{}).Serve(ctx, l)
}

// firstRun makes the owner account on a database with no teammates, and tells the newcomer how
// to sign in with it.
func firstRun(ctx context.Context, db *store.DB, cfg config.Config, io stdio) error {
	n, err := db.Read().CountAdmins(ctx)
	if err != nil || n > 0 {
		return err
	}
	password := auth.RandomString(12)
	owner := store.Admin{Email: "owner@example.com", Name: "Owner", Role: store.RoleOwner, CreatedAt: time.Now()}
	if owner.PasswordHash, err = auth.HashPassword(password); err != nil {
		return err
	}
	if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.CreateAdmin(ctx, &owner) }); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil // another instance got there first
		}
		return err
	}
	fmt.Fprintf(io.out, `
Welcome to Helpdesk. This database had no teammates, so an owner account was made:

    email:    %s
    password: %s   (shown once; keep it)

Sign in to the Inbox:      %s/inbox
Make an API token for it:  helpdesk token create --admin %s --name my-token
Then try:                  curl -H "Authorization: Bearer TOKEN" %s/api/me

`, owner.Email, password, cfg.BaseURL, owner.Email, cfg.BaseURL)
	return nil
}

func adminCreate(ctx context.Context, args []string, getenv func(string) string, io stdio) error {
	var email, name, role string
	cfg, _, err := parse("admin create", args, getenv, io, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the teammate's email (required)")
		fs.StringVar(&name, "name", "", "the teammate's name (required)")
		fs.StringVar(&role, "role", store.RoleAdmin, "owner, admin or agent")
	})
	if err != nil {
		return err
	}
	email, name = strings.TrimSpace(email), strings.TrimSpace(name)
	switch {
	case email == "" || !strings.Contains(email, "@"):
		return errors.New("admin create: --email must be an email address")
	case name == "":
		return errors.New("admin create: --name is required")
	case role != store.RoleOwner && role != store.RoleAdmin && role != store.RoleAgent:
		return errors.New("admin create: --role must be owner, admin or agent")
	}
	password, err := readPassword(io)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg, discard)
	if err != nil {
		return err
	}
	defer db.Close()
	a := store.Admin{Email: email, Name: name, Role: role, PasswordHash: hash, CreatedAt: time.Now()}
	err = db.Tx(ctx, func(tx *store.Tx) error { return tx.CreateAdmin(ctx, &a) })
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("admin create: a teammate with email %s already exists", email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "created %s %s (%s), id %d\n", role, name, email, a.ID)
	return nil
}

// readPassword reads a password from a terminal, without echo and twice, or the first line of
// piped input.
func readPassword(io stdio) (string, error) {
	var password string
	if f, ok := io.in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(io.err, "Password: ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(io.err)
		if err != nil {
			return "", err
		}
		fmt.Fprint(io.err, "Again: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(io.err)
		if err != nil {
			return "", err
		}
		if string(p1) != string(p2) {
			return "", errors.New("admin create: the passwords differ")
		}
		password = string(p1)
	} else {
		line, err := bufio.NewReader(io.in).ReadString('\n')
		if err != nil && !errors.Is(err, goio.EOF) {
			return "", err
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if len(password) < 8 {
		return "", errors.New("admin create: the password must have at least 8 characters (give it on stdin)")
	}
	return password, nil
}

func tokenCreate(ctx context.Context, args []string, getenv func(string) string, io stdio) error {
	var email, name string
	cfg, _, err := parse("token create", args, getenv, io, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "admin", "", "email of the teammate the token acts as (required)")
		fs.StringVar(&name, "name", "", "a name to recognise the token by (required)")
	})
	if err != nil {
		return err
	}
	if email == "" || strings.TrimSpace(name) == "" {
		return errors.New("token create: --admin and --name are required")
	}
	db, err := openDB(ctx, cfg, discard)
	if err != nil {
		return err
	}
	defer db.Close()
	token, hash := auth.NewToken()
	err = db.Tx(ctx, func(tx *store.Tx) error {
		a, err := tx.AdminByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("token create: no teammate has email %s", email)
		}
		if err != nil {
			return err
		}
		return tx.CreateToken(ctx, &store.Token{AdminID: a.ID, Name: strings.TrimSpace(name), Hash: hash, CreatedAt: time.Now()})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(io.err, "API token %q for %s (shown once; it is stored hashed):\n", name, email)
	fmt.Fprintln(io.out, token)
	return nil
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func teamCreate(ctx context.Context, args []string, getenv func(string) string, io stdio) error {
	var name string
	var members stringList
	cfg, _, err := parse("team create", args, getenv, io, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the team's name (required)")
		fs.Var(&members, "member", "email of a teammate to put in the team (repeatable)")
	})
	if err != nil {
		return err
	}
	if strings.TrimSpace(name) == "" {
		return errors.New("team create: --name is required")
	}
	db, err := openDB(ctx, cfg, discard)
	if err != nil {
		return err
	}
	defer db.Close()
	t := store.Team{Name: strings.TrimSpace(name), CreatedAt: time.Now()}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateTeam(ctx, &t); errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("team create: a team named %q already exists", t.Name)
		} else if err != nil {
			return err
		}
		for _, email := range members {
			a, err := tx.AdminByEmail(ctx, email)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("team create: no teammate has email %s", email)
			}
			if err != nil {
				return err
			}
			if err := tx.AddTeamMember(ctx, t.ID, a.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "created team %s, id %d\n", t.Name, t.ID)
	return nil
}
