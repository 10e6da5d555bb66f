package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemoShort runs the demo as CI does and checks that its output names
// the three completed jobs, shows the resume after the cut, and prints
// each table and the figures.
func TestDemoShort(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, options{short: true}, &out); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	uuid := `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`
	for _, want := range []string{
		`All 3 jobs completed: import ` + uuid + `, enrichment ` + uuid + `, scan ` + uuid,
		`cutting the connection in the middle of an event`,
		`reconnected in .*, resuming after event \d+-\w+`,
		`created \d+, updated \d+, duplicates skipped 1`,
		`not found: 9781234567897`,
		`books detected: \d+ approved, \d+ to review`,
		`== Figures ==`,
		`import\s+\S+\s+\S+\s+\d`, // the import's row has a reconnect time
	} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
