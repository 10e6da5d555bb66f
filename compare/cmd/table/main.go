// Command table runs the comparison benchmarks (or reads `go test -bench`
// output) and prints a Markdown table: each workload's median figure per
// peer, our ratio to go-sse, the bufio floor and the WebSocket baseline,
// and the bar of issue 8 with met or missed.
//
// Run it from the compare directory:
//
//	go run ./cmd/table -count 5 -o /tmp/bench.txt   # runs the benchmarks
//	go run ./cmd/table -in /tmp/bench.txt           # only parses
//
// It runs each workload with -count 1, -count times, so that the i-th run
// of every peer comes from one go test invocation, and then cmd/idle once
// per client (-idle streams, default 10 000) for the idle bar, in
// plaintext and over TLS. Each workload runs in plaintext and over TLS
// (BenchmarkSmall/tls/peer=...); each row of the table is followed by its
// TLS row. The raw
// output it writes (-o), cmd/idle's figures included as
// BenchmarkIdleScale lines, is benchstat input: `benchstat -col /peer
// bench.txt` compares the peers, `benchstat old.txt new.txt` two runs.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"github.com/bookstrack/bookstrack-go/compare/internal/machine"
	"io"
	"math"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// peers in column order; ours-h1 is the default transport and the one
// the bars are judged on.
var peers = []string{"ours-h1", "ours-nethttp", "ours-nethttp-h1", "ours-h1-bytes", "go-sse", "launchdarkly", "r3labs", "bufio-floor", "websocket"}

// ssePeers are the SSE libraries "the best SSE peer" is chosen from.
var ssePeers = []string{"go-sse", "launchdarkly", "r3labs"}

// workloads and the -benchtime each runs with: Latency and Idle take
// about half a second per iteration, the others milliseconds.
var workloads = []struct{ name, benchtime string }{
	{"Small", "20x"},
	{"Large", "10x"},
	{"Latency", "1x"},
	{"Reconnect", "5x"},
	{"Idle", "1x"},
}

func main() {
	count := flag.Int("count", 5, "runs of each benchmark (go test -count)")
	in := flag.String("in", "", "parse this `go test -bench` output instead of running the benchmarks")
	out := flag.String("o", "", "also write the raw benchmark output to this file (benchstat input)")
	idle := flag.Int("idle", 10000, "also hold this many idle streams per client with cmd/idle, once (0: skip)")
	flag.Parse()
	var raw []byte
	load0 := machine.LoadAvg()
	if *in != "" {
		b, err := os.ReadFile(*in)
		if err != nil {
			fail(err)
		}
		raw = b
	} else {
		// -count 1, count times: the i-th run of every peer comes from
		// the same go test invocation, close in time, so that a ratio
		// is taken within one run of a shared machine.
		var buf bytes.Buffer
		for range *count {
			for _, w := range workloads {
				args := []string{"test", "-run", "^$", "-bench", "^Benchmark" + w.name + "$",
					"-benchtime", w.benchtime, "-count", "1", "."}
				fmt.Fprintln(os.Stderr, "go", strings.Join(args, " "))
				cmd := exec.Command("go", args...)
				cmd.Stdout = io.MultiWriter(&buf, os.Stderr)
				cmd.Stderr = os.Stderr
				if err := cmd.Run(); err != nil {
					fail(fmt.Errorf("go test -bench %s: %w", w.name, err))
				}
			}
		}
		if *idle > 0 {
			if err := idleScale(&buf, *idle); err != nil {
				fail(err)
			}
		}
		raw = buf.Bytes()
	}
	if *out != "" {
		if err := os.WriteFile(*out, raw, 0o644); err != nil {
			fail(err)
		}
	}
	machineLine := ""
	if *in == "" {
		machineLine = fmt.Sprintf("Machine: %d CPUs, load average (1, 5, 15 min) %s before the run, %s after.\n", runtime.NumCPU(), load0, machine.LoadAvg())
	}
	r := parse(raw)
	if len(r) == 0 {
		fail(fmt.Errorf("no Benchmark<Workload>/peer=<name> lines in the input"))
	}
	fmt.Print(table(r))
	fmt.Print(machineLine)
}

