package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/sse"
)

// session is one run of the command.
type session struct {
	o              options
	stdin          io.Reader
	stdout, stderr io.Writer
	fake           *fake // nil unless --fake
	display        *display
	secrets        []string // never printed
}

// run runs the command line args (without the program name) and returns
// the exit code. It is main without the process: tests call it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	s := &session{stdin: stdin, stdout: stdout, stderr: stderr}
	err := s.main(ctx, args, env)
	if s.fake != nil {
		s.fake.close()
	}
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var intr *interruptedError
	if ctx.Err() != nil && errors.Is(err, context.Canceled) && !errors.As(err, &intr) {
		err = &interruptedError{"interrupted before the server answered"}
	}
	f := classify(err, s.o.baseURL)
	line := f.line(s.secrets)
	if s.display != nil {
		s.display.end()
		s.display.emit(eventLine{Type: "error", Message: strings.TrimPrefix(line, "bookstrack: "), Exit: f.code})
	}
	fmt.Fprintln(stderr, line)
	return f.code
}

// main parses args and runs the command they name.
func (s *session) main(ctx context.Context, args []string, env func(string) string) error {
	var global options
	gfs := newFlagSet("bookstrack")
	// Every flag is accepted before the command name; the command's own
	// flag set then checks that it takes them.
	if err := defineFlags(gfs, &global, flagGroups{run: true, watch: true}, env); err != nil {
		return err
	}
	if err := gfs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			topHelp(s.stdout, env)
		}
		return parseError(err, "")
	}
	s.o = global
	rest := gfs.Args()
	if len(rest) == 0 {
		topHelp(s.stderr, env)
		return usagef("", "no command given")
	}
	name, cmdArgs := rest[0], rest[1:]
	if name == "help" {
		if len(cmdArgs) == 0 {
			topHelp(s.stdout, env)
			return nil
		}
		name, cmdArgs = cmdArgs[0], []string{"-h"}
	}
	cmd, ok := commandNamed(name)
	if !ok {
		return usagef("run `bookstrack --help` for the commands", "unknown command %q", name)
	}
	fs := newFlagSet("bookstrack " + cmd.name)
	if err := defineFlags(fs, &s.o, cmd.groups, env); err != nil {
		return err
	}
	// The flags given before the command name, then those after it.
	if err := fs.Parse(args[:len(args)-len(rest)]); err != nil {
		return parseError(err, cmd.name)
	}
	pos, err := parseInterspersed(fs, cmdArgs)
	if errors.Is(err, flag.ErrHelp) {
		commandHelp(s.stdout, cmd, fs)
		return err
	}
	if err != nil {
		return parseError(err, cmd.name)
	}
	if n := len(pos); n < cmd.minArgs || (cmd.maxArgs >= 0 && n > cmd.maxArgs) {
		return usagef("run `bookstrack "+cmd.name+" -h` for help", "usage: bookstrack %s %s", cmd.name, cmd.args)
	}
	if s.o.events && !s.o.json {
		return usagef("add --json", "--events needs --json")
	}
	if err := fakeOnly(fs, s.o.fake.on); err != nil {
		return err
	}
	s.secrets = append(s.secrets, s.o.token.s)
	if s.o.fake.on {
		s.fake = startFake(s.o.fake)
		s.o.baseURL = s.fake.srv.URL
	}
	return cmd.run(ctx, s, pos)
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// clientOptions configure the job clients.
func (s *session) clientOptions() []bookstrack.Option {
	opts := []bookstrack.Option{
		bookstrack.WithBaseURL(s.o.baseURL),
		bookstrack.WithRoutes(s.o.routes.r),
		bookstrack.WithResponseHeaderTimeout(s.o.timeout),
	}
	if s.fake != nil {
		// The fake asks for 5 s between reconnections, as the real server
		// does, and 1 s after a 429; its faults show sooner with shorter
		// waits, of the same policy otherwise.
		opts = append(opts, bookstrack.WithStreamOptions(
			sse.WithMaxDelay(200*time.Millisecond),
			sse.WithInitialDelay(50*time.Millisecond),
			sse.WithObserver(sse.Observer{Open: s.fake.streamOpened})))
	}
	return opts
}

// open returns a client of kind k.
func (s *session) open(k kind) (client, error) { return k.open(s.clientOptions()) }

// newDisplay makes the display of a watch of a job of kind k.
func (s *session) newDisplay(k bookstrack.Kind) *display {
	term := isTerminal(s.stderr)
	d := &display{kind: k, out: s.stderr, term: term, quiet: s.o.json && !term, secrets: s.secrets}
	if s.o.events {
		d.out = s.stdout
		d.events = json.NewEncoder(s.stdout)
	} else if s.fake != nil && !d.quiet {
		fmt.Fprintf(d.out, "fake BooksTrack API on %s\n", s.o.baseURL)
	}
	s.display = d
	return d
}

// printResults prints res as a table, or as JSON with --json.
func (s *session) printResults(res results) error {
	switch {
	case s.display != nil && s.display.events != nil:
		s.display.emit(eventLine{Type: "results", Results: res.value()})
		return nil
	case s.o.json:
		return s.printJSON(res.value())
	}
	return res.table(s.stdout)
}

// printJSON prints v as indented JSON.
func (s *session) printJSON(v any) error {
	enc := json.NewEncoder(s.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
