/*
 * A sweep file (docs/sweeps.md): the base scenario, the axes to vary (any
 * JSON pointer of the scenario, with a list or a range of values), the seeds
 * and the settings (typically expectations) applied to every variant.  Loaded
 * here because only sim/scenario reads JSON; the plan, ids and shards are
 * sim/sweep's.  `sim run --vary` builds the same struct from its options.
 */
#ifndef SIM_SCENARIO_SWEEP_FILE_H
#define SIM_SCENARIO_SWEEP_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/variant.h"

#define SWEEP_MAX_AXES 16
#define SWEEP_MAX_VALUES 100000           /* per axis */
#define SWEEP_MAX_SETS 64                 /* "expect" entries */
#define SWEEP_MAX_SEEDS 1000000
/*
 * Values of every axis multiplied, times seeds.  A run keeps every row in
 * memory until it writes them sorted (about 280 bytes a row with two checks,
 * about 80 more per check) and 16 bytes of ids per job: 10^6 jobs stay
 * within about 0.3 GB (1 GB for rows of ten checks).
 */
#define SWEEP_MAX_JOBS 1000000
#define SWEEP_PATH_MAX 1024

struct sweep_axis {
	char path[SCN_PATH_MAX];          /* "path": a JSON pointer into the scenario */
	unsigned nvalues;
	char **values;                    /* each value's compact JSON text; owned */
};

struct sweep_spec {
	char file[256];                   /* the sweep file ("" when built from options) */
	char scenario[SWEEP_PATH_MAX];    /* the base scenario's file, resolved */
	unsigned naxes;
	struct sweep_axis axes[SWEEP_MAX_AXES];
	unsigned nsets;
	struct scn_override sets[SWEEP_MAX_SETS];  /* "expect": pointer and JSON text, owned */
	bool seeds_given;                 /* false: each variant keeps the scenario's seed */
	uint64_t seed_first;              /* seeds from..to: seed_first + i */
	uint64_t nseeds;                  /* 1 when !seeds_given */
	uint64_t *seed_list;              /* an explicit list ([...]), or NULL; owned */
	uint64_t njobs;                   /* variants times seeds */
};

/*
 * Reads and checks a sweep file; NULL with err (and list, when not NULL)
 * naming the file, line:column, JSON pointer and what was expected.
 */
struct sweep_spec *sweep_spec_load(const char *file, struct sim_diag *err,
				   struct sim_diag_list *list);

/* An empty spec for the base scenario file (sim run --vary); NULL when out of memory. */
struct sweep_spec *sweep_spec_new(const char *scenario);

/*
 * Adds an axis from the command line: "PATH=V1,V2,...", split at the commas
 * between values: a value that starts with '{', '[' or '"' is one JSON value
 * (commas inside it included), any other is JSON when it parses as JSON, else
 * a string.  False with why (the argument and the offset of what is wrong)
 * for a bad pointer, a path that another axis's is, is inside or contains, a
 * JSON value not closed, or a value given twice.
 */
bool sweep_spec_add_vary(struct sweep_spec *sp, const char *arg, char *why, size_t len);

/* "A..B" (inclusive) as the seeds.  False with why. */
bool sweep_spec_set_seeds(struct sweep_spec *sp, const char *arg, char *why, size_t len);

/* Counts the jobs (and checks the limits) of a spec built from options.  False with why. */
bool sweep_spec_count(struct sweep_spec *sp, char *why, size_t len);

/* The i-th seed (i < nseeds); meaningful only when seeds_given. */
uint64_t sweep_spec_seed(const struct sweep_spec *sp, uint64_t i);

void sweep_spec_free(struct sweep_spec *sp);

#endif
