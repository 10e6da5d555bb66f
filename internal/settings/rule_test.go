package settings_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/internal/settings"
	"github.com/bookstrack/bookstrack-go/scan"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// The option rule of package bookstrack (and of scan's one option), as its
// package doc states it: a zero value keeps the default, a negative number
// turns the setting off where it can be off, and a value out of range is
// refused by NewClient with an error naming the option and the range.

// ruleCase is one option of the root package: zero is the option given
// its zero value; neg, for a numeric option, the option given a negative
// number, and off what that must make of the settings (nil: refused).
type ruleCase struct {
	name string
	zero bookstrack.Option
	neg  bookstrack.Option
	off  func(t *testing.T, s settings.Settings)
	// bad, when set, is a positive value out of range, refused too.
	bad bookstrack.Option
}

var ruleCases = []ruleCase{
	{name: "WithBaseURL", zero: bookstrack.WithBaseURL("")},
	{name: "WithRoutes", zero: bookstrack.WithRoutes(0)},
	{name: "WithHTTPClient", zero: bookstrack.WithHTTPClient(nil)},
	{name: "WithLogger", zero: bookstrack.WithLogger(nil)},
	{name: "WithClock", zero: bookstrack.WithClock(nil)},
	{name: "WithQueryToken", zero: bookstrack.WithQueryToken("")},
	{name: "WithResultsTTL", zero: bookstrack.WithResultsTTL(0), neg: bookstrack.WithResultsTTL(-time.Hour)},
	{name: "WithTimeoutFallback", zero: bookstrack.WithTimeoutFallback(0)},
	{
		name: "WithPollInterval", zero: bookstrack.WithPollInterval(0), neg: bookstrack.WithPollInterval(-time.Second),
		bad: bookstrack.WithPollInterval(time.Second), // under the 2 s floor
	},
	{
		name: "WithStallTimeout", zero: bookstrack.WithStallTimeout(0), neg: bookstrack.WithStallTimeout(-1),
		off: func(t *testing.T, s settings.Settings) { assert.Zero(t, s.StallTimeout) },
	},
	{
		name: "WithResponseHeaderTimeout", zero: bookstrack.WithResponseHeaderTimeout(0), neg: bookstrack.WithResponseHeaderTimeout(-time.Second),
		off: func(t *testing.T, s settings.Settings) { assert.Zero(t, s.HeaderTimeout) },
	},
	{
		name: "WithCallRetries", zero: bookstrack.WithCallRetries(0), neg: bookstrack.WithCallRetries(-5),
		off: func(t *testing.T, s settings.Settings) { assert.Zero(t, s.CallRetries) },
	},
	{name: "WithMaxRetryDelay", zero: bookstrack.WithMaxRetryDelay(0), neg: bookstrack.WithMaxRetryDelay(-time.Minute)},
	{name: "WithCrossOriginStreams", zero: bookstrack.WithCrossOriginStreams(false)},
	{
		name: "WithStreamOptions", zero: bookstrack.WithStreamOptions(),
		bad: bookstrack.WithStreamOptions(sse.WithMaxEventSize(-1)), // refused by NewClient, not at the first watch
	},
	{name: "WithFetchObserver", zero: bookstrack.WithFetchObserver(nil)},
	{name: "WithStats", zero: bookstrack.WithStats(nil)},
	{
		name: "WithApprovalThreshold", zero: scan.WithApprovalThreshold(0), neg: scan.WithApprovalThreshold(-0.5),
		off: func(t *testing.T, s settings.Settings) { assert.Equal(t, math.Inf(-1), s.ApprovalThreshold) },
		bad: scan.WithApprovalThreshold(1.5),
	},
}

func TestEveryRootOptionFollowsTheOptionRule(t *testing.T) {
	def := settings.MustNew([]bookstrack.Option(nil))
	def.HTTPClient = nil // a new client each time
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			got := settings.MustNew([]bookstrack.Option{tc.zero})
			require.NotNil(t, got.HTTPClient)
			got.HTTPClient = nil
			assert.Equal(t, def, got, "a zero value keeps the default")

			if tc.neg != nil && tc.off != nil {
				s, err := settings.New([]bookstrack.Option{tc.neg})
				require.NoError(t, err, "a negative number turns it off")
				tc.off(t, s)
			}
			var refused []bookstrack.Option
			if tc.neg != nil && tc.off == nil {
				refused = append(refused, tc.neg) // cannot be off
			}
			if tc.bad != nil {
				refused = append(refused, tc.bad)
			}
			for _, opt := range refused {
				_, err := settings.New([]bookstrack.Option{opt})
				var oe *settings.OptionError
				require.ErrorAs(t, err, &oe, "out of range")
				assert.Equal(t, tc.name, oe.Option)

				_, err = csvimport.NewClient(opt)
				require.Error(t, err, "NewClient refuses it")
				assert.ErrorAs(t, err, new(*bookstrack.InputError))
				assert.Contains(t, err.Error(), tc.name, "the error names the option")
				assert.Contains(t, err.Error(), "0 for the default", "the error says the range")
			}
		})
	}
}

