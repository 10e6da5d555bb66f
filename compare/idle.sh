#!/usr/bin/env bash
# Holds 10 000 and 100 000 idle streams for our lean HTTP/1.1 transport,
# our net/http transport and a coder/websocket baseline (cmd/idle), and
# prints bytes and goroutines per stream. Opt-in: nothing runs it in CI.
#
# One process can hold as many streams as RLIMIT_NOFILE allows; the soft
# limit is raised to the hard one here (raising the hard limit needs
# CAP_SYS_RESOURCE). Where one process cannot hold 100 000, the script
# says so, runs the highest n one process holds, then holds 100 000 across
# client processes (each with its own server process).
set -euo pipefail
cd "$(dirname "$0")"
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"
hard=$(ulimit -Hn)
echo "RLIMIT_NOFILE soft=$(ulimit -n) hard=$hard; $(nproc) CPUs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
bin=$(mktemp -d)/idle
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/idle
clients=${CLIENTS:-h1 nethttp ws}
for c in $clients; do
	"$bin" -n 10000 -client "$c"
done
one=$((hard - 200)) # cmd/idle keeps 200 descriptors of headroom
for c in $clients; do
	if [ "$one" -ge 100000 ]; then
		"$bin" -n 100000 -procs 1 -client "$c"
		continue
	fi
	"$bin" -n 100000 -procs 1 -client "$c" || echo "=> one process cannot hold 100000 streams (RLIMIT_NOFILE hard limit $hard); highest n for one process: $one"
	"$bin" -n "$one" -procs 1 -client "$c"
	"$bin" -n 100000 -client "$c"
done
