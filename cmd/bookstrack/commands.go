package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/scan"
)

// command is a subcommand.
type command struct {
	name, args, summary, detail string
	groups                      flagGroups
	minArgs, maxArgs            int // maxArgs < 0: no limit
	run                         func(ctx context.Context, s *session, pos []string) error
}

var commands []command

func init() {
	commands = []command{
		{name: "import", args: "FILE.csv", summary: "import a library export (a Goodreads CSV) and print the books",
			detail: "Uploads FILE.csv (at most 8 MiB; - reads standard input), shows the import's\nprogress and prints the imported books and the rows that failed.",
			groups: flagGroups{run: true}, minArgs: 1, maxArgs: 1, run: runImport},
		{name: "scan", args: "PHOTO...", summary: "detect the books on 1 to 5 bookshelf photos",
			detail: "Uploads the photos (JPEG, PNG...; 10 MB each, 50 MB in all), shows the scan's\nprogress and stage (detecting, enriching) and prints the books detected,\napproved or to review by their confidence.",
			groups: flagGroups{run: true}, minArgs: 1, maxArgs: -1, run: runScan},
		{name: "enrich", args: "ISBN...", summary: "enrich books by ISBN",
			detail: "Starts an enrichment of 1 to 500 ISBNs (ISBN-10 or ISBN-13, hyphens allowed;\n- reads them from standard input), shows its progress and prints the books\nfound and the ISBNs that were not.",
			groups: flagGroups{run: true}, minArgs: 1, maxArgs: -1, run: runEnrich},
		{name: "watch", args: "KIND JOB_ID", summary: "follow a started job to its end and print its results",
			detail: "Follows the job's stream with its token (--token or BOOKSTRACK_TOKEN), from the\nstart or after --last-event-id, then prints the results. KIND is import,\nscan or enrich. `bookstrack watch --state FILE`, without KIND and JOB_ID,\nresumes the job a start command (or an earlier watch) kept in FILE: its\nkind, id, routes, base URL, token and last event id; FILE is updated as\nevents arrive.",
			groups: flagGroups{run: true, watch: true}, minArgs: 0, maxArgs: 2, run: runWatch},
		{name: "status", args: "KIND JOB_ID", summary: "print a job's status",
			detail:  "Prints the job's status, progress and message (not on the v2 route set).\nExits 1 when the job failed or was canceled.",
			minArgs: 2, maxArgs: 2, run: runStatus},
		{name: "results", args: "KIND JOB_ID", summary: "print a completed job's results",
			detail:  "Prints the results of a completed job; they are kept about 2 hours.",
			minArgs: 2, maxArgs: 2, run: runResults},
		{name: "cancel", args: "KIND JOB_ID", summary: "cancel a running job",
			detail:  "Cancels the job on the server (not on the v2 route set).",
			minArgs: 2, maxArgs: 2, run: runCancel},
		{name: "fake", args: "serve", summary: "run the fake BooksTrack API as a server until interrupted",
			detail: "Serves the fake BooksTrack API (package bookstracktest) with its quirks until\nCtrl-C or SIGTERM, then exits 0. It prints its base URL on standard output,\nfor --base-url or BOOKSTRACK_BASE_URL of other commands, and of any client\n(curl, the app's tests). It listens on loopback (127.0.0.1) unless --addr\nsays otherwise. Jobs live as long as the server.",
			groups: flagGroups{serve: true}, minArgs: 1, maxArgs: 1, run: runFakeServe},
	}
}

