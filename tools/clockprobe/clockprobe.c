/*
 * clockprobe: reads the clocks of a Linux machine or guest on every CPU and
 * writes them as a sim-trace v1 file (JSON Lines) for `sim judge`
 * (tools/clockprobe/README.md, docs/trace-format.md).
 *
 *   cc -O2 -pthread -o clockprobe clockprobe.c
 *   ./clockprobe --duration 10 --out trace.jsonl && sim judge trace.jsonl
 *
 * One thread pinned per CPU.  Every read is taken under one shared ticket
 * lock, which hands out the global "order": two reads with order a < b
 * happened one after the other, so a clock that reads lower in b went
 * backwards across CPUs.  Each read is bracketed by CLOCK_MONOTONIC_RAW
 * reads (ref_before, ref_after) inside the same lock.  Memory is one output
 * buffer, whatever the duration; the file is written a buffer at a time.
 *
 * Plain C11 + POSIX + Linux; the TSC is read on x86 only (RDTSCP, or
 * LFENCE; RDTSC and getcpu where the CPU has no RDTSCP).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define HAVE_TSC 1
#else
#define HAVE_TSC 0
#endif

#define PRODUCER "clockprobe 1.0"
#define MAX_CPUS 1024
#define MAX_READS_LIMIT 100000000ULL      /* about 15 GB of trace: refuse more */
#define MAX_DURATION_MS (24ULL * 3600 * 1000)
#define BUF_SIZE (1u << 20)

enum { EXIT_RUN_FAILED = 1, EXIT_USAGE = 2 };

/* The clocks: short name (for --clocks), the name written, the clock id (-1: the TSC). */
static const struct clock_row {
	const char *name, *trace_name;
	clockid_t id;
} clock_rows[] = {
	{ "monotonic", "CLOCK_MONOTONIC", CLOCK_MONOTONIC },
	{ "monotonic_raw", "CLOCK_MONOTONIC_RAW", CLOCK_MONOTONIC_RAW },
	{ "realtime", "CLOCK_REALTIME", CLOCK_REALTIME },
	{ "boottime", "CLOCK_BOOTTIME", CLOCK_BOOTTIME },
	{ "tsc", "tsc", (clockid_t)-1 },
};
#define NCLOCKS (sizeof(clock_rows) / sizeof(clock_rows[0]))

static const char usage_line[] =
	"usage: clockprobe [--duration S] [--clocks LIST] [--cpus LIST] [--out FILE]\n"
	"                  [--reads N] [--rate N] [--tsc-khz N]\n";

static const char help_text[] =
	"Reads CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME, CLOCK_BOOTTIME and\n"
	"the TSC on every CPU, one pinned thread per CPU, each read under one shared\n"
	"lock that gives the global order, bracketed by CLOCK_MONOTONIC_RAW reads; writes\n"
	"a sim-trace v1 file for `sim judge`.\n"
	"\n"
	"  --duration S   how long to read, in seconds (decimals allowed; default 2)\n"
	"  --clocks LIST  comma-separated: monotonic, monotonic_raw, realtime, boottime,\n"
	"                 tsc (default: all this CPU has)\n"
	"  --cpus LIST    CPUs to read on, e.g. 0-3,6 (default: all this process may use)\n"
	"  --out FILE     the trace (default: standard output)\n"
	"  --reads N      stop after N reads in all (default 1000000, at most 100000000)\n"
	"  --rate N       at most N reads per second on each CPU (default: as fast as the\n"
	"                 lock allows)\n"
	"  --tsc-khz N    the TSC rate for the header, when CPUID does not tell it\n"
	"\n"
	"Exit status: 0 the trace is written, 1 it could not be taken (a CPU could not\n"
	"be used, a clock could not be read, a write failed), 2 invalid options.\n";

/* ---- options ---- */