// TestTheRuleTableHoldsEveryRootOption reads the source of the root and
// scan packages: every exported function returning an Option has its row
// above.
func TestTheRuleTableHoldsEveryRootOption(t *testing.T) {
	listed := map[string]bool{}
	for _, tc := range ruleCases {
		listed[tc.name] = true
	}
	seen := 0
	for _, dir := range []string{"../..", "../../scan"} {
		pkgs, err := parser.ParseDir(token.NewFileSet(), dir, func(fi fs.FileInfo) bool {
			return !strings.HasSuffix(fi.Name(), "_test.go")
		}, 0)
		require.NoError(t, err)
		for _, p := range pkgs {
			for _, f := range p.Files {
				for _, d := range f.Decls {
					fd, ok := d.(*ast.FuncDecl)
					if !ok || fd.Recv != nil || !fd.Name.IsExported() || fd.Type.Results == nil || len(fd.Type.Results.List) != 1 {
						continue
					}
					if typeName(fd.Type.Results.List[0].Type) == "Option" {
						seen++
						assert.True(t, listed[fd.Name.Name], "%s (in %s) has no row in ruleCases", fd.Name.Name, dir)
					}
				}
			}
		}
	}
	assert.Equal(t, len(ruleCases), seen, "every row is an option of the source")
}

func typeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

func TestSetValuesAreKeptAndTheLastOptionWins(t *testing.T) {
	hc := &http.Client{}
	st := ssestats.New()
	c := settings.MustNew([]bookstrack.Option{
		bookstrack.WithStallTimeout(time.Minute), bookstrack.WithStallTimeout(-1),
		bookstrack.WithCallRetries(7), bookstrack.WithBaseURL("http://a"), bookstrack.WithBaseURL("http://b"),
		bookstrack.WithHTTPClient(hc), bookstrack.WithPollInterval(3 * time.Second), bookstrack.WithRoutes(bookstrack.V2),
		bookstrack.WithTimeoutFallback(bookstrack.ReconnectOnTimeout), bookstrack.WithStreamOptions(sse.WithStopAtEnd()),
		bookstrack.WithStreamOptions(sse.WithStopAtEnd()), bookstrack.WithStats(st), scan.WithApprovalThreshold(0.5),
	})
	assert.Zero(t, c.StallTimeout)
	assert.Equal(t, 7, c.CallRetries)
	assert.Equal(t, "http://b", c.BaseURL)
	assert.Same(t, hc, c.HTTPClient)
	assert.Equal(t, 3*time.Second, c.PollInterval)
	assert.True(t, c.V2)
	assert.True(t, c.Reconnect)
	assert.Len(t, c.StreamOptions, 2, "stream options add up")
	assert.Same(t, st, c.Stats)
	assert.Equal(t, 0.5, c.ApprovalThreshold)
	assert.Nil(t, settings.MustNew([]bookstrack.Option{bookstrack.WithStats(st), bookstrack.WithStats(nil)}).Stats, "nil is none")

	d := settings.MustNew([]bookstrack.Option(nil))
	assert.Equal(t, bookstrack.DefaultBaseURL, d.BaseURL)
	assert.Equal(t, sse.SystemClock, d.Clock)
	assert.Nil(t, d.Logger, "no logging")
	assert.Equal(t, 2*time.Hour, d.ResultsTTL)
	assert.Equal(t, 2*time.Second, d.PollInterval)
	assert.Equal(t, 15*time.Minute, d.StallTimeout)
	assert.Equal(t, 30*time.Second, d.HeaderTimeout)
	assert.Equal(t, 3, d.CallRetries)
	assert.Equal(t, 5*time.Minute, d.MaxRetryDelay)
	assert.Equal(t, 0.8, d.ApprovalThreshold)
}
