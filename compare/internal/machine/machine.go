// Package machine reads and sets what the comparison's commands report
// about the machine and need from it: the load average and the file
// descriptor limit.
package machine

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// LoadAvg returns the 1, 5 and 15-minute load averages, or "?".
func LoadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// RaiseFileLimit raises the soft RLIMIT_NOFILE toward need, up to the
// hard limit; it fails, naming the hard limit, when that is below need
// (the soft limit is then the hard one).
func RaiseFileLimit(need uint64) error {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return err
	}
	if r.Cur >= need {
		return nil
	}
	r.Cur = min(need, r.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return err
	}
	if r.Max < need {
		return fmt.Errorf("a process needs %d file descriptors; RLIMIT_NOFILE hard limit is %d (raising it needs CAP_SYS_RESOURCE)", need, r.Max)
	}
	return nil
}
