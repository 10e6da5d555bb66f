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
	_ = defineFlags(fs, &o, flagGroups{top: true}, env)
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

Live progress goes to standard error: on a terminal, a bar with the stage and
the message, cut to the terminal's width and redrawn in place; plain lines
when the width is unknown or it is not a terminal. The results go to standard
output as a table, or as JSON with --json (--events adds every update as a
JSON line). JSON keys are lowerCamelCase, as in the API's own JSON (jobId,
booksCreated, eventId...); a time the server did not give is left out, an
empty list is []. An --events line has a "type": started, progress, notice,
completed, results or error.

Ctrl-C (or SIGTERM) stops the watch and leaves the job running, unless
--cancel-on-interrupt is given. --state FILE keeps what a resume needs in
FILE (mode 0600: it holds the job's stream token); "bookstrack watch --state
FILE" resumes there, in another process, with no update lost or repeated.
The stream token is never printed. The input is checked before anything is
uploaded: file types, sizes and counts, repeats counting once.

--fake runs the fake API in the process, for one start command; "bookstrack
fake serve" runs it as a server that every command (and curl) can use.

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
  bookstrack scan --json --state scan.state shelf1.jpg shelf2.jpg
  bookstrack watch --state scan.state
  bookstrack watch scan JOB_ID --token "$TOKEN" --last-event-id ID
  bookstrack fake serve --addr 127.0.0.1:8080 --quirk legacy-errors
  BOOKSTRACK_BASE_URL=http://127.0.0.1:8080 bookstrack status scan JOB_ID

Run `+"`bookstrack COMMAND -h`"+` for the flags of a command.
`)
}

// commandHelp writes `bookstrack COMMAND -h`.
func commandHelp(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: bookstrack %s [flags] %s\n\n%s\n\nFlags:\n", c.name, c.args, c.detail)
	printFlags(w, fs)
	fmt.Fprint(w, "\nRun `bookstrack --help` for the exit codes and the environment variables.\n")
}
