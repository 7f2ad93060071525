/* The protobuf wire format, write side: see pb.h. */
#include "sim/export/pb.h"

#include <string.h>

void pb_reset(struct pb_buf *p)
{
	p->n = 0;
	p->depth = 0;
	p->overflow = false;
}

size_t pb_varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

static void put(struct pb_buf *p, const void *data, size_t len)
{
	if (p->overflow || len > sizeof(p->b) - p->n) {
		p->overflow = true;
		return;
	}
	memcpy(p->b + p->n, data, len);
	p->n += len;
}

static void put_varint(struct pb_buf *p, uint64_t v)
{
	uint8_t tmp[10];

	put(p, tmp, pb_varint(tmp, v));
}

static void put_key(struct pb_buf *p, unsigned field, enum pb_wire wire)
{
	put_varint(p, (uint64_t)field << 3 | (uint64_t)wire);
}

void pb_uint(struct pb_buf *p, unsigned field, uint64_t v)
{
	put_key(p, field, PB_VARINT);
	put_varint(p, v);
}

void pb_int(struct pb_buf *p, unsigned field, int64_t v)
{
	pb_uint(p, field, (uint64_t)v);
}

void pb_fixed64(struct pb_buf *p, unsigned field, uint64_t v)
{
	uint8_t le[8];

	for (unsigned i = 0; i < 8; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	put_key(p, field, PB_FIXED64);
	put(p, le, sizeof(le));
}

void pb_bytes(struct pb_buf *p, unsigned field, const void *data, size_t len)
{
	put_key(p, field, PB_LEN);
	put_varint(p, len);
	put(p, data, len);
}

void pb_string(struct pb_buf *p, unsigned field, const char *s)
{
	pb_bytes(p, field, s, strlen(s));
}

void pb_begin(struct pb_buf *p, unsigned field)
{
	put_key(p, field, PB_LEN);
	if (p->depth >= PB_MAX_DEPTH) {
		p->overflow = true;
		return;
	}
	p->open[p->depth++] = p->n;
}

/* The length goes before the bytes: move them up by the length's varint. */
void pb_end(struct pb_buf *p)
{
	uint8_t tmp[10];
	size_t start, len, k;

	if (p->depth == 0) {
		p->overflow = true;
		return;
	}
	start = p->open[--p->depth];
	if (p->overflow)
		return;
	len = p->n - start;
	k = pb_varint(tmp, len);
	if (k > sizeof(p->b) - p->n) {
		p->overflow = true;
		return;
	}
	memmove(p->b + start + k, p->b + start, len);
	memcpy(p->b + start, tmp, k);
	p->n += k;
}

bool pb_complete(const struct pb_buf *p)
{
	return !p->overflow && p->depth == 0;
}