struct options {
	uint64_t duration_ms, max_reads, rate;
	unsigned nclocks, clocks[NCLOCKS];
	unsigned ncpus, cpus[MAX_CPUS];
	const char *out;
	uint64_t tsc_khz;
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("clockprobe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage_line, stderr);
	fputs("Try 'clockprobe --help'.\n", stderr);
	return EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* "2", "0.5", "1.250": seconds to ms, exactly (at most 3 decimals). */
static bool parse_seconds_ms(const char *s, uint64_t *ms)
{
	uint64_t whole = 0, frac = 0;
	unsigned digits = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > MAX_DURATION_MS)
			return false;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (++digits > 3)
				return false;
			frac = frac * 10 + (uint64_t)(*p - '0');
		}
		if (digits == 0)
			return false;
	}
	for (; digits < 3; digits++)
		frac *= 10;
	*ms = whole * 1000 + frac;
	return *p == '\0';
}

static bool tsc_readable(void);

static int parse_clocks(struct options *o, const char *list)
{
	char buf[256];
	char *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return usage_error("--clocks: list too long: %s", list);
	strcpy(buf, list);
	o->nclocks = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned k;

		for (k = 0; k < NCLOCKS; k++)
			if (strcmp(t, clock_rows[k].name) == 0 || strcmp(t, clock_rows[k].trace_name) == 0)
				break;
		if (k == NCLOCKS)
			return usage_error("--clocks: unknown clock '%s' (expected monotonic, "
					   "monotonic_raw, realtime, boottime or tsc)", t);
		for (unsigned j = 0; j < o->nclocks; j++)
			if (o->clocks[j] == k)
				return usage_error("--clocks: '%s' is listed twice", t);
		if (clock_rows[k].id == (clockid_t)-1 && !tsc_readable())
			return usage_error("--clocks: %s: this CPU has no TSC clockprobe can read "
					   "(x86 only)", t);
		o->clocks[o->nclocks++] = k;
	}
	if (o->nclocks == 0)
		return usage_error("--clocks: no clock in '%s'", list);
	return 0;
}

