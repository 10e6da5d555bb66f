package main

import (
	"flag"
	"fmt"
	"io"
)

// topHelp writes `bookstrack --help`.
func topHelp(w io.Writer, env func(string) string) {
	fs := newFlagSet("bookstrack")
	var o options
	_ = defineFlags(fs, &o, flagGroups{}, env)
	fmt.Fprint(w, `bookstrack starts, watches and reads BooksTrack jobs: CSV imports, bookshelf
scans and ISBN enrichments.

Usage:
  bookstrack [flags] COMMAND [flags] ARGS...

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-20s %s\n", c.name+" "+c.args, c.summary)
	}
	fmt.Fprint(w, `  KIND is import, scan or enrich.

Live progress goes to standard error: a bar with the stage and the message on
a terminal, plain lines otherwise. The results go to standard output as a
table, or as JSON with --json (--events adds every update as a JSON line).
JSON fields are named as in the Go types (csvimport.Results, scan.Results,
enrichment.Results, bookstrack.Progress and Completion); an --events line has
a "type": started, progress, notice, completed, results or error. Ctrl-C
stops the watch and leaves the job running, unless --cancel-on-interrupt is
given. The stream token is never printed.

Flags of every command (before or after the command name; each command's
-h lists the others):
`)
	printFlags(w, fs)
	fmt.Fprint(w, `
Environment:
  BOOKSTRACK_BASE_URL   default of --base-url
  BOOKSTRACK_ROUTES     default of --routes
  BOOKSTRACK_TOKEN      default of --token (watch)

`)
	fmt.Fprint(w, exitCodesHelp)
	fmt.Fprint(w, `
Examples:
  bookstrack --fake enrich 9780141439518 0-14-143962-9
  bookstrack --fake import --drop-after 3 library.csv
  bookstrack scan --json shelf1.jpg shelf2.jpg
  bookstrack watch scan JOB_ID --token "$TOKEN" --last-event-id ID

Run `+"`bookstrack COMMAND -h`"+` for the flags of a command.
`)
}

// commandHelp writes `bookstrack COMMAND -h`.
func commandHelp(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: bookstrack %s [flags] %s\n\n%s\n\nFlags:\n", c.name, c.args, c.detail)
	printFlags(w, fs)
	fmt.Fprint(w, "\nRun `bookstrack --help` for the exit codes and the environment variables.\n")
}
