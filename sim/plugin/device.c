/*
 * A plugin's device model as a stand-in chip for the board's PM timer
 * (platform_params.chip): mapped where the PM timer would be (pmtimer_port,
 * 4 ports), its accesses and deadline answered by the plugin.  The PM
 * timer's line is the SCI, which the board does not model: set_irq calls
 * are accepted and counted, and reach nothing.
 */
#include "sim/plugin/internal.h"

#include <inttypes.h>

struct foreign_device {
	struct device base;
	struct plugin_set *ps;
	const struct plugin *pl;
	uint64_t irq_calls;
};

static struct foreign_device *of(struct device *dev)
{
	return sim_container_of(dev, struct foreign_device, base);
}

static void cb_set_irq(void *cb, int level, uint64_t now_ps)
{
	struct foreign_device *fd = cb;

	(void)level;
	(void)now_ps;
	fd->irq_calls++;
}

static uint64_t fd_read(struct device *dev, uint64_t offset, unsigned size, sim_ps now)
{
	struct foreign_device *fd = of(dev);
	const struct sim_plugin_device *d = fd->pl->d->device;
	uint64_t val = 0, mask = size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
	bool ok;

	GUARDED(val = d->read(fd->pl->state, offset, size, now), ok);
	if (!ok) {
		plugin_fail(fd->ps, fd->pl, PLUGIN_PART_PMTIMER, now, -1, "read of %u bytes at "
			    "offset %" PRIu64 " crashed: %s", size, offset,
			    plugin_signal_name(plugin_guard_sig));
		return mask;
	}
	if (val & ~mask) {
		plugin_fail(fd->ps, fd->pl, PLUGIN_PART_PMTIMER, now, -1, "read of %u bytes at "
			    "offset %" PRIu64 " returned 0x%" PRIx64 ", wider than the access", size,
			    offset, val);
		return val & mask;
	}
	return val;
}

static void fd_write(struct device *dev, uint64_t offset, uint64_t val, unsigned size, sim_ps now)
{
	struct foreign_device *fd = of(dev);
	bool ok;

	GUARDED(fd->pl->d->device->write(fd->pl->state, offset, val, size, now), ok);
	if (!ok)
		plugin_fail(fd->ps, fd->pl, PLUGIN_PART_PMTIMER, now, -1, "write of %u bytes at "
			    "offset %" PRIu64 " crashed: %s", size, offset,
			    plugin_signal_name(plugin_guard_sig));
}

static sim_ps fd_next_deadline(const struct device *dev)
{
	struct foreign_device *fd = of((struct device *)dev);
	uint64_t t = UINT64_MAX;
	bool ok;

	if (!fd->pl->d->device->next_deadline_ps)
		return SIM_NEVER;
	GUARDED(t = fd->pl->d->device->next_deadline_ps(fd->pl->state), ok);
	if (!ok) {
		plugin_fail(fd->ps, fd->pl, PLUGIN_PART_PMTIMER, fd->ps->q->now, -1,
			    "next_deadline_ps() crashed: %s", plugin_signal_name(plugin_guard_sig));
		return SIM_NEVER;
	}
	return t == UINT64_MAX ? SIM_NEVER : t;
}

static const struct device_ops foreign_ops = {
	.kind = "pmtimer",
	.min_size = 1,
	.max_size = 4,
	.read = fd_read,
	.write = fd_write,
	.next_deadline = fd_next_deadline,
};

static bool attach(struct platform *pf, struct platform_slot *s, struct sim_diag *err)
{
	struct foreign_device *fd = s->chip;
	const struct platform_params *p = &pf->params;
	struct sim_plugin_device_env env;
	int rc = SIM_PLUGIN_ERROR;
	bool ok;

	fd->base = (struct device){ .ops = &foreign_ops, .name = "pmtimer0" };
	fd->ps = p->chip_ctx[BOARD_DEV_PMTIMER];
	fd->pl = fd->ps->part[PLUGIN_PART_PMTIMER];
	s->dev = &fd->base;
	env = (struct sim_plugin_device_env){
		.size = sizeof(env), .port_base = p->pmtimer_port, .len = PLATFORM_PMTIMER_LEN,
		.cb = fd, .set_irq = cb_set_irq,
	};
	if (fd->pl->d->device->attach) {
		GUARDED(rc = fd->pl->d->device->attach(fd->pl->state, &env), ok);
		if (!ok)
			return sim_diag_fail(err, "plugin \"%s\" (%s), part pmtimer: attach() crashed: "
					     "%s", fd->pl->who.name, fd->pl->who.path,
					     plugin_signal_name(plugin_guard_sig));
		if (rc != SIM_PLUGIN_OK)
			return sim_diag_fail(err, "plugin \"%s\" (%s), part pmtimer: attach() returned "
					     "%d", fd->pl->who.name, fd->pl->who.path, rc);
	}
	return bus_map(&pf->io, p->pmtimer_port, PLATFORM_PMTIMER_LEN, s->dev,
		       p->cost_ps[BOARD_DEV_PMTIMER], "pmtimer", err);
}

const struct board_chip plugin_pmtimer_chip = {
	.size = sizeof(struct foreign_device),
	.attach = attach,
};