static int parse_cpus(struct options *o, const char *list, const cpu_set_t *allowed)
{
	const char *p = list;
	bool seen[MAX_CPUS] = { false };

	o->ncpus = 0;
	while (*p) {
		char *end;
		unsigned long a, b;

		if (*p < '0' || *p > '9')
			return usage_error("--cpus: expected a CPU number or range in '%s'", list);
		a = strtoul(p, &end, 10);
		b = a;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return usage_error("--cpus: expected a range A-B in '%s'", list);
			b = strtoul(end + 1, &end, 10);
		}
		if (b < a || b >= MAX_CPUS)
			return usage_error("--cpus: bad range in '%s' (CPUs 0-1023)", list);
		for (unsigned long c = a; c <= b; c++) {
			if (!CPU_ISSET(c, allowed))
				return usage_error("--cpus: a CPU in '%s' is not one this process may "
						   "use (see taskset -p)", list);
			if (!seen[c]) {
				seen[c] = true;
				o->cpus[o->ncpus++] = (unsigned)c;
			}
		}
		if (*end == ',')
			end++;
		else if (*end != '\0')
			return usage_error("--cpus: unexpected text in '%s'", list);
		p = end;
	}
	if (o->ncpus == 0)
		return usage_error("--cpus: no CPU in '%s'", list);
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	cpu_set_t allowed;
	const char *clocks = NULL, *cpus = NULL;

	memset(o, 0, sizeof(*o));
	o->duration_ms = 2000;
	o->max_reads = 1000000;
	o->out = "-";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage_line, stdout);
			fputs("\n", stdout);
			fputs(help_text, stdout);
			exit(0);
		}
		if (strcmp(a, "--duration") != 0 && strcmp(a, "--clocks") != 0 &&
		    strcmp(a, "--cpus") != 0 && strcmp(a, "--out") != 0 &&
		    strcmp(a, "--reads") != 0 && strcmp(a, "--rate") != 0 &&
		    strcmp(a, "--tsc-khz") != 0)
			return usage_error("%s '%s'", a[0] == '-' ? "unknown option" : "unexpected argument",
					   a);
		if (!v)
			return usage_error("%s needs a value", a);
		i++;
		if (strcmp(a, "--duration") == 0) {
			if (!parse_seconds_ms(v, &o->duration_ms) || o->duration_ms == 0)
				return usage_error("--duration: expected seconds above 0 and at most "
						   "86400, with at most 3 decimals, got '%s'", v);
		} else if (strcmp(a, "--clocks") == 0) {
			clocks = v;
		} else if (strcmp(a, "--cpus") == 0) {
			cpus = v;
		} else if (strcmp(a, "--out") == 0) {
			o->out = v;
		} else if (strcmp(a, "--reads") == 0) {
			if (!parse_u64(v, &o->max_reads) || o->max_reads == 0 ||
			    o->max_reads > MAX_READS_LIMIT)
				return usage_error("--reads: expected a count from 1 to 100000000, "
						   "got '%s'", v);
		} else if (strcmp(a, "--rate") == 0) {
			if (!parse_u64(v, &o->rate) || o->rate == 0 || o->rate > 1000000000)
				return usage_error("--rate: expected reads per second from 1 to "
						   "1000000000, got '%s'", v);
		} else {
			if (!parse_u64(v, &o->tsc_khz) || o->tsc_khz == 0 || o->tsc_khz > UINT32_MAX)
				return usage_error("--tsc-khz: expected a rate in kHz, got '%s'", v);
		}
	}
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
		perror("clockprobe: sched_getaffinity");
		return EXIT_RUN_FAILED;
	}
	if (cpus) {
		int s = parse_cpus(o, cpus, &allowed);

		if (s)
			return s;
	} else {
		for (unsigned c = 0; c < MAX_CPUS; c++)
			if (CPU_ISSET(c, &allowed))
				o->cpus[o->ncpus++] = c;
	}
	if (clocks) {
		int s = parse_clocks(o, clocks);

		if (s)
			return s;
	} else {
		for (unsigned k = 0; k < NCLOCKS; k++)
			if (clock_rows[k].id != (clockid_t)-1 || tsc_readable())
				o->clocks[o->nclocks++] = k;
		if (!tsc_readable())
			fputs("clockprobe: this CPU has no TSC clockprobe can read (x86 only): "
			      "reading the other clocks\n", stderr);
	}
	return 0;
}

/* ---- the TSC ---- */

#if HAVE_TSC
static bool cpu_has_rdtscp(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(0x80000001, &a, &b, &c, &d) && (d >> 27 & 1);
}

static bool tsc_readable(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d) && (d >> 4 & 1);
}

/* RDTSCP: the TSC and IA32_TSC_AUX, where Linux keeps the CPU number in bits 11:0. */
static inline uint64_t read_rdtscp(uint32_t *cpu)
{
	uint32_t lo, hi, aux;

	__asm__ __volatile__("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	*cpu = aux & 0xfff;
	return (uint64_t)hi << 32 | lo;
}

/* LFENCE; RDTSC: not before the instructions ahead of it (Linux's rdtsc_ordered()). */
static inline uint64_t read_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause");
}

/*
 * The TSC rate in kHz and where it came from, when the CPU says: the
 * hypervisor's timing leaf 0x40000010 (EAX: TSC kHz), CPUID 0x15 (crystal
 * Hz x EBX / EAX), or 0x15 with 0x16's base MHz (as Linux's
 * native_calibrate_tsc() does when 0x15 has no crystal rate).
 */
