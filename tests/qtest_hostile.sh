#!/bin/sh
# Hostile clients of `sim qtest` (issue 12, section 4): malformed lines,
# 1 MiB lines, NUL bytes and binary garbage, EOF in the middle of a line,
# huge numbers, signals and clients that go away during a long command, a
# wedging QMP bracket run; on stdio here and on unix sockets through
# tests/qtest/hostile_sock.py.  Every case must end within a bounded time
# (timeout) with a clear reply or a clean exit, and a valid request after it
# must get its correct answer.
#
# usage: qtest_hostile.sh SIM PYTHON DATADIR
set -u
sim="$1"
python="$2"
data="$3"
rtc="base=2006-06-17T16:01:21"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# run NAME [SIM OPTIONS...] <input: sim qtest on stdio, at most 20 s, exit 0.
run() {
	name="$1"
	shift
	timeout -k 5 20 "$sim" qtest -rtc "$rtc" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	st=$?
	[ $st -eq 0 ] || fail "$name: exit status $st (124: timed out): $(cat "$tmp/$name.err")"
}

same() {  # NAME: $tmp/NAME.out must equal $tmp/NAME.want
	if ! cmp -s "$tmp/$1.want" "$tmp/$1.out"; then
		fail "$1: output differs"
		diff "$tmp/$1.want" "$tmp/$1.out" | head -20 >&2
	fi
}

# The follow-up every case ends with: the RTC's day of month (17) and endianness.
follow='outb 0x70 0x07\ninb 0x71\nendianness\n'
follow_want='OK\nOK 0x0017\nOK little\n'

# Empty input: nothing to answer, exit 0 (UBSan once saw memmove(NULL, NULL, 0)).
run empty </dev/null
[ -s "$tmp/empty.out" ] && fail "empty input: output $(cat "$tmp/empty.out")"

# Malformed lines and huge numbers: one FAIL each, then the session goes on.
printf 'outb\nfoo bar\n\tinb\t0x61\t\ninb 0x1g\noutb 0x40 99999999999999999999999\n'"\
"'outb 99999999999999999999999 1\nreadq 0xffffffffffffffff\nclock_step 0x\n'"\
"'clock_step 99999999999999999999\nclock_set 18446744073709552\nclock_set -99999999999999999999\n'"\
"'clock_step 18446744073709552\n'"$follow" | run malformed
printf '%s\n' "FAIL missing argument" "FAIL Unknown command 'foo'" "OK 0x0000" \
	"FAIL bad number '0x1g'" "FAIL bad number '99999999999999999999999'" \
	"FAIL bad number '99999999999999999999999'" "OK 0xffffffffffffffff" \
	"FAIL bad number '0x'" "FAIL bad number '99999999999999999999'" \
	"FAIL time out of range: the clock ends at 18446744073709551 ns (about 213 days)" \
	"FAIL bad number '-99999999999999999999'" "FAIL time out of range" >"$tmp/malformed.want"
printf "$follow_want" >>"$tmp/malformed.want"
same malformed

# A 1 MiB line, twice, then one just under and one at the 4096-byte limit.
"$python" -c 'import sys; w = sys.stdout.write
w("x" * (1 << 20) + "\n"); w("clock_step " * 100000 + "\n")
w("endianness" + " " * 4085 + "\n"); w("endianness" + " " * 4086 + "\n")' >"$tmp/long.in"
printf "$follow" >>"$tmp/long.in"
run long <"$tmp/long.in"
printf 'FAIL line too long\nFAIL line too long\nOK little\nFAIL line too long\n'"$follow_want" \
	>"$tmp/long.want"
same long

# NUL bytes: refused, not cut short and run.
printf 'inb 0x61\000outb 0x61 3\n\000\noutb 0x61 0x03\000\n'"$follow" | run nul
printf 'FAIL NUL byte in request\nFAIL NUL byte in request\nFAIL NUL byte in request\n'"$follow_want" \
	>"$tmp/nul.want"
same nul

# 256 KiB of seeded binary garbage: every line answered FAIL (nothing in it is
# a request), no crash, then the follow-up.
"$python" -c 'import random, sys; r = random.Random(12)
sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(1 << 18)) + b"\n")' >"$tmp/garbage.in"
printf "$follow" >>"$tmp/garbage.in"
run garbage <"$tmp/garbage.in"
grep -av '^FAIL \|^OK' "$tmp/garbage.out" | head -3 | grep -q . &&
	fail "garbage: a reply that is neither OK nor FAIL"
tail -n 3 "$tmp/garbage.out" >"$tmp/garbage.tail"
printf "$follow_want" >"$tmp/garbage.tail.want"
cmp -s "$tmp/garbage.tail.want" "$tmp/garbage.tail" || fail "garbage: follow-up not answered"

# EOF in the middle of a line: the partial line is one request (docs/qtest.md).
printf 'outb 0x70 0x07\ninb 0x7' | run eof1
printf 'OK\nOK 0x00ff\n' >"$tmp/eof1.want"
same eof1
printf 'inb 0x71\nclock_st' | run eof2
printf "OK 0x0021\nFAIL Unknown command 'clock_st'\n" >"$tmp/eof2.want"
same eof2

