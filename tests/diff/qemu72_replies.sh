#!/bin/sh
# A stand-in qtest peer for tests/diff.sh: answers the requests of
# tests/diff/board.in with QEMU 7.2's measured replies
# (/work/shared/docs/qemu-7.2-deviations.md P15, H1; the rest as sim's), so
# that the cmd: path and the PIT and HPET entries of the known file are
# exercised without a QEMU binary.
while IFS= read -r req; do
	case $req in
	"irq_intercept_in ioapic") echo "OK" ;;
	"inb 0x43") echo "OK 0x0000" ;;                            # P15: QEMU reads 0
	"readl 0xfed00000") echo "OK 0x000000008086a201" ;;         # same in both
	"readl 0xfed00004") echo "OK 0x0000000000989680" ;;         # H1: 100 MHz, 10^7 fs
	"endianness") echo "OK little" ;;
	*) echo "FAIL Unknown command '$req'" ;;
	esac
done