static uint64_t cpuid_tsc_khz(const char **how)
{
	unsigned a, b, c, d, max;

	if (__get_cpuid(1, &a, &b, &c, &d) && (c >> 31 & 1)) {
		__cpuid(0x40000000, max, b, c, d);
		if (max >= 0x40000010 && max < 0x40010000) {
			__cpuid(0x40000010, a, b, c, d);
			if (a) {
				*how = "CPUID 0x40000010";
				return a;
			}
		}
	}
	max = __get_cpuid_max(0, NULL);
	if (max >= 0x15) {
		unsigned den, num, crystal_hz;

		__cpuid_count(0x15, 0, den, num, crystal_hz, d);
		if (den && num && crystal_hz) {
			*how = "CPUID 0x15";
			return (uint64_t)crystal_hz * num / den / 1000;
		}
		if (den && num && max >= 0x16) {
			__cpuid_count(0x16, 0, a, b, c, d);
			if (a & 0xffff) {
				*how = "CPUID 0x16 base MHz";
				return (uint64_t)(a & 0xffff) * 1000;
			}
		}
	}
	return 0;
}
#else
static bool cpu_has_rdtscp(void) { return false; }
static bool tsc_readable(void) { return false; }
static inline uint64_t read_rdtscp(uint32_t *cpu) { *cpu = 0; return 0; }
static inline uint64_t read_rdtsc(void) { return 0; }
static inline void cpu_relax(void) { }
static uint64_t cpuid_tsc_khz(const char **how) { (void)how; return 0; }
#endif

/*
 * /proc/cpuinfo's "cpu MHz" is cpu_khz, which equals tsc_khz only where the
 * kernel took both from the same source: trusted when the kernel says the
 * TSC rate is known (flag tsc_known_freq) and no cpufreq driver varies it.
 */
static uint64_t cpuinfo_tsc_khz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	uint64_t khz = 0;
	bool known = false;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long mhz, frac;

		if (!khz && sscanf(line, "cpu MHz : %lu.%3lu", &mhz, &frac) == 2)
			khz = (uint64_t)mhz * 1000 + frac;
		if (strncmp(line, "flags", 5) == 0 && strstr(line, " tsc_known_freq"))
			known = true;
		if (line[0] == '\n' && khz)
			break;
	}
	fclose(f);
	if (access("/sys/devices/system/cpu/cpu0/cpufreq", F_OK) == 0)
		return 0;
	return known ? khz : 0;
}

/* ---- the shared state: a ticket lock, the order, the output buffer ---- */

static atomic_uint lock_next, lock_owner;
static uint64_t order;                   /* under the lock */
static uint64_t reads_total;             /* under the lock */
static bool stop;                        /* under the lock */
static bool write_failed;                /* under the lock */
static char *buf;
static size_t buf_len;
static FILE *out;
static uint64_t end_ref_ns, max_reads;
static uint64_t per_clock[NCLOCKS], migrations;

static void lock(void)
{
	unsigned ticket = atomic_fetch_add_explicit(&lock_next, 1, memory_order_relaxed);
	unsigned spins = 0;

	while (atomic_load_explicit(&lock_owner, memory_order_acquire) != ticket) {
		/* a preempted holder (a vCPU the host descheduled) needs this CPU back */
		if (++spins >= 1000) {
			sched_yield();
			spins = 0;
		} else {
			cpu_relax();
		}
	}
}

static void unlock(void)
{
	atomic_store_explicit(&lock_owner,
			      atomic_load_explicit(&lock_owner, memory_order_relaxed) + 1,
			      memory_order_release);
}

static void flush_locked(void)
{
	if (buf_len && !write_failed && fwrite(buf, 1, buf_len, out) != buf_len)
		write_failed = true;
	buf_len = 0;
}

static void put(const char *s, size_t n)
{
	memcpy(buf + buf_len, s, n);
	buf_len += n;
}

#define PUT(lit) put(lit, sizeof(lit) - 1)

/* A u64 as sim-trace writes integers: a number below 2^53, a decimal string above. */
static void put_u64(uint64_t v)
{
	char tmp[24];
	int n = 0;
	bool quote = v >= (1ULL << 53);

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (quote)
		PUT("\"");
	while (n)
		buf[buf_len++] = tmp[--n];
	if (quote)
		PUT("\"");
}

static uint64_t ns_of(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static uint64_t ref_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ns_of(&ts);
}

