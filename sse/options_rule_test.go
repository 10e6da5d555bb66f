package sse

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The package's option rule, as its documentation states it: a zero
// value keeps the default, a negative number turns the setting off where
// it can be off, and a value out of range is refused by NewClient (and
// Read) with an error matching ErrInvalidOption that names the option and
// its range.

// optionRuleCase is one option: zero is the option given its zero value
// (nil for an option without an argument); neg the option given a
// negative number, with off checking what it made of the configuration,
// or refused when off is nil; bad a value out of range, refused.
type optionRuleCase struct {
	name string
	zero Option
	neg  Option
	off  func(t *testing.T, cfg config)
	bad  Option
}

var optionRuleCases = []optionRuleCase{
	{name: "WithAddedObserver", zero: WithAddedObserver(Observer{})},
	{name: "WithBackOff", zero: WithBackOff(nil)},
	{name: "WithBearerToken", zero: WithBearerToken("")},
	{name: "WithBody", zero: WithBody(nil)},
	{name: "WithClock", zero: WithClock(nil)},
	{name: "WithConstantDelay", zero: WithConstantDelay(0), neg: WithConstantDelay(-1)},
	{
		name: "WithGiveUp", zero: WithGiveUp(0, 0), neg: WithGiveUp(-1, -1),
		off: func(t *testing.T, cfg config) { assert.Zero(t, cfg.maxAttempts); assert.Zero(t, cfg.maxUnhealthy) },
	},
	{name: "WithHTTPClient", zero: WithHTTPClient(nil)},
	{name: "WithHeader", zero: WithHeader("", "")},
	{name: "WithHealthyAfter", zero: WithHealthyAfter(0), neg: WithHealthyAfter(-1)},
	{
		name: "WithIdleTimeout", zero: WithIdleTimeout(0), neg: WithIdleTimeout(-1),
		off: func(t *testing.T, cfg config) { assert.Zero(t, cfg.idleTimeout) },
	},
	{name: "WithInitialDelay", zero: WithInitialDelay(0), neg: WithInitialDelay(-1)},
	{name: "WithLastEventID", zero: WithLastEventID("")},
	{name: "WithLogger", zero: WithLogger(nil)},
	{name: "WithMaxDelay", zero: WithMaxDelay(0), neg: WithMaxDelay(-1)},
	{name: "WithMaxEventSize", zero: WithMaxEventSize(0), neg: WithMaxEventSize(-1)},
	{name: "WithMethod", zero: WithMethod("")},
	{name: "WithNoDelay"}, // no argument
	{name: "WithObserver", zero: WithObserver(Observer{})},
	{name: "WithQueryToken", zero: WithQueryToken("", "")},
	{name: "WithRequestHook", zero: WithRequestHook(nil)},
	{
		name: "WithResponseHeaderTimeout", zero: WithResponseHeaderTimeout(0), neg: WithResponseHeaderTimeout(-1),
		off: func(t *testing.T, cfg config) { assert.Zero(t, cfg.headerTimeout) },
	},
	{name: "WithStopAtEnd"}, // no argument
	{name: "WithTransport", zero: WithTransport(0), neg: WithTransport(-1), bad: WithTransport(TransportNetHTTP + 1)},
}

func TestEveryOptionFollowsTheOptionRule(t *testing.T) {
	def, err := applyOptions(nil)
	require.NoError(t, err)
	for _, tc := range optionRuleCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.zero != nil {
				got, err := applyOptions([]Option{tc.zero})
				require.NoError(t, err)
				assert.Equal(t, def, got, "a zero value keeps the default")
			}
			if tc.neg != nil && tc.off != nil {
				got, err := applyOptions([]Option{tc.neg})
				require.NoError(t, err, "a negative number turns it off")
				tc.off(t, got)
			}
			var refused []Option
			if tc.neg != nil && tc.off == nil {
				refused = append(refused, tc.neg)
			}
			if tc.bad != nil {
				refused = append(refused, tc.bad)
			}
			for _, opt := range refused {
				_, err := NewClient("http://sse.test/", HandlerFuncs{}, opt)
				require.ErrorIs(t, err, ErrInvalidOption, "NewClient refuses it")
				assert.Contains(t, err.Error(), tc.name+"(", "the error names the option")
				assert.Contains(t, err.Error(), "default", "the error says the range")
				for _, err := range Read(strings.NewReader("data: x\n\n"), opt) {
					assert.ErrorIs(t, err, ErrInvalidOption, "Read refuses it too")
				}
			}
		})
	}
}

// TestTheOptionRuleTableHoldsEveryOption reads the package's source:
// every exported function returning an Option has its row above.
func TestTheOptionRuleTableHoldsEveryOption(t *testing.T) {
	listed := map[string]bool{}
	for _, tc := range optionRuleCases {
		listed[tc.name] = true
	}
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	require.NoError(t, err)
	seen := 0
	for _, f := range pkgs["sse"].Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || !fd.Name.IsExported() || fd.Type.Results == nil || len(fd.Type.Results.List) != 1 {
				continue
			}
			if id, ok := fd.Type.Results.List[0].Type.(*ast.Ident); ok && id.Name == "Option" {
				seen++
				assert.True(t, listed[fd.Name.Name], "%s has no row in optionRuleCases", fd.Name.Name)
			}
		}
	}
	assert.Equal(t, len(optionRuleCases), seen, "every row is an option of the source")
}
