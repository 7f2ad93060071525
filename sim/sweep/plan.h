/*
 * A sweep's plan (docs/sweeps.md): the canonical list of jobs of a sweep
 * spec, each job's scenario text and its stable id, and the shards.
 *
 * Job i of the list has coordinates (c_0, ..., c_{A-1}, s) in the axes'
 * order, the last axis varying fastest and the seed fastest of all:
 * i = ((c_0 n_1 + c_1) n_2 + ...) n_seeds + s.  Its id is FNV-1a 64 of the
 * canonical JSON (variant.h) of its scenario text (every axis value, the
 * spec's "expect" settings and the seed set in the base scenario): a function
 * of what runs, never of a position, so that adding a value to an axis does
 * not renumber other jobs.
 */
#ifndef SIM_SWEEP_PLAN_H
#define SIM_SWEEP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/scenario/sweep_file.h"

struct sweep_plan {
	const struct sweep_spec *spec;
	char *base;                       /* the base scenario's text; owned */
	size_t base_len;
	uint64_t base_hash;               /* FNV-1a 64 of those bytes */
	char base_name[256];              /* the base file's name without directories, for rows */
	struct sweep_plan_id *ids;        /* every job's id, sorted (sweep_plan_index); owned */
	uint64_t nids;
};

/* A job's id and index, for the plan's sorted table of ids. */
struct sweep_plan_id {
	uint64_t id, index;
};

struct sweep_job {
	uint64_t index;                   /* in the canonical list */
	uint64_t id;
	unsigned coord[SWEEP_MAX_AXES];   /* the value of each axis */
	bool has_seed;                    /* false: the scenario's own seed */
	uint64_t seed;
	char *text;                       /* the variant's scenario text; owned */
	size_t len;
};

/* FNV-1a, 64 bits (offset basis 14695981039346656037, prime 2^40 + 2^8 + 0xb3). */
uint64_t sweep_fnv1a64(const void *data, size_t len);

/* Reads the base scenario (it must be JSON); false with err. */
bool sweep_plan_open(struct sweep_plan *p, const struct sweep_spec *sp, struct sim_diag *err);
void sweep_plan_close(struct sweep_plan *p);

/*
 * Job index of the plan: its text and id.  False with err when a value cannot
 * be set in the scenario (variant.h) or memory is short.
 */
bool sweep_plan_job(const struct sweep_plan *p, uint64_t index, struct sweep_job *j,
		    struct sim_diag *err);
void sweep_job_free(struct sweep_job *j);

/*
 * Makes every job's id (the whole plan, not a shard: a duplicate split over
 * two shards is found too) and sorts them: 16 bytes a job, O(n log n).
 * False with err and *bad (the job's index) when a job cannot be made.
 */
bool sweep_plan_index(struct sweep_plan *p, uint64_t *bad, struct sim_diag *err);

/*
 * After sweep_plan_index: false when two jobs have the same id (the same
 * scenario text), with their indices *a < *b and the id.
 */
bool sweep_plan_unique(const struct sweep_plan *p, uint64_t *a, uint64_t *b, uint64_t *id);

/* After sweep_plan_index: whether id is a job of the plan, and its index. */
bool sweep_plan_find(const struct sweep_plan *p, uint64_t id, uint64_t *index);

/* Shard k of n (0-based): job i belongs to it iff i mod n == k (round-robin). */
struct sweep_shard {
	uint64_t k, n;
};

/*
 * The jobs of shard s among the first x jobs (i < x with i mod n == k); the
 * shard's size is sweep_shard_below(s, njobs).  Never wraps, whatever n.
 */
uint64_t sweep_shard_below(const struct sweep_shard *s, uint64_t x);

/*
 * The t-th job of shard s, for t < its size: k + t n (below njobs, so no
 * wrap).  Loop over t, never "i += n", which wraps for n near 2^64.
 */
static inline uint64_t sweep_shard_job(const struct sweep_shard *s, uint64_t t)
{
	return s->k + t * s->n;
}

/* "K/N" with 0 <= K < N; false with why. */
bool sweep_shard_parse(const char *arg, struct sweep_shard *s, char *why, size_t len);

/*
 * The shard from the environment when no --shard was given: SLURM_ARRAY_TASK_ID
 * with SLURM_ARRAY_TASK_COUNT, else TEST_SHARD_INDEX with TEST_TOTAL_SHARDS
 * (Bazel).  *found false when neither pair is set; false with why when a
 * pair is set but wrong.  getenv is passed in so that tests can feed it.
 */
bool sweep_shard_from_env(const char *(*getenv_fn)(const char *), struct sweep_shard *s,
			  bool *found, char *why, size_t len);

#endif
