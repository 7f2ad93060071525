#!/bin/sh
# Every scenario example in the docs runs: each ```json block of docs/*.md
# that is a whole scenario (an object with "name" and "duration") goes
# through `sim run`, which must exit 0, or the status that an HTML comment
# `<!-- sim run: exit N -->` on the line before the block states.
# Usage: docs_examples.sh SIM DOCS_DIR
set -u
sim=$1
docs=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Split the blocks out: one file per example, with the expected status.
perl -e '
	my ($out) = shift @ARGV;
	my $n = 0;
	for my $doc (@ARGV) {
		open my $fh, "<", $doc or die "$doc: $!\n";
		my ($in, $text, $start, $want, $prev) = (0, "", 0, 0, "");
		while (my $line = <$fh>) {
			if (!$in && $line =~ /^```json\s*$/) {
				($in, $text, $start) = (1, "", $.);
				$want = $prev =~ /<!--\s*sim run: exit (\d+)\s*-->/ ? $1 : 0;
			} elsif ($in && $line =~ /^```\s*$/) {
				$in = 0;
				if ($text =~ /^\s*\{/ && $text =~ /"name"\s*:/ && $text =~ /"duration"\s*:/) {
					$n++;
					(my $base = $doc) =~ s{.*/}{};
					open my $o, ">", "$out/$n.json" or die;
					print $o $text;
					close $o;
					open $o, ">", "$out/$n.where" or die;
					print $o "$base:$start $want\n";
					close $o;
				}
			} elsif ($in) {
				$text .= $line;
			}
			$prev = $line if $line =~ /\S/;
		}
	}
' "$tmp" "$docs"/*.md || exit 2
fails=0
count=0
for f in "$tmp"/*.json; do
	[ -e "$f" ] || continue
	count=$((count + 1))
	read -r where want <"${f%.json}.where"
	"$sim" run "$f" >"$tmp/out" 2>&1
	status=$?
	if [ "$status" -ne "$want" ]; then
		echo "FAIL: $where: sim run exited $status, expected $want" >&2
		sed 's/^/    /' "$tmp/out" >&2
		fails=$((fails + 1))
	fi
done
if [ "$count" -eq 0 ]; then
	echo "FAIL: no scenario examples found in $docs" >&2
	exit 1
fi
echo "docs examples: $count run, $fails failed"
[ "$fails" -eq 0 ]
