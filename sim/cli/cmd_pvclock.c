/* `sim pvclock scale HZ`: the scale KVM writes into a pvclock page for a TSC rate. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/cli/json_out.h"
#include "sim/core/units.h"
#include "sim/kvm/pvclock.h"

static const char pvclock_help[] =
	"usage: sim pvclock scale [--json] HZ\n"
	"\n"
	"Prints the tsc_shift and tsc_to_system_mul KVM writes into a pvclock page for a\n"
	"TSC of HZ hertz (an integer, or a frequency such as 2.1GHz).  KVM works from the\n"
	"rate in kHz (tsc_khz), so HZ is first floored to whole kHz.\n"
	"\n"
	"  --json   print {\"tsc_hz\", \"tsc_khz\", \"shift\", \"mul\"} as a JSON object\n";

int cmd_pvclock(int argc, char **argv)
{
	bool json = false;
	const char *hz_arg = NULL;
	uint64_t hz, khz;
	struct sim_freq f;
	char why[160];
	int8_t shift;
	uint32_t mul;

	if (argc >= 1 && cli_is_help(argv[0])) {
		fputs(pvclock_help, stdout);
		return EXIT_OK;
	}
	if (argc < 1 || strcmp(argv[0], "scale") != 0)
		return cli_usage_error("pvclock", "%s", "expected the subcommand 'scale'");
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(pvclock_help, stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return cli_usage_error("pvclock", "unknown option %s", argv[i]);
		} else if (hz_arg) {
			return cli_usage_error("pvclock", "unexpected argument %s", argv[i]);
		} else {
			hz_arg = argv[i];
		}
	}
	if (!hz_arg)
		return cli_usage_error("pvclock", "%s", "scale needs a TSC rate in Hz");
	if (sim_parse_u64(hz_arg, &hz, why, sizeof(why))) {
		if (hz == 0)
			return cli_usage_error("pvclock", "%s", "HZ must be positive");
	} else if (sim_parse_freq(hz_arg, &f, why, sizeof(why))) {
		hz = sim_freq_floor_hz(f);
	} else {
		return cli_usage_error("pvclock", "HZ: %s", why);
	}
	khz = hz / 1000;
	if (khz == 0 || khz > UINT32_MAX)
		return cli_usage_error("pvclock", "%s", "HZ must be between 1 kHz and 4.29 THz");
	kvm_get_time_scale(1000000000ULL, khz * 1000, &shift, &mul);
	if (json) {
		struct json_out j;

		json_out_init(&j, stdout);
		json_out_begin_object(&j);
		json_out_key(&j, "tsc_hz");
		json_out_u64(&j, hz);
		json_out_key(&j, "tsc_khz");
		json_out_u64(&j, khz);
		json_out_key(&j, "shift");
		json_out_i64(&j, shift);
		json_out_key(&j, "mul");
		json_out_u64(&j, mul);
		json_out_end_object(&j);
	} else {
		printf("tsc_hz   %" PRIu64 "\n", hz);
		printf("tsc_khz  %" PRIu64 "\n", khz);
		printf("shift    %d\n", shift);
		printf("mul      0x%08" PRIx32 " (%" PRIu32 ")\n", mul, mul);
	}
	return EXIT_OK;
}
