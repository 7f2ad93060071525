#!/bin/sh
# The interactive window under Xvfb, driven by real X input (xdotool, through
# XTEST): play and pause, zoom in twice, jump to the next violation, quit.
# The window's last frame (--shot) must show the lanes and the violation, and
# --stats must show that the keys took effect.
#   viz_window.sh SIM CMP SRCDIR
set -u
sim=$1 cmp=$2 src=$3
for p in Xvfb xdotool; do
	if ! command -v $p >/dev/null 2>&1; then
		echo "SKIP: $p is not installed (Debian packages xvfb and xdotool)"
		exit 77
	fi
done
tmp=$(mktemp -d)
xvfb=""
viz=""
cleanup() {
	[ -n "$viz" ] && kill "$viz" 2>/dev/null
	[ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
# The window of title $1, once sim viz has drawn its first frame (--stats says so in $2).
find_window() {
	for _ in $(seq 300); do
		if grep -q "window ready" "$2" 2>/dev/null; then
			xdotool search --onlyvisible --name "$1" 2>/dev/null | head -n 1
			return
		fi
		sleep 0.1
	done
}
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$tmp/display" 2>"$tmp/xvfb.log" &
xvfb=$!
for _ in $(seq 50); do
	[ -s "$tmp/display" ] && break
	sleep 0.1
done
[ -s "$tmp/display" ] || { echo "FAIL: Xvfb did not start"; cat "$tmp/xvfb.log"; exit 1; }
DISPLAY=:$(cat "$tmp/display")
export DISPLAY
# Under ASan (.ci/run's build-asan), what SDL2 and X11 keep until exit shows
# as leaks whose stacks stop inside libasan (those libraries have no frame
# pointers), which tests/viz_lsan.supp cannot name.  The window's own process
# is not leak-checked; the model and layout it shares with --png are, by
# viz-golden, viz-memory and viz-cli.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS
SDL_VIDEODRIVER=x11 "$sim" viz "$src/scenarios/migrate_slow.json" --size 1024x600 \
	--shot "$tmp/shot.png" --stats 2>"$tmp/stats" &
viz=$!
win=$(find_window migrate_slow "$tmp/stats")
[ -n "$win" ] || { echo "FAIL: no window appeared"; cat "$tmp/stats"; exit 1; }
xdotool windowfocus --sync "$win" || { echo "FAIL: cannot focus the window"; exit 1; }
xdotool mousemove --window "$win" 700 300
xdotool key space
sleep 0.6
xdotool key space z z
sleep 0.5
xdotool key n
sleep 0.5
xdotool key q
for _ in $(seq 100); do
	kill -0 "$viz" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$viz" 2>/dev/null; then
	echo "FAIL: q did not close the window"
	exit 1
fi
wait "$viz"
st=$?
viz=""
cat "$tmp/stats"
[ $st -eq 0 ] || { echo "FAIL: sim viz exited $st"; exit 1; }
status=0
# play moved the playhead; z z zoomed to a quarter of the run (a detail run);
# n opened violation 0 (the tsc reader's rate, at 6.3 s) and centred it
grep -q "playhead 0.000000000 s" "$tmp/stats" && { echo "FAIL: play did not move"; status=1; }
grep -q "violation 0 open" "$tmp/stats" || { echo "FAIL: n did not open the violation"; status=1; }
grep -Eq "with [1-9][0-9]* detail runs" "$tmp/stats" || { echo "FAIL: no zoom"; status=1; }
# teaching mode: playback stops at the first step (0.5 s) and asks; l reveals
SDL_VIDEODRIVER=x11 "$sim" viz --lesson "$src/scenarios/multisocket_tsc_skew.json" \
	--size 1024x600 --shot "$tmp/lesson.png" --stats 2>"$tmp/lesson" &
viz=$!
win=$(find_window multisocket_tsc_skew "$tmp/lesson")
[ -n "$win" ] || { echo "FAIL: no lesson window appeared"; exit 1; }
xdotool windowfocus --sync "$win"
sleep 2
xdotool key l
sleep 0.3
xdotool key q
wait "$viz"
viz=""
cat "$tmp/lesson"
grep -q "playhead 0.500000000 s, violation -1 open, lesson step 0 revealed" "$tmp/lesson" ||
	{ echo "FAIL: the lesson did not stop at its first step and reveal"; status=1; }
blue=$("$cmp" --count "$tmp/shot.png" 0072b2)
red=$("$cmp" --count "$tmp/shot.png" d55e00)
echo "screenshot: $blue blue (first lane) and $red vermillion (violation) pixels"
[ "$blue" -gt 300 ] || { echo "FAIL: the lanes are not drawn"; status=1; }
[ "$red" -gt 20 ] || { echo "FAIL: the violation is not drawn"; status=1; }
exit $status
