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
		`reconnected, resuming after event \d+-\w+`,
		`created \d+, updated \d+, duplicates skipped 1`,
		`not found: 9781234567897`,
		`books detected: \d+ approved, \d+ to review`,
		`== Figures \(times: p95\) ==`,
		`figure\s+imports\s+enrichment\s+scans\s+all\s+plan\s+result`,
		// The cut gives the import exactly one reconnection, timed.
		`reconnection success\s+100\.0 % \(1/1\)\s+-\s+-\s+100\.0 % \(1/1\)\s+> 95 %\s+pass`,
		`reconnection time\s+\S+ \(n=1\)\s+-\s+-\s+\S+ \(n=1\)\s+< 5s\s+(pass|miss)`,
		`connection success\s+100\.0 % \(1/1\)\s+100\.0 % \(1/1\)\s+100\.0 % \(1/1\)\s+100\.0 % \(3/3\)\s+> 99 %\s+pass`,
		`results-fetch success\s+(100\.0 % \(1/1\)\s+){3}100\.0 % \(3/3\)\s+> 99 %\s+pass`,
		`progress latency\s+(\S+ \(n=\d+\)\s+){4}< 50ms\s+(pass|miss)`,
		`time to first message\s+(\S+ \(n=\d+\)\s+){4}< 500ms\s+(pass|miss)`,
		`connection time\s+(\S+ \(n=\d+\)\s+){4}< 100ms\s+(pass|miss)`,
		`drops\s+1\s+0\s+0\s+1`,
	} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