func commandNamed(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func runImport(ctx context.Context, s *session, pos []string) error {
	data, err := readCSV(pos[0], s.stdin)
	if err != nil {
		return err
	}
	c, err := csvimport.NewClient(s.clientOptions()...)
	if err != nil {
		return err
	}
	return s.start(ctx, importClient{c}, bookstrack.KindImport, func() (bookstrack.Job, error) {
		return c.Start(ctx, bytes.NewReader(data))
	})
}

func runScan(ctx context.Context, s *session, pos []string) error {
	photos, err := readPhotos(pos, s.stdin)
	if err != nil {
		return err
	}
	c, err := scan.NewClient(s.clientOptions()...)
	if err != nil {
		return err
	}
	return s.start(ctx, scanClient{c}, bookstrack.KindScan, func() (bookstrack.Job, error) {
		return c.Start(ctx, photos...)
	})
}

func runEnrich(ctx context.Context, s *session, pos []string) error {
	isbns, err := readISBNs(pos, s.stdin)
	if err != nil {
		return err
	}
	c, err := enrichment.NewClient(s.clientOptions()...)
	if err != nil {
		return err
	}
	return s.start(ctx, enrichClient{c}, bookstrack.KindEnrichment, func() (bookstrack.Job, error) {
		return c.Start(ctx, isbns)
	})
}

// start starts a job and follows it. With --state it checks first that
// the file can be written, and writes it once the job has started.
func (s *session) start(ctx context.Context, c client, k bookstrack.Kind, start func() (bookstrack.Job, error)) error {
	if s.o.state != "" {
		if err := checkWritable(s.o.state); err != nil {
			return err
		}
	}
	d := s.newDisplay(k)
	job, err := start()
	if err != nil {
		return err
	}
	d.started(job)
	if s.o.state != "" {
		s.state = s.newState(kindOf(job.Kind), job)
		if err := s.state.save(); err != nil {
			kn := kindOf(job.Kind).name
			return fmt.Errorf("cannot write the --state file %s: %w; job %s goes on on the server: stop it with `bookstrack cancel %s %s%s`",
				s.o.state, unwrapPath(err), job.ID, kn, job.ID, s.baseURLFlag())
		}
	}
	return s.follow(ctx, c, job)
}

func runWatch(ctx context.Context, s *session, pos []string) error {
	if s.o.state != "" {
		return s.watchState(ctx)
	}
	k, c, err := s.jobArgs(pos)
	if err != nil {
		return err
	}
	if s.o.token.s == "" {
		return usagef("pass the token the job was started with, by --token or BOOKSTRACK_TOKEN, or use --state FILE", "watch needs the job's stream token")
	}
	job := bookstrack.Job{ID: pos[1], Kind: k.job, Token: s.o.token.s, LastEventID: s.o.lastEventID}
	return s.follow(ctx, c, job)
}

// watchState is `watch --state FILE`: the job, its server and where to
// resume come from FILE, which is updated as events arrive.
func (s *session) watchState(ctx context.Context) error {
	for _, f := range []string{"token", "last-event-id", "base-url", "routes"} {
		if s.set[f] {
			return usagef("leave out --"+f+", or --state", "--state FILE gives the job's %s; --%s cannot change it", strings.ReplaceAll(f, "-", " "), f)
		}
	}
	st, k, err := loadState(s.o.state)
	if err != nil {
		return err
	}
	s.o.baseURL = st.st.BaseURL
	_ = s.o.routes.Set(st.st.Routes) // checked by loadState
	c, err := s.open(k)
	if err != nil {
		return err
	}
	s.state = st
	return s.follow(ctx, c, bookstrack.Job{ID: st.st.JobID, Kind: k.job, Token: st.st.Token, LastEventID: st.st.LastEventID})
}

// baseURLFlag is " --base-url URL" when the base URL is not the default,
// for the commands a message suggests.
func (s *session) baseURLFlag() string {
	if s.o.baseURL == bookstrack.DefaultBaseURL || s.fake != nil {
		return ""
	}
	return " --base-url " + s.o.baseURL
}

func runStatus(ctx context.Context, s *session, pos []string) error {
	k, c, err := s.jobArgs(pos)
	if err != nil {
		return err
	}
	p, err := c.Status(ctx, pos[1])
	var failed *bookstrack.JobFailedError
	if err != nil && !errors.As(err, &failed) {
		return err
	}
	if s.o.json {
		if perr := s.printJSON(p); perr != nil {
			return perr
		}
	} else if perr := statusTable(s.stdout, k, pos[1], p); perr != nil {
		return perr
	}
	return err
}

func runResults(ctx context.Context, s *session, pos []string) error {
	k, c, err := s.jobArgs(pos)
	if err != nil {
		return err
	}
	res, err := c.results(ctx, pos[1])
	if err != nil {
		return s.whyNoResults(ctx, k, c, pos[1], err)
	}
	return s.printResults(res)
}

// whyNoResults tells, when the results route answered 404 (which does
// not say why), whether the job is unknown (exit 7), still running or
// expired (exit 5), by asking the status route; on the v2 route set,
// which has none, err stays as it is.
func (s *session) whyNoResults(ctx context.Context, k kind, c client, id string, err error) error {
	if !errors.Is(err, bookstrack.ErrResultsUnavailable) || errors.Is(err, bookstrack.ErrResultsExpired) || s.o.routes.r != bookstrack.V3 {
		return err
	}
	var api *bookstrack.APIError
	if !errors.As(err, &api) {
		return err
	}
	p, serr := c.Status(ctx, id)
	var failed *bookstrack.JobFailedError
	switch {
	case errors.Is(serr, bookstrack.ErrJobNotFound):
		return &cliError{exitNotFound, fmt.Sprintf("no %s job %s: %s", k.name, id, apiText(api)), "check the job id, its kind and --routes"}
	case errors.As(serr, &failed):
		return serr
	case serr != nil:
		return err
	case p.Status == bookstrack.StatusCompleted:
		return &cliError{exitResults, fmt.Sprintf("the results of %s job %s have expired: %s", k.name, id, apiText(api)), "results are kept about 2 hours after a job completes; start the job again"}
	}
	return &cliError{exitResults, fmt.Sprintf("%s job %s has no results yet: it is %s, %s done", k.name, id, p.Status, p.Percent()),
		fmt.Sprintf("wait for it with `bookstrack watch %s %s --token TOKEN%s`", k.name, id, s.baseURLFlag())}
}

func runCancel(ctx context.Context, s *session, pos []string) error {
	k, c, err := s.jobArgs(pos)
	if err != nil {
		return err
	}
	if err := c.Cancel(ctx, pos[1]); err != nil {
		return err
	}
	if s.o.json {
		return s.printJSON(map[string]any{"id": pos[1], "kind": k.job, "canceled": true})
	}
	_, err = s.stdout.Write([]byte("canceled " + k.name + " job " + pos[1] + "\n"))
	return err
}

// jobArgs reads KIND JOB_ID and opens a client of the kind.
func (s *session) jobArgs(pos []string) (kind, client, error) {
	k, err := kindNamed(pos[0])
	if err != nil {
		return kind{}, nil, err
	}
	c, err := s.open(k)
	return k, c, err
}