var held = regexp.MustCompile(`per stream (\d+) B heap in use \+ stacks \(live heap (\d+) B, stacks (\d+) B\), ([\d.]+) goroutines`)

// idleScale runs cmd/idle for our two transports and the WebSocket
// baseline, each in fresh processes, and writes what it held as
// benchmark lines (BenchmarkIdleScale/peer=...), so that -in and
// benchstat read them like the rest.
func idleScale(w io.Writer, n int) error {
	dir, err := os.MkdirTemp("", "compare-idle")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := dir + "/idle"
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/idle").CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/idle: %w\n%s", err, out)
	}
	for _, tls := range []string{"", "/tls"} {
		for _, c := range []struct{ client, peer string }{{"h1", "ours-h1"}, {"nethttp", "ours-nethttp"}, {"ws", "websocket"}} {
			args := []string{"-n", strconv.Itoa(n), "-client", c.client, "-tls=" + strconv.FormatBool(tls != "")}
			fmt.Fprintf(os.Stderr, "cmd/idle %s\n", strings.Join(args, " "))
			cmd := exec.Command(bin, args...)
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			os.Stderr.Write(out)
			if err != nil {
				return fmt.Errorf("cmd/idle %s: %w", strings.Join(args, " "), err)
			}
			m := held.FindStringSubmatch(string(out))
			if m == nil {
				return fmt.Errorf("cmd/idle %s printed no figures", strings.Join(args, " "))
			}
			fmt.Fprintf(w, "BenchmarkIdleScale%s/peer=%s 1 %d streams %s B/stream %s live-B/stream %s stack-B/stream %s goroutines/stream\n",
				tls, c.peer, n, m[1], m[2], m[3], m[4])
		}
	}
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "table:", err)
	os.Exit(1)
}

// results maps workload, peer and unit to the values of each run.
type results map[string]map[string]map[string][]float64

