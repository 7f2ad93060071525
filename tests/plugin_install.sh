#!/bin/sh
# `meson install` into a temporary destdir puts sim, include/sim/plugin.h and
# sim-plugin.pc there; an example plugin built OUT of tree against the
# installed files only (`cc $(pkg-config --cflags sim-plugin) -shared -fPIC`,
# as docs/plugins.md says) runs in the installed sim and gives the same report
# as sim's own writer.
# Usage: plugin_install.sh BUILD_DIR SOURCE_ROOT
set -u
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
for p in meson pkg-config cc; do
	command -v "$p" >/dev/null || { echo "SKIP: $p is not installed (tools/bootstrap installs it)"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
meson install -C "$build" --no-rebuild --destdir "$dest" >"$tmp/install.log" 2>&1 ||
	{ echo "FAIL: meson install"; cat "$tmp/install.log"; exit 1; }
pc=$(find "$dest" -name sim-plugin.pc | head -1)
simbin=$(find "$dest" -path '*/bin/sim' | head -1)
hdr=$(find "$dest" -path '*/include/sim/plugin.h' | head -1)
[ -n "$pc" ] && [ -n "$simbin" ] && [ -n "$hdr" ] ||
	{ echo "FAIL: installed pc='$pc' sim='$simbin' header='$hdr'"; exit 1; }
cmp -s "$hdr" "$src/include/sim/plugin.h" || { echo "FAIL: the installed header differs"; exit 1; }
# The .pc names the real prefix; the sysroot maps it into the destdir.
cflags=$(PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$dest pkg-config --cflags sim-plugin) ||
	{ echo "FAIL: pkg-config --cflags sim-plugin"; exit 1; }
mkdir "$tmp/outside"
cp "$src/examples/plugins/faithful_writer.c" "$tmp/outside/"
cd "$tmp/outside" || exit 1
# shellcheck disable=SC2086
cc $cflags -std=c11 -Wall -Wextra -Werror -shared -fPIC -o faithful_writer.so faithful_writer.c ||
	{ echo "FAIL: building the plugin out of tree with cflags '$cflags'"; exit 1; }
f=$src/scenarios/masterclock_update_scaled.json
"$simbin" run "$f" >own.out 2>&1
own=$?
"$simbin" run --plugin ./faithful_writer.so "$f" >foreign.out 2>&1
foreign=$?
grep -q 'foreign part: pvclock_writer .* is plugin "faithful-writer" from ./faithful_writer.so' foreign.out ||
	{ echo "FAIL: no foreign-part line:"; cat foreign.out; exit 1; }
grep -v '^  foreign part: ' foreign.out | cmp -s own.out - && [ "$own" -eq "$foreign" ] ||
	{ echo "FAIL: the out-of-tree plugin's report differs (exit $own / $foreign)"; exit 1; }
echo "plugin_install: sim, the header and sim-plugin.pc installed; cflags '$cflags'; out-of-tree plugin ok (exit $own)"