# --max-events: the per-command ceiling (PIT mode 2, count 2, intercepted:
# one OUT0 edge per CLK, 838.1 ns; see tests/test_qtest.c for the numbers),
# then the session goes on.
printf 'irq_intercept_in ioapic\noutb 0x43 0x34\noutb 0x40 2\noutb 0x40 0\n'"\
"'clock_step 1000000\nclock_step 1000\n'"$follow" | run ceiling --max-events 10
{
	printf 'OK\nIRQ raise 0\nOK\nOK\nOK\n'
	for i in 1 2 3 4 5; do printf 'IRQ lower 0\nIRQ raise 0\n'; done
	printf 'FAIL event limit: the command would fire more than 10 events (--max-events); '
	printf 'the clock stopped at 9220 ns\nIRQ lower 0\nOK 10220\n'"$follow_want"
} >"$tmp/ceiling.want"
same ceiling
for bad in 0 -1 abc 1e9 18446744073709551616 ''; do
	timeout -k 5 20 "$sim" qtest --max-events "$bad" </dev/null >/dev/null 2>"$tmp/err"
	st=$?
	[ $st -eq 2 ] || fail "--max-events '$bad': exit status $st, expected 2"
	grep -q -- "--max-events.*positive whole number" "$tmp/err" ||
		fail "--max-events '$bad': no clear message: $(cat "$tmp/err")"
done
timeout -k 5 20 "$sim" qtest --max-events </dev/null >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "--max-events without a value: not a usage error"

# A long step: an HPET timer with a 1-tick period (one event per 69.8 ns,
# nothing printed) over 100 simulated seconds, with the ceiling raised so
# that it would run for minutes.
storm='writeq 0xfed00100 0x284c\nwriteq 0xfed00108 1\nwriteq 0xfed00108 1\nwriteq 0xfed00010 1\n'

# With the default ceiling (10^7 events) the same step ends by itself, in
# seconds, with the event-limit reply; the session goes on.
printf "$storm"'clock_set 100000000000\n'"$follow" | run default_ceiling
sed -n 5p "$tmp/default_ceiling.out" |
	grep -q '^FAIL event limit: the command would fire more than 10000000 events' ||
	fail "default ceiling: $(sed -n 5p "$tmp/default_ceiling.out")"
tail -n 3 "$tmp/default_ceiling.out" >"$tmp/default_ceiling.tail"
printf "$follow_want" >"$tmp/default_ceiling.tail.want"
cmp -s "$tmp/default_ceiling.tail.want" "$tmp/default_ceiling.tail" ||
	fail "default ceiling: follow-up not answered"

# SIGTERM during it (stdin held open, as libqtest's socket would be).
mkfifo "$tmp/fifo"
timeout -k 5 30 "$sim" qtest -rtc "$rtc" --max-events 1000000000 <"$tmp/fifo" >"$tmp/term.out" 2>"$tmp/term.err" &
pid=$!
{
	printf "$storm"'clock_set 100000000000\n'
	sleep 1
	kill -TERM $pid
	waited=0
	while kill -0 $pid 2>/dev/null && [ $waited -lt 50 ]; do
		sleep 0.1
		waited=$((waited + 1))
	done
	kill -0 $pid 2>/dev/null && fail "SIGTERM during a long step: still running after 5 s"
} >"$tmp/fifo"
wait $pid
st=$?
[ $st -eq 0 ] || fail "SIGTERM during a long step: exit status $st, expected 0"

# stdout's reader goes away during it: sim must notice without writing.
printf "$storm"'clock_set 100000000000\n' >"$tmp/storm.in"
start=$(date +%s)
timeout -k 5 20 "$sim" qtest --max-events 1000000000 <"$tmp/storm.in" 2>/dev/null | head -n 4 >/dev/null
st=$?
end=$(date +%s)
[ $((end - start)) -le 10 ] ||
	fail "stdout closed during a long step: sim ran on for $((end - start)) s"

# The issue's repro: PIT mode 2, count 65536, nobody observing IRQ0, then
# clock_set to 116 days: 3.6e11 OUT0 edges if each were an event.
printf 'outb 0x43 0x34\noutb 0x40 0\noutb 0x40 0\nclock_set 10019830002000000\n'"$follow" |
	run repro
# 2006-06-17T16:01:21 + 10019830.002 s = 2006-10-11T15:18:31: the day reads 0x11.
printf 'OK\nOK\nOK\nOK 10019830002000000\nOK\nOK 0x0011\nOK little\n' >"$tmp/repro.want"
same repro

# The same hostile clients on unix sockets, as libqtest connects them.
for case in garbage qmp-brackets-1000 qmp-brackets-70000 qmp-braces-1000 \
	sigterm-mid-step hangup-mid-step hangup-mid-line qmp-gone; do
	mkdir -p "$tmp/sock"
	timeout -k 5 60 "$python" "$data/hostile_sock.py" "$sim" "$tmp/sock" "$case" >"$tmp/sock.out" 2>&1
	st=$?
	cat "$tmp/sock.out"
	[ $st -eq 0 ] || fail "socket case $case: status $st"
done

[ $fails -eq 0 ] && echo "hostile qtest clients: all handled"
[ $fails -eq 0 ]
