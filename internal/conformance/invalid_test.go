package conformance_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestABrokenFixtureFailsNamingItsFileAndField(t *testing.T) {
	// Each file of testdata/conformance-invalid and what its error must
	// say besides the file's path.
	want := map[string]string{
		"bad-base64.json":               "field chunkings[0][1].base64: not standard base64",
		"bad-end.json":                  `field connections[0].response.end: "reset" is not one of`,
		"chunkings-disagree.json":       "field chunkings[1]: joins into",
		"missing-completion-field.json": "field outcome.completion.lastEventId: missing",
		"missing-event-field.json":      "field connections[1].events[0].id: missing",
		"missing-field.json":            "field lastEventId: missing",
		"mistyped-field.json":           "field connections.response.status: a JSON string where a number is expected",
		"not-json.json":                 "not valid JSON: line 6",
		"null-not-missing.json":         "field retryMs: missing",
		"unknown-field.json":            "field evnets: unknown field",
		"unknown-kind.json":             `field kind: "parser" is not`,
		"wrong-results-fields.json":     "field outcome.results.notFound: not a field of scan results",
	}
	files := fixtureFiles(t, invalidDir)
	require.Len(t, files, len(want), "every broken fixture is listed here, and every listed one exists")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			msg, ok := want[filepath.Base(file)]
			require.True(t, ok, "%s is not listed", file)
			_, err := loadFixture(file)
			require.Error(t, err)
			var fe *fieldError
			require.True(t, errors.As(err, &fe), "want a *fieldError, got %T: %v", err, err)
			assert.Equal(t, file, fe.File)
			assert.Contains(t, err.Error(), file+": ")
			assert.Contains(t, err.Error(), msg)
		})
	}
}

func TestEveryFixtureLoads(t *testing.T) {
	fixtures := loadFixtures(t, fixturesDir)
	count := map[string]int{}
	for _, f := range fixtures {
		count[f.Kind]++
		assert.Equal(t, filepath.Base(f.File), f.Name+".json", "%s: field name: the file is <name>.json", f.File)
	}
	assert.GreaterOrEqual(t, len(fixtures), 40, "fixtures in all")
	for _, kind := range []string{kindDecoder, kindClient, kindJob} {
		assert.Positive(t, count[kind], "%s fixtures", kind)
	}
	t.Logf("fixtures: %d decoder, %d client, %d job", count[kindDecoder], count[kindClient], count[kindJob])
}
