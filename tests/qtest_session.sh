#!/bin/sh
# Recorded qtest sessions: each tests/qtest/NAME.in is replayed through
# `sim qtest`, once on stdin/stdout and once through unix sockets the way
# QEMU's libqtest drives QEMU (qtest_driver listens, launches
# tools/qemu-system-x86_64, does the QMP handshake), and the bytes received
# must equal NAME.out exactly (NAME.qmp too, for the QMP side, when present).
# The expected bytes were derived by hand from the datasheets' timing; see
# docs/qtest.md.  Also: option handling, the SIGTERM exit status and the
# determinism of -qtest-log.
#
# usage: qtest_session.sh SIM QTEST_DRIVER WRAPPER DATADIR
set -u
sim="$1"
driver="$2"
wrapper="$3"
data="$4"
rtc="base=2006-06-17T16:01:21"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
SIM="$sim"
export SIM

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

same() {  # expected got description
	if ! cmp -s "$1" "$2"; then
		fail "$3: output differs from $1"
		diff "$1" "$2" >&2
	fi
}

for in in "$data"/*.in; do
	name=$(basename "$in" .in)
	out="$data/$name.out"

	"$sim" qtest -rtc "$rtc" <"$in" >"$tmp/$name.stdio" 2>"$tmp/err" ||
		fail "$name (stdio): exit status $?: $(cat "$tmp/err")"
	same "$out" "$tmp/$name.stdio" "$name (stdio)"

	qmpin=
	[ -f "$data/$name.qmpin" ] && qmpin="-q $data/$name.qmpin"
	# shellcheck disable=SC2086
	"$driver" $qmpin "$wrapper" "$in" "$tmp/$name.sock" "$tmp/$name.qmp" -rtc "$rtc" ||
		fail "$name (socket): driver failed"
	same "$out" "$tmp/$name.sock" "$name (socket)"
	[ -f "$data/$name.qmp" ] && same "$data/$name.qmp" "$tmp/$name.qmp" "$name (qmp)"

	# NAME.PROFILE.out: the same requests under --compat PROFILE (on sockets
	# through the wrapper's SIM_COMPAT, as QEMU's own suites run it).
	for pout in "$data/$name".*.out; do
		[ -f "$pout" ] || continue
		prof=${pout#"$data/$name".}
		prof=${prof%.out}
		"$sim" qtest --compat "$prof" -rtc "$rtc" <"$in" >"$tmp/$name.$prof.stdio" 2>"$tmp/err" ||
			fail "$name $prof (stdio): exit status $?: $(cat "$tmp/err")"
		same "$pout" "$tmp/$name.$prof.stdio" "$name $prof (stdio)"
		SIM_COMPAT=$prof "$driver" "$wrapper" "$in" "$tmp/$name.$prof.sock" "$tmp/$name.$prof.qmp" \
			-rtc "$rtc" || fail "$name $prof (socket): driver failed"
		same "$pout" "$tmp/$name.$prof.sock" "$name $prof (socket)"
	done
done

# libqtest's qtest_quit ends QEMU with SIGTERM and expects exit status 0.
"$driver" -t "$wrapper" "$data/pit.in" "$tmp/term.out" "$tmp/term.qmp" -rtc "$rtc" ||
	fail "SIGTERM: driver failed (exit status not 0?)"
same "$data/pit.out" "$tmp/term.out" "SIGTERM session"

# Common QEMU options are accepted and ignored.
"$sim" qtest -nodefaults -S -m 512 -smp 2 -name foo -cpu host -global x.y=z \
	-serial none -device isa-debugcon -display none -machine pc,accel=qtest \
	-audio none -no-user-config -accel qtest -rtc "$rtc,clock=vm" \
	<"$data/pit.in" >"$tmp/ignored.out" 2>"$tmp/err" ||
	fail "ignored options: exit status $?: $(cat "$tmp/err")"
same "$data/pit.out" "$tmp/ignored.out" "ignored options"

# Anything but the pc board is a usage error (exit 2).
"$sim" qtest -machine q35 </dev/null >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 2 ] || fail "-machine q35: exit status $st, expected 2"
grep -q "not supported" "$tmp/err" || fail "-machine q35: no message"
"$sim" qtest -rtc base=yesterday </dev/null >/dev/null 2>&1
st=$?
[ $st -eq 2 ] || fail "-rtc base=yesterday: exit status $st, expected 2"
"$sim" qtest --help >/dev/null || fail "--help: exit status $?"
# -rtc base=DATE is strict: real month lengths, no trailing text, no overflow.
for bad in 2006-02-30 2006-02-29T00:00:00 2006-06-17junk 2006-06-17T16:01:21x \
	2006-06-17T24:00:00 2006-13-01 99999999999-01-01 2006-06-17T16:01 -2006-06-17; do
	"$sim" qtest -rtc "base=$bad" </dev/null >/dev/null 2>"$tmp/err"
	st=$?
	[ $st -eq 2 ] || fail "-rtc base=$bad: exit status $st, expected 2"
	grep -q "invalid datetime format" "$tmp/err" || fail "-rtc base=$bad: no message"
done
printf 'outb 0x70 0x07\ninb 0x71\noutb 0x70 0x08\ninb 0x71\n' |
	"$sim" qtest -rtc base=2004-02-29T23:59:59 >"$tmp/leap.out" ||
	fail "-rtc base=2004-02-29T23:59:59 (a leap day): exit status $?"
printf 'OK\nOK 0x0029\nOK\nOK 0x0002\n' >"$tmp/leap.want"
same "$tmp/leap.want" "$tmp/leap.out" "-rtc base on a leap day"

# -rtc base=DATE without a time starts at midnight; QEMU's example date.
printf 'outb 0x70 0x04\ninb 0x71\noutb 0x70 0x07\ninb 0x71\n' |
	"$sim" qtest -rtc base=2006-06-17 >"$tmp/date.out"
printf 'OK\nOK 0x0000\nOK\nOK 0x0017\n' >"$tmp/date.want"
same "$tmp/date.want" "$tmp/date.out" "-rtc base=DATE"

# -qtest-log stamps lines with simulated time: two runs give the same bytes.
"$sim" qtest -rtc "$rtc" -qtest-log "$tmp/log1" <"$data/rtc.in" >/dev/null
"$sim" qtest -rtc "$rtc" -qtest-log "$tmp/log2" <"$data/rtc.in" >/dev/null
same "$tmp/log1" "$tmp/log2" "-qtest-log determinism"
head -n 3 "$tmp/log1" >"$tmp/loghead"
printf '[I 0.000000] OPENED\n[R +0.000000] outb 0x70 0x00\n[S +0.000000] OK\n' >"$tmp/logwant"
same "$tmp/logwant" "$tmp/loghead" "-qtest-log format"
grep -q '^\[S +1\.002441\] IRQ raise 8$' "$tmp/log1" || fail "-qtest-log: no stamped IRQ line"
tail -n 1 "$tmp/log1" | grep -q '^\[I +1\.003417\] CLOSED$' || fail "-qtest-log: no CLOSED line"

[ $fails -eq 0 ] && echo "qtest sessions: all match"
[ $fails -eq 0 ]
