#!/bin/sh
# docs/oracle-for-vmms.md's examples, run as a user would copy them: each
# ```sh block after an HTML comment `<!-- run: exit N; expect: TEXT; ... -->`
# runs under `sh -e` in a fresh directory that sees the source tree's
# folders, with sim first on the PATH.  The block must end with status N and
# its output must contain every TEXT.  A block without the comment fails the
# test: every example on that page is run.
# Usage: oracle_for_vmms.sh SIM SOURCE_ROOT
set -u
sim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")  # meson passes it relative
root=$2
doc="$root/docs/oracle-for-vmms.md"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
ln -s "$sim" "$tmp/bin/sim"
# Split the blocks out: NAME.sh, NAME.want (exit status, then one TEXT a line).
perl -e '
	my ($out, $doc) = @ARGV;
	open my $fh, "<", $doc or die "$doc: $!\n";
	my ($in, $n, $prev, $spec) = (0, 0, "", undef);
	while (my $line = <$fh>) {
		if (!$in && $line =~ /^```sh\s*$/) {
			$n++;
			$in = 1;
			$spec = $prev =~ /<!--\s*run:\s*(.*?)\s*-->/ ? $1 : undef;
			die "$doc:$.: a ```sh block without <!-- run: exit N --> before it\n"
				unless defined $spec;
			open OUT, ">", "$out/$n.sh" or die;
			open WANT, ">", "$out/$n.want" or die;
			my @parts = split /\s*;\s*/, $spec;
			my ($exit) = (shift(@parts) =~ /^exit (\d+)$/) or die "$doc:$.: bad run comment\n";
			print WANT "$exit\n";
			for (@parts) { /^expect: (.+)$/ or die "$doc:$.: bad expect\n"; print WANT "$1\n"; }
			close WANT;
		} elsif ($in && $line =~ /^```\s*$/) {
			$in = 0;
			close OUT;
		} elsif ($in) {
			print OUT $line;
		}
		$prev = $line if $line !~ /^\s*$/;
	}
	print STDERR "$n examples\n";
' "$tmp" "$doc" || exit 1
fail=0
for f in "$tmp"/*.sh; do
	n=$(basename "$f" .sh)
	work="$tmp/work$n"
	mkdir "$work"
	for d in docs examples include scenarios sim tests tools; do
		ln -s "$root/$d" "$work/$d"
	done
	(cd "$work" && PATH="$tmp/bin:$PATH" sh -e "$f") >"$tmp/$n.out" 2>&1
	st=$?
	want=$(head -n 1 "$tmp/$n.want")
	if [ "$st" != "$want" ]; then
		echo "FAIL: example $n exited $st, the page says $want:"
		sed 's/^/    /' "$f"
		sed 's/^/  | /' "$tmp/$n.out"
		fail=1
		continue
	fi
	tail -n +2 "$tmp/$n.want" | while IFS= read -r text; do
		if ! grep -qF -- "$text" "$tmp/$n.out"; then
			echo "FAIL: example $n's output lacks: $text"
			sed 's/^/  | /' "$tmp/$n.out"
			exit 1
		fi
	done || fail=1
	echo "ok: example $n (exit $st)"
done
exit $fail
