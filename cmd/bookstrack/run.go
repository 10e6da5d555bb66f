package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
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
	state          *stateFile      // nil unless --state
	set            map[string]bool // the flags given on the command line
	env            func(string) string
}

// run runs the command line args (without the program name) and returns
// the exit code. It is main without the process: tests call it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	s := &session{stdin: stdin, stdout: stdout, stderr: stderr, env: env}
	err := s.main(ctx, args, env)
	if s.fake != nil {
		s.fake.close()
	}
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var intr *interruptedError
	if cause := context.Cause(ctx); cause != nil && (errors.Is(err, context.Canceled) || errors.Is(err, cause)) && !errors.As(err, &intr) {
		err = &interruptedError{"interrupted before the server answered"}
	}
	f := classify(err, s.o.baseURL)
	if f.code == exitInterrupted {
		f.code = interruptCode(ctx)
	}
	line := f.line()
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
	if err := defineFlags(gfs, &global, flagGroups{top: true, run: true, watch: true, serve: true}, env); err != nil {
		return err
	}
	if err := gfs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			topHelp(s.stdout, env)
		}
		return parseError(err, "")
	}
	s.o = global
	if global.version {
		fmt.Fprintln(s.stdout, versionLine())
		return nil
	}
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
	s.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { s.set[f.Name] = true })
	if err := checkArgs(cmd, pos, s.o.state != ""); err != nil {
		return err
	}
	if s.o.events && !s.o.json {
		return usagef("add --json", "--events needs --json")
	}
	if err := s.checkFake(fs, cmd); err != nil {
		return err
	}
	if s.o.fake.on {
		s.fake = startFake(s.o.fake)
		s.o.baseURL = s.fake.srv.URL
	}
	return cmd.run(ctx, s, pos)
}

// checkArgs checks the number of positional arguments of cmd: watch
// takes KIND JOB_ID, or nothing with --state; scan and enrich check their
// counts with the input, to name the limit.
func checkArgs(cmd command, pos []string, state bool) error {
	n := len(pos)
	usage := func() error {
		return usagef("run `bookstrack "+cmd.name+" -h` for help", "usage: bookstrack %s %s", cmd.name, cmd.args)
	}
	switch {
	case cmd.name == "watch" && state && n > 0:
		return usagef("leave out KIND and JOB_ID, or --state", "watch --state FILE takes the job from FILE, not from arguments")
	case cmd.name == "watch" && !state && n != 2:
		return usagef("run `bookstrack watch -h` for help", "usage: bookstrack watch KIND JOB_ID, or bookstrack watch --state FILE")
	case cmd.name == "fake" && n == 1 && pos[0] != "serve":
		return usagef("the only fake command is `bookstrack fake serve`", "unknown command \"fake %s\"", pos[0])
	case n < cmd.minArgs || (cmd.maxArgs >= 0 && n > cmd.maxArgs):
		return usage()
	}
	return nil
}

// checkFake checks the flags of the fake API: its faults need --fake (or
// fake serve); --fake starts an API that ends with the command, so a
// command about a job started earlier, or --state, cannot use it.
func (s *session) checkFake(fs *flag.FlagSet, cmd command) error {
	if cmd.name == "fake" {
		if s.o.fake.on {
			return usagef("leave out --fake", "fake serve is the fake API; it takes no --fake")
		}
		return nil
	}
	if err := fakeOnly(fs, s.o.fake.on); err != nil {
		return err
	}
	if !s.o.fake.on {
		return nil
	}
	if cmd.minArgs == 2 || cmd.name == "watch" {
		return usagef("run `bookstrack fake serve` and pass the URL it prints with --base-url", "--fake starts a fake API with no jobs, which ends with the command, so %s cannot find a job of it", cmd.name)
	}
	if s.o.state != "" {
		return usagef("run `bookstrack fake serve` and pass the URL it prints with --base-url", "--state needs a server that outlives the command, and --fake ends with it")
	}
	return nil
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
	d := &display{kind: k, out: s.stderr, term: term, quiet: s.o.json && !term, width: func() int { return s.columns() }}
	if s.o.events {
		d.out = s.stdout
		d.events = json.NewEncoder(s.stdout)
	} else if s.fake != nil && !d.quiet {
		fmt.Fprintf(d.out, "fake BooksTrack API on %s\n", s.o.baseURL)
	}
	s.display = d
	return d
}

// columns is the width of the terminal of standard error, asked again at
// each redraw so that a resized window is followed; COLUMNS when the
// terminal does not say; 0 when unknown.
func (s *session) columns() int {
	if f, ok := s.stderr.(*os.File); ok {
		if n := ttyColumns(f); n > 0 {
			return n
		}
	}
	n, err := strconv.Atoi(s.env("COLUMNS"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// printResults prints res as a table, or as JSON with --json.
func (s *session) printResults(res results) error {
	switch {
	case s.display != nil && s.display.events != nil:
		s.display.emit(eventLine{Type: "results", Results: jsonValue(res.value())})
		return nil
	case s.o.json:
		return s.printJSON(res.value())
	}
	return res.table(s.stdout)
}

// printJSON prints v as indented JSON, keys in lowerCamelCase (see
// jsonValue).
func (s *session) printJSON(v any) error {
	enc := json.NewEncoder(s.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonValue(v))
}

// versionLine is what --version prints: the module's version (a release
// tag from `go install ...@vX`, "(devel)" from a checkout), the VCS
// revision when the build recorded one, and the Go version.
func versionLine() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "bookstrack (unknown version)"
	}
	v := "bookstrack " + cmp.Or(bi.Main.Version, "(devel)")
	var rev, modified string
	for _, st := range bi.Settings {
		switch st.Key {
		case "vcs.revision":
			rev = st.Value
		case "vcs.modified":
			if st.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if rev != "" {
		v += " (revision " + rev[:min(12, len(rev))] + modified + ")"
	}
	return v + " " + bi.GoVersion
}
