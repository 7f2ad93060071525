/* `sim diff`'s judgement: see diff.h. */
#include "sim/diff/diff.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool diff_known_load(const char *path, struct diff_known_set *ks, struct sim_diag *err)
{
	memset(ks, 0, sizeof(*ks));
	if (!known_load(path, &ks->file, err))
		return false;
	ks->k = calloc(ks->file.n ? ks->file.n : 1, sizeof(*ks->k));
	if (!ks->k) {
		known_free(&ks->file);
		return sim_diag_fail(err, "out of memory");
	}
	for (unsigned i = 0; i < ks->file.n; i++) {
		struct diff_known *k = &ks->k[i];

		k->e = &ks->file.entries[i];
		ks->n = i + 1;
		for (unsigned j = 0; j < KNOWN_MATCH_COUNT; j++) {
			char why[128], ptr[96];
			int rc;

			if (!k->e->match[j])
				continue;
			rc = regcomp(&k->re[j], k->e->match[j], REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				regerror(rc, &k->re[j], why, sizeof(why));
				snprintf(ptr, sizeof(ptr), "/deviations/%u/match/%s", i,
					 known_match_key_name((enum known_match_key)j));
				sim_diag_set_path(err, ptr);
				sim_diag_set_pos(err, k->e->line[j], k->e->col[j]);
				diff_known_free(ks);
				return sim_diag_fail(err, "not a POSIX extended regex: %s", why);
			}
			k->has[j] = true;
		}
		k->after_seen = !k->has[KNOWN_MATCH_after];
	}
	return true;
}

void diff_known_free(struct diff_known_set *ks)
{
	for (unsigned i = 0; ks->k && i < ks->n; i++)
		for (unsigned j = 0; j < KNOWN_MATCH_COUNT; j++)
			if (ks->k[i].has[j])
				regfree(&ks->k[i].re[j]);
	free(ks->k);
	known_free(&ks->file);
	memset(ks, 0, sizeof(*ks));
}

static bool matches(const struct diff_known *k, enum known_match_key j, const char *s)
{
	return !k->has[j] || regexec(&k->re[j], s, 0, NULL, 0) == 0;
}

void diff_known_note(struct diff_known_set *ks, const char *prev, const char *cmd)
{
	size_t n = strlen(prev) + strlen(cmd) + 3;
	char *pair = malloc(n);

	if (!pair)
		return;
	snprintf(pair, n, "%s; %s", prev, cmd);
	for (unsigned i = 0; i < ks->n; i++)
		if (!ks->k[i].after_seen && matches(&ks->k[i], KNOWN_MATCH_after, pair))
			ks->k[i].after_seen = true;
	free(pair);
}

const struct known_entry *diff_explain(const struct diff_known_set *ks, const char *prev,
				       const char *cmd, const char *a, const char *b,
				       bool *b_is_sim)
{
	for (unsigned i = 0; ks && i < ks->n; i++) {
		const struct diff_known *k = &ks->k[i];

		if (!k->after_seen || !matches(k, KNOWN_MATCH_command, cmd) ||
		    !matches(k, KNOWN_MATCH_previous, prev))
			continue;
		for (int side = 0; side < 2; side++) {
			const char *sim = side ? b : a, *peer = side ? a : b;

			if (matches(k, KNOWN_MATCH_sim, sim) && matches(k, KNOWN_MATCH_peer, peer)) {
				*b_is_sim = side;
				return k->e;
			}
		}
	}
	return NULL;
}

bool diff_is_clock_command(const char *cmd)
{
	size_t n = strcspn(cmd, " \t");

	return (n == 10 && strncmp(cmd, "clock_step", 10) == 0) ||
	       (n == 9 && strncmp(cmd, "clock_set", 9) == 0);
}

bool diff_reply_clock(const char *cmd, const char *reply, uint64_t *ns)
{
	char *end;

	if (!diff_is_clock_command(cmd) || strncmp(reply, "OK ", 3) != 0 ||
	    reply[3] < '0' || reply[3] > '9')
		return false;
	*ns = strtoull(reply + 3, &end, 10);
	return *end == '\0';
}

bool diff_answers_differ(const char *cmd, const struct peer_answer *a,
			 const struct peer_answer *b, uint64_t tolerance_ns)
{
	size_t pa, pb;
	uint64_t ca, cb;

	if (a->len == b->len && memcmp(a->text, b->text, a->len) == 0)
		return false;
	pa = (size_t)(a->reply - a->text);
	pb = (size_t)(b->reply - b->text);
	if (pa != pb || memcmp(a->text, b->text, pa) != 0)
		return true;          /* the IRQ lines differ */
	if (!diff_reply_clock(cmd, a->reply, &ca) || !diff_reply_clock(cmd, b->reply, &cb))
		return true;
	return (ca > cb ? ca - cb : cb - ca) > tolerance_ns;
}
