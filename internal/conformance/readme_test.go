package conformance_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// The examples of the format's documentation are fixtures too: each is
// loaded with the same loader and run as its kind says, so the README
// cannot drift from the format.
func TestTheReadmeExamplesAreFixturesThatPass(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(fixturesDir, "README.md"))
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```json\n(.*?)\n```").FindAllSubmatch(readme, -1)
	require.Len(t, blocks, 3, "one example for each kind of fixture")
	dir := t.TempDir()
	kinds := map[string]bool{}
	for i, b := range blocks {
		var h struct{ Name string }
		require.NoError(t, json.Unmarshal(b[1], &h), "README example %d", i)
		file := filepath.Join(dir, h.Name+".json")
		require.NoError(t, os.WriteFile(file, b[1], 0o600))
		f, err := loadFixture(file)
		require.NoError(t, err, "README example %d", i)
		kinds[f.Kind] = true
		t.Run(f.Name, func(t *testing.T) {
			switch f.Kind {
			case kindDecoder:
				runDecoderFixture(t, f)
				runDecoderFixtureThroughClient(t, f)
			case kindClient:
				runClientFixture(t, f)
			case kindJob:
				runJobFixture(t, f)
			}
		})
	}
	require.Len(t, kinds, 3, "one example for each kind of fixture")
}
