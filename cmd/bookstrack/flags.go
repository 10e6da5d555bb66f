package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go"
)

// options are the flags of every command; env fills the defaults of
// base-url, routes and token.
type options struct {
	baseURL           string
	routes            routesFlag
	token             secretFlag
	json, events      bool
	lastEventID       string
	timeout           time.Duration
	cancelOnInterrupt bool
	state             string // --state FILE
	addr              string // fake serve --addr
	version           bool
	fake              fakeOptions
}

// durationFlag is a duration flag that refuses negative values.
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil {
		return "0s" // the zero value, which help does not show as a default
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("want a duration such as 100ms, 2s or 1m")
	}
	if d < 0 {
		return errors.New("want a duration of 0 or more, such as 100ms, 2s or 1m")
	}
	*f.d = d
	return nil
}

// countFlag is a count flag that refuses negative values.
type countFlag struct{ n *int }

func (f countFlag) String() string {
	if f.n == nil {
		return "0" // the zero value, which help does not show as a default
	}
	return strconv.Itoa(*f.n)
}

func (f countFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return errors.New("want a whole number of 0 or more")
	}
	*f.n = n
	return nil
}

// routesFlag is --routes: v3 or v2.
type routesFlag struct{ r bookstrack.Routes }

func (f *routesFlag) String() string {
	if f.r == bookstrack.V2 {
		return "v2"
	}
	return "v3"
}

func (f *routesFlag) Set(s string) error {
	switch strings.ToLower(s) {
	case "v3", "":
		f.r = bookstrack.V3
	case "v2":
		f.r = bookstrack.V2
	default:
		return fmt.Errorf("routes must be v3 or v2, not %q", s)
	}
	return nil
}

// secretFlag holds a token. Its String is empty, so that help never
// shows a default taken from the environment.
type secretFlag struct{ s string }

func (f *secretFlag) String() string     { return "" }
func (f *secretFlag) Set(s string) error { f.s = s; return nil }

// flagGroups says which groups of flags a command takes.
type flagGroups struct {
	top   bool // version: before the command name
	run   bool // events, cancel-on-interrupt, state, fake faults: commands that watch
	watch bool // token, last-event-id
	serve bool // addr, fake-step, rate-limit: fake serve
}

// defineFlags puts the flags of groups into fs, bound to o; defaults come
// from env (BOOKSTRACK_BASE_URL, BOOKSTRACK_ROUTES, BOOKSTRACK_TOKEN).
// Defining a flag sets its variable to the default, so a command's flag
// set parses the flags given before the command name again.
func defineFlags(fs *flag.FlagSet, o *options, g flagGroups, env func(string) string) error {
	base := cmp.Or(env("BOOKSTRACK_BASE_URL"), bookstrack.DefaultBaseURL)
	fs.StringVar(&o.baseURL, "base-url", base, "API base URL (env BOOKSTRACK_BASE_URL)")
	if err := o.routes.Set(env("BOOKSTRACK_ROUTES")); err != nil {
		return usagef("set BOOKSTRACK_ROUTES to v3 or v2", "BOOKSTRACK_ROUTES: %v", err)
	}
	fs.Var(&o.routes, "routes", "route `set`: v3 (the live API) or v2 (the iOS plan's) (env BOOKSTRACK_ROUTES)")
	fs.BoolVar(&o.json, "json", false, "print the results as JSON on standard output")
	o.timeout = 30 * time.Second
	fs.Var(durationFlag{&o.timeout}, "timeout", "how long a call waits for the server's answer (a `duration`); 0 means 30s")
	fs.BoolVar(&o.fake.on, "fake", false, "run against the fake BooksTrack API, started in the process (ignores --base-url)")
	quirk := "with --fake: behave like an older server in this `way`; repeatable, one of:\n"
	if g.serve && !g.run && !g.top {
		quirk = "behave like an older server in this `way`; repeatable, one of:\n"
	}
	fs.Var(&o.fake.quirks, "quirk", quirk+quirkNames())
	if g.run {
		fs.BoolVar(&o.events, "events", false, "with --json: print every update as a JSON line before the results")
		fs.BoolVar(&o.cancelOnInterrupt, "cancel-on-interrupt", false, "on Ctrl-C, cancel the job on the server too")
		fs.StringVar(&o.state, "state", "", "keep what a resume needs (kind, job id, routes, base URL, token, last event id)\nin `FILE`, created with mode 0600 and updated as events arrive;\n`bookstrack watch --state FILE` resumes from it")
		o.fake.dropAfter = 0
		fs.Var(countFlag{&o.fake.dropAfter}, "drop-after", "with --fake: cut the stream in the middle of an event after `N` updates (the watch resumes)")
		fs.BoolVar(&o.fake.expireToken, "expire-token", false, "with --fake: expire the job's stream token as soon as it starts")
	}
	if g.serve {
		fs.StringVar(&o.addr, "addr", "127.0.0.1:0", "the `address` (host:port) to listen on; the default is loopback, on a port\nthe system picks")
		o.fake.tokenTTL, o.fake.resultsTTL = 0, 0
		fs.Var(durationFlag{&o.fake.tokenTTL}, "token-ttl", "how long a stream token stays valid (a `duration`); 0 means the server's 2h")
		fs.Var(durationFlag{&o.fake.resultsTTL}, "results-ttl", "how long results are kept after a job completes (a `duration`); 0 means\nthe server's 2h")
	}
	if g.run || g.serve {
		step, rate := "with --fake: time between two steps of a job (a `duration`)", "with --fake: answer the `N` requests after the start with 429 Too Many Requests"
		if !g.run {
			step, rate = "time between two steps of a job (a `duration`)", "answer the first `N` requests with 429 Too Many Requests (retry after 1s)"
		}
		o.fake.step = 100 * time.Millisecond
		fs.Var(durationFlag{&o.fake.step}, "fake-step", step)
		o.fake.rateLimit = 0
		fs.Var(countFlag{&o.fake.rateLimit}, "rate-limit", rate)
	}
	if g.top {
		fs.BoolVar(&o.version, "version", false, "print the version and exit")
	}
	if g.watch {
		o.token.s = env("BOOKSTRACK_TOKEN")
		fs.Var(&o.token, "token", "the job's stream `token` (env BOOKSTRACK_TOKEN); never printed")
		fs.StringVar(&o.lastEventID, "last-event-id", "", "resume the stream after this event `id`")
	}
	return nil
}

// parseInterspersed parses args with fs, allowing flags after positional
// arguments (`watch scan ID --token T`); "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseError turns an error of fs.Parse into a usage error (or help).
func parseError(err error, cmd string) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usagef("run `bookstrack "+strings.TrimSpace(cmd+" -h")+"` for help", "%v", err)
}

// printFlags writes fs's flags, as flag.PrintDefaults does.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