/* ---- one thread per CPU ---- */

struct worker {
	pthread_t thread;
	unsigned cpu;
	const struct options *o;
	pthread_barrier_t *start;
	int error;                 /* errno of a failed pin or clock read */
	const char *what;
};

static bool use_rdtscp;

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	const struct options *o = w->o;
	cpu_set_t one;
	uint64_t seq = 0, k = 0, period_ns = o->rate ? 1000000000u / o->rate : 0;
	struct timespec next;

	CPU_ZERO(&one);
	CPU_SET(w->cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) != 0) {
		w->error = errno;
		w->what = "sched_setaffinity";
	}
	pthread_barrier_wait(w->start);
	if (w->error) {
		lock();
		stop = true;
		unlock();
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		const struct clock_row *c = &clock_rows[o->clocks[k % o->nclocks]];
		uint64_t before, value, after;
		uint32_t cpu_seen = w->cpu, cpu_after = w->cpu;
		struct timespec ts;
		bool ok = true;

		if (period_ns) {
			uint64_t ns = (uint64_t)next.tv_nsec + period_ns;

			next.tv_sec += (time_t)(ns / 1000000000u);
			next.tv_nsec = (long)(ns % 1000000000u);
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
				;
		}
		lock();
		before = ref_now();
		if (stop || reads_total >= max_reads || before >= end_ref_ns) {
			stop = true;
			unlock();
			break;
		}
		if (c->id != (clockid_t)-1) {
			ok = clock_gettime(c->id, &ts) == 0;
			value = ok ? ns_of(&ts) : 0;
		} else if (use_rdtscp) {
			value = read_rdtscp(&cpu_seen);
			cpu_after = cpu_seen;
		} else {
			int s = sched_getcpu();

			value = read_rdtsc();
			cpu_after = (uint32_t)sched_getcpu();
			cpu_seen = s < 0 ? cpu_after : (uint32_t)s;
		}
		after = ref_now();
		if (!ok) {
			w->error = errno;
			w->what = c->trace_name;
			stop = true;
			unlock();
			break;
		}
		order++;
		seq++;
		reads_total++;
		per_clock[c - clock_rows]++;
		if (buf_len > BUF_SIZE - 512)
			flush_locked();
		PUT("{\"type\":\"read\",\"vcpu\":");
		put_u64(w->cpu);
		PUT(",\"seq\":");
		put_u64(seq);
		PUT(",\"clock\":\"");
		put(c->trace_name, strlen(c->trace_name));
		if (c->id != (clockid_t)-1) {
			PUT("\",\"value_ns\":");
		} else {
			PUT("\",\"value\":");
		}
		put_u64(value);
		if (c->id == (clockid_t)-1) {
			PUT(",\"cpu\":");
			put_u64(cpu_seen);
			if (cpu_seen != w->cpu || cpu_after != w->cpu) {
				PUT(",\"migrated\":true");
				migrations++;
			}
		}
		PUT(",\"ref_before\":");
		put_u64(before);
		PUT(",\"ref_after\":");
		put_u64(after);
		PUT(",\"order\":");
		put_u64(order);
		PUT("}\n");
		unlock();
		k++;
	}
	return NULL;
}

/* ---- the header ---- */

static void write_header(const struct options *o, uint64_t tsc_khz, const char *khz_how)
{
	bool tsc = false;

	PUT("{\"type\":\"header\",\"format\":\"sim-trace\",\"version\":1,\"producer\":\"" PRODUCER
	    "\",\"ref\":\"CLOCK_MONOTONIC_RAW\",\"ref_unit\":\"ns\",\"clocks\":[");
	for (unsigned k = 0; k < o->nclocks; k++) {
		const char *n = clock_rows[o->clocks[k]].trace_name;

		if (k)
			PUT(",");
		PUT("\"");
		put(n, strlen(n));
		PUT("\"");
		tsc |= clock_rows[o->clocks[k]].id == (clockid_t)-1;
	}
	PUT("],\"cpus\":");
	put_u64(o->ncpus);
	if (tsc && tsc_khz) {
		PUT(",\"tsc_khz\":");
		put_u64(tsc_khz);
	}
	PUT(",\"src\":\"ref_before/ref_after: CLOCK_MONOTONIC_RAW read just before and after "
	    "each read, under the same lock");
	if (tsc) {
		if (use_rdtscp)
			PUT("; tsc: RDTSCP, cpu from IA32_TSC_AUX");
		else
			PUT("; tsc: LFENCE;RDTSC (no RDTSCP), cpu from getcpu before and after");
		if (tsc_khz) {
			PUT("; tsc_khz from ");
			put(khz_how, strlen(khz_how));
		}
	}
	PUT("\"}\n");
}

