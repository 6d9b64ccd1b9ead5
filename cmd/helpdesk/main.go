// Command helpdesk is the Helpdesk server and its administration commands.
//
//	helpdesk [serve]                                   start the server (the default)
//	helpdesk migrate                                   create or update the database schema
//	helpdesk admin create --email E --name N [--role owner|admin|agent]
//	helpdesk token create --admin EMAIL --name NAME    print a new API token as the last line
//	helpdesk team create --name N [--member EMAIL]...
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "helpdesk:", err)
		os.Exit(1)
	}
}

// stdio is the command's standard streams.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}
