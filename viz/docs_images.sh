#!/bin/sh
# The pictures of docs/visualizer.md and the README, rendered by `sim viz --png`
# (never drawn by hand): `ninja -C build viz-docs` writes them to docs/images/;
# the viz-docs test renders them into a scratch directory, so the commands the
# docs show keep working.
#   docs_images.sh SIM SRCDIR OUTDIR
set -eu
sim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$(cd "$3" && pwd)
cd "$2"
set -x
"$sim" viz scenarios/migrate_slow.json --png "$out/viz-migrate-slow.png"
"$sim" viz scenarios/migrate_slow.json --from 4.9s --to 5.5s --lanes tsc,reader,pvclock \
	--png "$out/viz-migrate-slow-zoom.png"
"$sim" viz scenarios/multisocket_tsc_skew.json --png "$out/viz-multisocket.png"
"$sim" viz scenarios/pit_lost_ticks.json --lanes reader,host --png "$out/viz-pit-lost-ticks.png"
"$sim" viz scenarios/pit_modes.json --size 960x240 --png "$out/viz-pit-modes.png"
"$sim" viz --lesson scenarios/migrate_slow.json --png "$out/viz-lesson.png"
"$sim" viz scenarios/legacy_tsc_cstate_pstate.json --from 0.9s --to 1.1s --violation 0 \
	--png "$out/viz-explain.png"
"$sim" viz scenarios/hpet_timer_wrap.json --lanes irq,reader,host --size 1280x360 \
	--png "$out/viz-hpet-timer-wrap.png"
