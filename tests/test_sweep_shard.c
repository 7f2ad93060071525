/*
 * A sweep's shards and whole-run checks (docs/sweeps.md "Shards", "Running
 * a sweep"): the shard arithmetic against brute force, for N up to 2^64 - 1;
 * the event estimate of a shard's jobs; duplicate ids found when the plan is
 * made.  The base scenario is tests/sweep/base.json (610 events a job).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/temp_files.h"
#include "sim/scenario/sweep_file.h"
#include "sim/sweep/job.h"
#include "sim/sweep/plan.h"

#define BASE SWEEP_DIR "/base.json"

TestSuite(sweep_shard, .fini = temp_files_remove);

static uint64_t brute_count(uint64_t k, uint64_t n, uint64_t njobs)
{
	uint64_t c = 0;

	for (uint64_t i = 0; i < njobs; i++)
		c += i % n == k;
	return c;
}

Test(sweep_shard, sizes_and_jobs_match_brute_force_for_any_n)
{
	const uint64_t huge[] = { UINT64_MAX, UINT64_MAX - 1, UINT64_C(1) << 63, 1000 };

	for (uint64_t njobs = 0; njobs <= 40; njobs++) {
		for (uint64_t n = 1; n <= 12; n++)
			for (uint64_t k = 0; k < n; k++) {
				struct sweep_shard s = { k, n };
				uint64_t size = sweep_shard_below(&s, njobs);

				cr_assert_eq(size, brute_count(k, n, njobs), "%lu/%lu of %lu",
					     (unsigned long)k, (unsigned long)n, (unsigned long)njobs);
				for (uint64_t t = 0; t < size; t++)
					cr_assert_eq(sweep_shard_job(&s, t) % n, k);
				if (size)
					cr_assert_lt(sweep_shard_job(&s, size - 1), njobs);
			}
		for (unsigned h = 0; h < sizeof(huge) / sizeof(huge[0]); h++) {
			/* K below the jobs: that job alone; K at or past them: nothing */
			for (uint64_t k = 0; k < 45; k++) {
				struct sweep_shard s = { k, huge[h] };

				cr_assert_eq(sweep_shard_below(&s, njobs), k < njobs, "%lu/%lu of %lu",
					     (unsigned long)k, (unsigned long)huge[h],
					     (unsigned long)njobs);
			}
			struct sweep_shard last = { huge[h] - 1, huge[h] };

			cr_assert_eq(sweep_shard_below(&last, njobs), huge[h] - 1 < njobs);
		}
	}
}

/* tests/sweep/base.json with three TSC values and seeds 1..7: 21 jobs, 3 variants. */
static struct sweep_spec *spec_21(void)
{
	struct sweep_spec *sp = sweep_spec_new(BASE);
	char why[256];

	cr_assert(sp);
	cr_assert(sweep_spec_add_vary(sp, "/hosts/1/tsc=2999MHz,3000MHz,3001MHz", why, sizeof(why)),
		  "%s", why);
	cr_assert(sweep_spec_set_seeds(sp, "1..7", why, sizeof(why)), "%s", why);
	cr_assert(sweep_spec_count(sp, why, sizeof(why)), "%s", why);
	cr_assert_eq(sp->njobs, 21);
	return sp;
}

Test(sweep_shard, work_counts_the_shards_jobs_per_variant)
{
	struct sweep_spec *sp = spec_21();
	struct sweep_plan p;
	struct sweep_work w;
	struct sim_diag err;
	uint64_t bad;

	cr_assert(sweep_plan_open(&p, sp, &err), "%s", err.msg);
	for (uint64_t n = 1; n <= 25; n++)
		for (uint64_t k = 0; k < n; k++) {
			struct sweep_shard s = { k, n };

			cr_assert(sweep_plan_work(&p, &s, BUDGET_DEFAULT_MAX_EVENTS, &w, &bad, &err));
			cr_assert_eq(w.jobs, brute_count(k, n, 21));
			cr_assert_eq(w.events, w.jobs * 610, "%lu/%lu: %lu events",
				     (unsigned long)k, (unsigned long)n, (unsigned long)w.events);
			if (w.jobs) {
				cr_assert_eq(w.top.total, 610);
				cr_assert_eq(w.top_index % n, k, "the top job is of the shard");
				cr_assert_eq(w.top_events, w.top_jobs * 610);
			}
		}
	/* a shard far beyond the jobs, and one job of such a shard */
	cr_assert(sweep_plan_work(&p, &(struct sweep_shard){ 20, UINT64_MAX },
				  BUDGET_DEFAULT_MAX_EVENTS, &w, &bad, &err));
	cr_assert(w.jobs == 1 && w.events == 610 && w.top_index == 20);
	cr_assert(sweep_plan_work(&p, &(struct sweep_shard){ 21, UINT64_MAX },
				  BUDGET_DEFAULT_MAX_EVENTS, &w, &bad, &err));
	cr_assert(w.jobs == 0 && w.events == 0);
	/* a job its own budget refuses is an error row at once: it adds nothing */
	cr_assert(sweep_plan_work(&p, &(struct sweep_shard){ 0, 1 }, 100, &w, &bad, &err));
	cr_assert(w.jobs == 21 && w.events == 0);
	sweep_plan_close(&p);
	sweep_spec_free(sp);
}

Test(sweep_shard, ids_are_indexed_and_duplicates_found)
{
	struct sweep_spec *sp = spec_21();
	struct sweep_plan p;
	struct sweep_job j;
	struct sim_diag err;
	struct sim_diag_list errs;
	uint64_t a, b, id, index;
	char text[512];
	const char *path;

	cr_assert(sweep_plan_open(&p, sp, &err), "%s", err.msg);
	cr_assert(sweep_plan_index(&p, &a, &err), "%s", err.msg);
	cr_assert(sweep_plan_unique(&p, &a, &b, &id));
	for (uint64_t i = 0; i < 21; i++) {
		cr_assert(sweep_plan_job(&p, i, &j, &err));
		cr_assert(sweep_plan_find(&p, j.id, &index) && index == i);
		sweep_job_free(&j);
	}
	cr_assert_not(sweep_plan_find(&p, 0x0123456789abcdef, &index));
	sweep_plan_close(&p);
	sweep_spec_free(sp);

	/* two objects that differ only in their keys' order: one scenario per seed */
	snprintf(text, sizeof(text), "{ \"scenario\": \"%s\", \"axes\": [ { \"path\": \"/vm\", "
		 "\"values\": [{ \"host\": \"A\", \"vcpus\": 2 }, { \"vcpus\": 2, \"host\": "
		 "\"A\" }] } ], \"seeds\": [4, 5] }\n", BASE);
	path = temp_file_write(0, "dup.json", text);
	sp = sweep_spec_load(path, &err, &errs);
	cr_assert(sp, "%s", err.msg);
	cr_assert(sweep_plan_open(&p, sp, &err), "%s", err.msg);
	cr_assert(sweep_plan_index(&p, &a, &err), "%s", err.msg);
	cr_assert_not(sweep_plan_unique(&p, &a, &b, &id));
	/* jobs 0 and 2 (seed 4), 1 and 3 (seed 5): the pair of the smaller id */
	cr_assert(a < 2 && b == a + 2, "jobs %lu and %lu", (unsigned long)a, (unsigned long)b);
	cr_assert(sweep_plan_job(&p, a, &j, &err));
	cr_assert_eq(j.id, id);
	sweep_job_free(&j);
	sweep_plan_close(&p);
	sweep_spec_free(sp);
}
