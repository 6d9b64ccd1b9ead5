package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver, to make and drop the throwaway schema
)

// spawned is a server the tool started, with what it takes to undo it.
type spawned struct {
	url, token string
	adminID    int64
	pid        int
	database   string // for the report, without a password
	cmd        *exec.Cmd
	exited     chan struct{}
	logPath    string
	undo       []func() error // run last first
}

// spawn builds the server (unless -server-bin), prepares a throwaway database, makes a teammate
// and a token with the server's own commands, and starts it on a free loopback port.
func spawn(ctx context.Context, cfg config, stderr io.Writer) (s *spawned, err error) {
	dir, err := os.MkdirTemp("", "helpdesk-load-")
	if err != nil {
		return nil, err
	}
	s = &spawned{logPath: filepath.Join(dir, "server.log")}
	s.undo = append(s.undo, func() error {
		if cfg.keep {
			fmt.Fprintf(stderr, "kept %s\n", dir)
			return nil
		}
		return os.RemoveAll(dir)
	})
	defer func() {
		if err != nil {
			err = errors.Join(err, s.stop(stderr))
		}
	}()

	bin := cfg.serverBin
	if bin == "" {
		bin = filepath.Join(dir, "helpdesk")
		fmt.Fprintln(stderr, "building the server…")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/helpdesk/helpdesk/cmd/helpdesk")
		build.Stdout, build.Stderr = stderr, stderr
		if err := build.Run(); err != nil {
			return s, fmt.Errorf("spawn: go build (run from inside the helpdesk module): %w", err)
		}
	}

	dbURL, err := s.throwawayDatabase(ctx, cfg, dir, stderr)
	if err != nil {
		return s, err
	}

	// The teammate and the token, made as a person would, through the CLI.
	env := append(os.Environ(), "HELPDESK_DATABASE_URL="+dbURL)
	admin := exec.CommandContext(ctx, bin, "admin", "create", "--email", "load@example.com", "--name", "Load Teammate", "--role", "admin")
	admin.Env, admin.Stdin, admin.Stderr = env, strings.NewReader(randomHex(12)+"\n"), stderr
	out, err := admin.Output()
	if err != nil {
		return s, fmt.Errorf("spawn: admin create: %w", err)
	}
	m := regexp.MustCompile(`id (\d+)\s*$`).FindSubmatch(out)
	if m == nil {
		return s, fmt.Errorf("spawn: admin create said %q, with no id", out)
	}
	s.adminID, _ = strconv.ParseInt(string(m[1]), 10, 64)
	token := exec.CommandContext(ctx, bin, "token", "create", "--admin", "load@example.com", "--name", "load")
	token.Env = env
	if out, err = token.Output(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, bytes.TrimSpace(ee.Stderr))
		}
		return s, fmt.Errorf("spawn: token create: %w", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) == 0 {
		return s, errors.New("spawn: token create printed no token")
	}
	s.token = lines[len(lines)-1]

	addr, err := freeLoopbackAddr()
	if err != nil {
		return s, err
	}
	logf, err := os.Create(s.logPath)
	if err != nil {
		return s, err
	}
	defer logf.Close() // the child has its own copy
	s.cmd = exec.Command(bin, "serve", "--addr", addr)
	s.cmd.Env = append(env, "HELPDESK_BASE_URL=http://"+addr)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return s, fmt.Errorf("spawn: start server: %w", err)
	}
	s.pid = s.cmd.Process.Pid
	s.exited = make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	s.url = "http://" + addr
	if err := s.waitReady(ctx); err != nil {
		return s, err
	}
	fmt.Fprintf(stderr, "server pid %d at %s on %s\n", s.pid, s.url, s.database)
	return s, nil
}

// throwawayDatabase returns the URL of a new, empty database and arranges for its removal.
func (s *spawned) throwawayDatabase(ctx context.Context, cfg config, dir string, stderr io.Writer) (string, error) {
	switch u := cfg.database; {
	case u == "" || strings.HasPrefix(u, "sqlite:"):
		path := filepath.Join(dir, "load.db")
		if u != "" {
			path = strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "//")
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				return "", fmt.Errorf("spawn: %s exists; -spawn wants a new file, to remove afterwards", path)
			}
			s.undo = append(s.undo, func() error {
				if cfg.keep {
					fmt.Fprintf(stderr, "kept %s\n", path)
					return nil
				}
				var errs []error
				for _, p := range []string{path, path + "-wal", path + "-shm"} {
					if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
						errs = append(errs, err)
					}
				}
				return errors.Join(errs...)
			})
		}
		s.database = "sqlite:" + path
		return s.database, nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		parsed, err := url.Parse(u)
		if err != nil {
			return "", fmt.Errorf("spawn: -database: %w", err)
		}
		schema := "load_" + randomHex(6)
		db, err := sql.Open("pgx", u)
		if err != nil {
			return "", err
		}
		if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			db.Close()
			return "", fmt.Errorf("spawn: create schema %s: %w", schema, err)
		}
		s.undo = append(s.undo, func() error {
			defer db.Close()
			if cfg.keep {
				fmt.Fprintf(stderr, "kept schema %s\n", schema)
				return nil
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
				return fmt.Errorf("spawn: drop schema %s: %w", schema, err)
			}
			return nil
		})
		q := parsed.Query()
		q.Set("search_path", schema)
		parsed.RawQuery = q.Encode()
		s.database = "postgres " + parsed.Redacted()
		return parsed.String(), nil
	default:
		return "", fmt.Errorf("spawn: -database must be sqlite:PATH or postgres://..., not %q", u)
	}
}

// freeLoopbackAddr finds a port nobody listens on (the server takes it a moment later).
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitReady waits for the server to answer /readyz.
func (s *spawned) waitReady(ctx context.Context) error {
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("spawn: the server stopped at start:\n%s", s.logTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if resp, err := hc.Get(s.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("spawn: the server was not ready within 30s:\n%s", s.logTail())
}

func (s *spawned) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(bytes.TrimSpace(b))
}

// stop ends the server gracefully (SIGTERM, then SIGKILL after 20s) and undoes the rest.
func (s *spawned) stop(stderr io.Writer) error {
	var errs []error
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
			errs = append(errs, errors.New("spawn: the server did not stop within 20s of SIGTERM"))
		}
		if !s.cmd.ProcessState.Success() {
			errs = append(errs, fmt.Errorf("spawn: the server ended with %s:\n%s", s.cmd.ProcessState, s.logTail()))
		}
		s.cmd = nil
	}
	for i := len(s.undo) - 1; i >= 0; i-- {
		errs = append(errs, s.undo[i]())
	}
	s.undo = nil
	return errors.Join(errs...)
}
