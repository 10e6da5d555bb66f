package main

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHelpListsTheCommandsFlagsEnvironmentAndExitCodes(t *testing.T) {
	for _, a := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		r := cli(t, nil, "", a...)
		require.Equal(t, exitOK, r.code, a)
		assert.Empty(t, r.stderr)
		for _, c := range commands {
			assert.Regexp(t, `(?m)^  `+c.name+` `+c.args+` +\S`, r.stdout, "command %s", c.name)
		}
		for _, f := range []string{"-base-url", "-routes", "-json", "-timeout", "-fake", "-quirk", "-version"} {
			assert.Regexp(t, `(?m)^  `+f+`\b`, r.stdout)
		}
		for _, env := range []string{"BOOKSTRACK_BASE_URL", "BOOKSTRACK_ROUTES", "BOOKSTRACK_TOKEN"} {
			assert.Contains(t, r.stdout, env)
		}
		assert.Contains(t, r.stdout, exitCodesHelp)
		assert.Contains(t, r.stdout, "bookstrack --fake enrich")
	}
}

// Each command's help says what it does and lists every flag it takes.
func TestEachCommandsHelpMentionsEachOfItsFlags(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			for _, a := range [][]string{{c.name, "-h"}, {c.name, "--help"}, {"help", c.name}} {
				r := cli(t, nil, "", a...)
				require.Equal(t, exitOK, r.code, r.stderr)
				assert.Contains(t, r.stdout, "Usage: bookstrack "+c.name+" [flags] "+c.args+"\n\n"+c.detail)
				fs := newFlagSet(c.name)
				var o options
				require.NoError(t, defineFlags(fs, &o, c.groups, func(string) string { return "" }))
				n := 0
				fs.VisitAll(func(f *flag.Flag) {
					n++
					assert.Regexp(t, `(?m)^  -`+f.Name+`\b`, r.stdout)
				})
				assert.GreaterOrEqual(t, n, 5)
			}
		})
	}
}

func TestOnlyTheWatchingCommandsTakeTheWatchFlags(t *testing.T) {
	r := cli(t, nil, "", "status", "-h")
	assert.NotContains(t, r.stdout, "-drop-after")
	assert.NotContains(t, r.stdout, "-token")
	r = cli(t, nil, "", "enrich", "-h")
	assert.Contains(t, r.stdout, "-drop-after")
	assert.Contains(t, r.stdout, "-cancel-on-interrupt")
	assert.NotContains(t, r.stdout, "-last-event-id")
}
