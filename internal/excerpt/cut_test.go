package excerpt_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/bookstrack/bookstrack-go/internal/excerpt"
)

func TestCutKeepsShortTextAndCutsLongTextOnACharacterBoundary(t *testing.T) {
	assert.Equal(t, "short", excerpt.Cut("short", 10))
	assert.Equal(t, "exactly10!", excerpt.Cut("exactly10!", 10))
	assert.Equal(t, strings.Repeat("a", 4)+"...", excerpt.Cut(strings.Repeat("a", 9), 4))
	assert.Equal(t, "ab...", excerpt.Cut("abé and more", 3), "é is two bytes: cut before it")
	assert.Equal(t, "a\uFFFDb", excerpt.Cut("a\xffb", 10), "invalid UTF-8 replaced")
	assert.Equal(t, "...", excerpt.Cut("abc", -1))
}

func FuzzCut(f *testing.F) {
	f.Add("abé and more", 3)
	f.Add("\xff\xfe", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		got := excerpt.Cut(s, n)
		if !utf8.ValidString(got) {
			t.Fatalf("Cut(%q, %d) = %q: invalid UTF-8", s, n, got)
		}
		v := strings.ToValidUTF8(s, "\uFFFD")
		if len(v) <= n {
			if got != v {
				t.Fatalf("Cut(%q, %d) = %q: short text is kept whole", s, n, got)
			}
			return
		}
		kept, cut := strings.CutSuffix(got, "...")
		if !cut || len(kept) > max(n, 0) || !strings.HasPrefix(v, kept) {
			t.Fatalf("Cut(%q, %d) = %q: not a marked prefix of at most %d bytes", s, n, got, n)
		}
	})
}