int main(int argc, char **argv)
{
	struct options o;
	struct worker *workers;
	pthread_barrier_t start;
	const char *khz_how = "--tsc-khz";
	uint64_t tsc_khz, t0;
	int status, result = 0;

	status = parse_options(argc, argv, &o);
	if (status)
		return status;
	use_rdtscp = cpu_has_rdtscp();
	tsc_khz = o.tsc_khz;
	if (!tsc_khz)
		tsc_khz = cpuid_tsc_khz(&khz_how);
	if (!tsc_khz) {
		tsc_khz = cpuinfo_tsc_khz();
		khz_how = "/proc/cpuinfo 'cpu MHz' (flag tsc_known_freq, no cpufreq)";
	}
	out = strcmp(o.out, "-") == 0 ? stdout : fopen(o.out, "w");
	if (!out) {
		fprintf(stderr, "clockprobe: %s: %s\n", o.out, strerror(errno));
		return EXIT_RUN_FAILED;
	}
	buf = malloc(BUF_SIZE);
	workers = calloc(o.ncpus, sizeof(*workers));
	if (!buf || !workers) {
		fputs("clockprobe: out of memory\n", stderr);
		return EXIT_RUN_FAILED;
	}
	write_header(&o, tsc_khz, khz_how);
	max_reads = o.max_reads;
	pthread_barrier_init(&start, NULL, o.ncpus + 1);
	for (unsigned i = 0; i < o.ncpus; i++) {
		workers[i].cpu = o.cpus[i];
		workers[i].o = &o;
		workers[i].start = &start;
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
			fputs("clockprobe: cannot start a thread\n", stderr);
			return EXIT_RUN_FAILED;
		}
	}
	t0 = ref_now();
	end_ref_ns = t0 + o.duration_ms * 1000000u;
	pthread_barrier_wait(&start);
	for (unsigned i = 0; i < o.ncpus; i++)
		pthread_join(workers[i].thread, NULL);
	flush_locked();
	if (fflush(out) != 0 || write_failed || (out != stdout && fclose(out) != 0)) {
		fprintf(stderr, "clockprobe: writing %s: %s\n", o.out, strerror(errno));
		result = EXIT_RUN_FAILED;
	}
	for (unsigned i = 0; i < o.ncpus; i++) {
		if (workers[i].error) {
			fprintf(stderr, "clockprobe: CPU %u: %s: %s\n", workers[i].cpu,
				workers[i].what, strerror(workers[i].error));
			result = EXIT_RUN_FAILED;
		}
	}
	fprintf(stderr, "clockprobe: %llu reads on %u CPUs in %llu ms (",
		(unsigned long long)reads_total, o.ncpus,
		(unsigned long long)((ref_now() - t0) / 1000000u));
	for (unsigned k = 0; k < o.nclocks; k++)
		fprintf(stderr, "%s%s %llu", k ? ", " : "", clock_rows[o.clocks[k]].trace_name,
			(unsigned long long)per_clock[o.clocks[k]]);
	fprintf(stderr, "); %llu TSC reads migrated%s\n", (unsigned long long)migrations,
		reads_total >= max_reads ? "; stopped at --reads" : "");
	free(workers);
	free(buf);
	return result;
}