// line matches BenchmarkSmall/peer=ours-h1 (plaintext) and
// BenchmarkSmall/tls/peer=ours-h1 (TLS, kept as workload SmallTLS).
var line = regexp.MustCompile(`^Benchmark(\w+)(/tls)?/peer=([\w.-]+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func parse(raw []byte) results {
	r := results{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if m[2] != "" {
			m[1] += "TLS"
		}
		m = []string{m[0], m[1], m[3], m[4]}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			if r[m[1]] == nil {
				r[m[1]] = map[string]map[string][]float64{}
			}
			if r[m[1]][m[2]] == nil {
				r[m[1]][m[2]] = map[string][]float64{}
			}
			r[m[1]][m[2]][f[i+1]] = append(r[m[1]][m[2]][f[i+1]], v)
		}
	}
	return r
}

// median of the runs of workload w, peer p, unit u; NaN when absent.
func (r results) median(w, p, u string) float64 {
	v := slices.Clone(r[w][p][u])
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func (r results) runs(w, p, u string) int { return len(r[w][p][u]) }

// ref gives a reference value for run i, NaN when absent.
type ref func(i int) float64

func (r results) peer(w, u, p string) ref {
	return func(i int) float64 {
		v := r[w][p][u]
		if i >= len(v) {
			return math.NaN()
		}
		return v[i]
	}
}

// best is, in each run, the smallest of ps's figures.
func (r results) best(w, u string, ps ...string) ref {
	return func(i int) float64 {
		b := math.NaN()
		for _, p := range ps {
			if v := r.peer(w, u, p)(i); !math.IsNaN(v) && (math.IsNaN(b) || v < b) {
				b = v
			}
		}
		return b
	}
}

// bestName is the peer with the smallest median among ps.
func (r results) bestName(w, u string, ps ...string) string {
	bv, bp := math.Inf(1), ""
	for _, p := range ps {
		if v := r.median(w, p, u); v < bv {
			bv, bp = v, p
		}
	}
	return bp
}

// ratio is the median over runs i of ours's figure in run i divided by
// the reference in run i: a ratio within one run.
func (r results) ratio(w, u, ours string, ref ref) float64 {
	var q []float64
	for i, v := range r[w][ours][u] {
		if d := ref(i); !math.IsNaN(d) && d != 0 {
			q = append(q, v/d)
		}
	}
	if len(q) == 0 {
		return math.NaN()
	}
	slices.Sort(q)
	if len(q)%2 == 1 {
		return q[len(q)/2]
	}
	return (q[len(q)/2-1] + q[len(q)/2]) / 2
}

// row is one line of the table: a workload's metric, the ratio columns
// and the bar.
type row struct {
	workload, unit, label string
	// cols says whether to fill the go-sse, floor and websocket columns.
	cols bool
	// best, if set, are the peers whose per-run best is the "vs best"
	// reference.
	best []string
	// ours, if set, is the peer of ours the ratio columns and the bar
	// judge (ours-h1-bytes for the zero-copy rows); ours-h1 and
	// ours-nethttp otherwise.
	ours string
	// bar says the goal; met judges ours-h1 against it.
	bar string
	met func(r results) (met, known bool)
}

func known(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

var latencyBest = []string{"websocket", "go-sse", "launchdarkly", "r3labs"}

func rows() []row {
	vs := func(w, u, p string) func(r results) float64 {
		return func(r results) float64 { return r.ratio(w, u, "ours-h1", r.peer(w, u, p)) }
	}
	return []row{
		{workload: "Small", unit: "events/s", label: "small events/s", cols: true,
			bar: ">= 2.5x go-sse and >= 0.9x floor",
			met: func(r results) (bool, bool) {
				a, b := vs("Small", "events/s", "go-sse")(r), vs("Small", "events/s", "bufio-floor")(r)
				return a >= 2.5 && b >= 0.9, known(a) && known(b)
			}},
		{workload: "Small", unit: "events/cpu-s", label: "small events per client CPU-s", cols: true,
			bar: ">= 2.5x go-sse and >= 0.9x floor",
			met: func(r results) (bool, bool) {
				a, b := vs("Small", "events/cpu-s", "go-sse")(r), vs("Small", "events/cpu-s", "bufio-floor")(r)
				return a >= 2.5 && b >= 0.9, known(a) && known(b)
			}},
		{workload: "Small", unit: "allocs/event", label: "small allocs/event, whole run (connection included)", cols: true},
		{workload: "Small", unit: "steady-allocs/event", label: "small allocs/event, steady (2nd half of each stream)", cols: true,
			bar: "<= 1 (string path)", met: oursAtMost("Small", "steady-allocs/event", 1)},
		{workload: "Small", unit: "B/event", label: "small B/event", cols: true},
		{workload: "Small", unit: "events/s", label: "small events/s, zero-copy BytesHandler", cols: true, ours: "ours-h1-bytes",
			bar: ">= 2.5x go-sse and >= 0.9x floor",
			met: func(r results) (bool, bool) {
				a := r.ratio("Small", "events/s", "ours-h1-bytes", r.peer("Small", "events/s", "go-sse"))
				b := r.ratio("Small", "events/s", "ours-h1-bytes", r.peer("Small", "events/s", "bufio-floor"))
				return a >= 2.5 && b >= 0.9, known(a) && known(b)
			}},
		{workload: "Small", unit: "allocs/event", label: "small allocs/event, zero-copy BytesHandler, whole run", ours: "ours-h1-bytes",
			bar: "<= 0.05 (zero-copy path)",
			met: func(r results) (bool, bool) {
				v := r.median("Small", "ours-h1-bytes", "allocs/event")
				return v <= 0.05, known(v)
			}},
		{workload: "Large", unit: "events/s", label: "large events/s", cols: true,
			bar: ">= 1.5x websocket",
			met: func(r results) (bool, bool) {
				v := vs("Large", "events/s", "websocket")(r)
				return v >= 1.5, known(v)
			}},
		{workload: "Large", unit: "events/cpu-s", label: "large events per client CPU-s", cols: true,
			bar: ">= 1.5x websocket",
			met: func(r results) (bool, bool) {
				v := vs("Large", "events/cpu-s", "websocket")(r)
				return v >= 1.5, known(v)
			}},
		{workload: "Large", unit: "allocs/event", label: "large allocs/event", cols: true},
		{workload: "Latency", unit: "p50-µs", label: "latency p50 µs", cols: true, best: latencyBest},
		{workload: "Latency", unit: "p99-µs", label: "latency p99 µs", cols: true, best: latencyBest,
			bar: "<= 1.1x the better of websocket and the best SSE peer",
			met: func(r results) (bool, bool) {
				v := r.ratio("Latency", "p99-µs", "ours-h1", r.best("Latency", "p99-µs", latencyBest...))
				return v <= 1.1, known(v)
			}},
		{workload: "Reconnect", unit: "gap-p50-µs", label: "reconnect gap p50 µs", cols: true, best: ssePeers,
			bar: "<= the best SSE peer",
			met: func(r results) (bool, bool) {
				v := r.ratio("Reconnect", "gap-p50-µs", "ours-h1", r.best("Reconnect", "gap-p50-µs", ssePeers...))
				return v <= 1, known(v)
			}},
		{workload: "Reconnect", unit: "gap-p99-µs", label: "reconnect gap p99 µs", cols: true, best: ssePeers},
		{workload: "Reconnect", unit: "lost/op", label: "reconnect lost / 2000",
			bar: "0 (both transports, every run)", met: zeroBoth("Reconnect", "lost/op")},
		{workload: "Reconnect", unit: "dup/op", label: "reconnect duplicated / 2000",
			bar: "0 (both transports, every run)", met: zeroBoth("Reconnect", "dup/op")},
		{workload: "Reconnect", unit: "altered/op", label: "reconnect altered / 2000",
			bar: "0 (both transports, every run)", met: zeroBoth("Reconnect", "altered/op")},
		// The bar is at 10 000 streams, which cmd/idle holds; 200 in
		// one process shared with the peers is an indication only.
		{workload: "Idle", unit: "B/stream", label: "idle B/stream (200 streams)", cols: true,
			bar: "<= 0.75x websocket at 10 000 streams: cmd/idle rows"},
		{workload: "Idle", unit: "goroutines/stream", label: "idle goroutines/stream",
			bar: "1", met: oursAtMost("Idle", "goroutines/stream", 1)},
		{workload: "IdleScale", unit: "streams", label: "idle streams held (cmd/idle)"},
		{workload: "IdleScale", unit: "B/stream", label: "idle B/stream (cmd/idle)", cols: true,
			bar: "<= 0.75x websocket",
			met: func(r results) (bool, bool) {
				v := vs("IdleScale", "B/stream", "websocket")(r)
				return v <= 0.75, known(v)
			}},
		{workload: "IdleScale", unit: "stack-B/stream", label: "of which stacks", cols: true},
		{workload: "IdleScale", unit: "goroutines/stream", label: "goroutines/stream (cmd/idle)",
			bar: "1", met: oursAtMost("IdleScale", "goroutines/stream", 1)},
	}
}

// oursAtMost: the median of ours-h1 is at most limit.
func oursAtMost(w, u string, limit float64) func(results) (bool, bool) {
	return func(r results) (bool, bool) {
		v := r.median(w, "ours-h1", u)
		return v <= limit, known(v)
	}
}

// zeroBoth: every run of both our transports is 0.
func zeroBoth(w, u string) func(results) (bool, bool) {
	return func(r results) (bool, bool) {
		all := append(slices.Clone(r[w]["ours-h1"][u]), r[w]["ours-nethttp"][u]...)
		if len(r[w]["ours-h1"][u]) == 0 || len(r[w]["ours-nethttp"][u]) == 0 {
			return false, false
		}
		return slices.Max(all) == 0, true
	}
}

func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case v == 0:
		return "0"
	case math.Abs(v) >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case math.Abs(v) >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

func x(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + "x"
}

// tlsView is r's TLS workloads under their plaintext names, so that the
// rows and bars read them alike.
func tlsView(r results) results {
	v := results{}
	for w, m := range r {
		if t, ok := strings.CutSuffix(w, "TLS"); ok {
			v[t] = m
		}
	}
	return v
}

func table(r results) string {
	var b strings.Builder
	b.WriteString("| workload | " + strings.Join(peers, " | ") +
		" | ours vs go-sse | vs floor | vs websocket | vs best | bar (ours-h1) | |\n")
	b.WriteString("|---" + strings.Repeat("|--:", len(peers)) + "|--:|--:|--:|--:|---|---|\n")
	runs := 0
	views := []struct {
		r      results
		suffix string
	}{{r, ""}, {tlsView(r), ", **TLS**"}}
	for _, rw := range rows() {
		for _, v := range views {
			runs = max(runs, writeRow(&b, v.r, rw, v.suffix))
		}
	}
	fmt.Fprintf(&b, "\nFigures: medians of %d runs. Each workload's row is followed by its row over TLS (loopback, a certificate made at run time): "+
		"there ours-nethttp, go-sse, launchdarkly and r3labs read over HTTP/2 (net/http's default Transport negotiates it; many streams share a connection), "+
		"ours-h1, ours-h1-bytes, ours-nethttp-h1 (net/http held to HTTP/1.1), bufio-floor (held to HTTP/1.1) and websocket (wss) over HTTP/1.1, a connection each. "+
		"Ratios: the median over runs of ours / the peer in the same run; "+
		"each cell is lean h1 transport / net/http transport (higher is better for events/s and events per CPU-s, lower for the rest). "+
		"\"vs best\": ours-h1 / the best in the same run of websocket and the SSE peers (latency) or of the SSE peers "+
		"go-sse, launchdarkly, r3labs (reconnect gap); in brackets the best by median.\n", runs)
	return b.String()
}

// writeRow writes rw's line for r, if r has its workload, and returns the
// most runs any of its cells has.
func writeRow(b *strings.Builder, r results, rw row, suffix string) int {
	w, u := rw.workload, rw.unit
	if r[w] == nil {
		return 0
	}
	runs := 0
	b.WriteString("| " + rw.label + suffix)
	for _, p := range peers {
		runs = max(runs, r.runs(w, p, u))
		b.WriteString(" | " + num(r.median(w, p, u)))
	}
	for _, p := range []string{"go-sse", "bufio-floor", "websocket"} {
		if !rw.cols {
			b.WriteString(" | ")
			continue
		}
		if rw.ours != "" {
			b.WriteString(" | " + x(r.ratio(w, u, rw.ours, r.peer(w, u, p))))
			continue
		}
		b.WriteString(" | " + x(r.ratio(w, u, "ours-h1", r.peer(w, u, p))) + " / " +
			x(r.ratio(w, u, "ours-nethttp", r.peer(w, u, p))))
	}
	if rw.best != nil {
		b.WriteString(" | " + x(r.ratio(w, u, "ours-h1", r.best(w, u, rw.best...))) +
			" (" + r.bestName(w, u, rw.best...) + ")")
	} else {
		b.WriteString(" | ")
	}
	b.WriteString(" | " + rw.bar + " | ")
	if rw.met != nil {
		switch met, ok := rw.met(r); {
		case !ok:
			b.WriteString("no data")
		case met:
			b.WriteString("met")
		default:
			b.WriteString("**missed**")
		}
	}
	b.WriteString(" |\n")
	return runs
}
