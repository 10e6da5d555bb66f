//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import "os"

// ttyColumns cannot ask the terminal on this system: the width comes from
// COLUMNS, or is unknown and the display falls back to plain lines.
func ttyColumns(*os.File) int { return 0 }
