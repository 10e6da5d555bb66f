package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bookstrack/bookstrack-go"
)

// bar shows a job's progress: a bar redrawn in place on a terminal, plain
// lines otherwise.
type bar struct {
	out  io.Writer
	name string
	term bool
	open bool // a bar is drawn on the current line
}

func (d *demo) newBar(name string) *bar { return &bar{out: d.out, name: name, term: d.term} }

func (b *bar) show(p bookstrack.Progress, stage string) {
	msg := p.Message
	if stage != "" {
		msg = "[" + stage + "] " + msg
	}
	pct := int(p.Fraction*100 + 0.5)
	if !b.term {
		fmt.Fprintf(b.out, "%-10s %3d%%  %s\n", b.name, pct, msg)
		return
	}
	const width = 30
	fill := int(p.Fraction * width)
	fmt.Fprintf(b.out, "\r\033[K%-10s [%s%s] %3d%%  %s", b.name, strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct, msg)
	b.open = true
}

// note prints a line without breaking the bar.
func (b *bar) note(text string) {
	b.done()
	fmt.Fprintf(b.out, "  ! %s\n", text)
}

func (b *bar) done() {
	if b.open {
		fmt.Fprintln(b.out)
		b.open = false
	}
}

// isTerminal reports whether out is a terminal.
func isTerminal(out io.Writer) bool {
	f, ok := out.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
