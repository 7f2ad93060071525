/*
 * A small protocol-buffers writer: just the wire format the Perfetto export
 * needs (varint, fixed64 and length-delimited fields, nested messages), into a
 * fixed buffer, so that one message (a Perfetto TracePacket) is built and then
 * written out whole.  Nothing is allocated.
 *
 * Wire format (protobuf.dev, "Encoding"): a field is a key varint
 * (field_number << 3 | wire_type) and its value; varints are 7 bits a byte,
 * least significant first, with the top bit set on every byte but the last;
 * int64 is written as the varint of its two's-complement uint64 (10 bytes
 * when negative); a nested message is wire type 2, its length as a varint,
 * then its bytes.
 *
 * Why our own and not a Debian library (libprotobuf-c): the export writes
 * five message types with a dozen fields between them; a generated-code
 * library would bring a build step (protoc-c), a run-time dependency and heap
 * allocation per message for what is about 120 lines here.  protoc (Debian's
 * protobuf-compiler) still decodes what we write, in the tests.
 */
#ifndef SIM_EXPORT_PB_H
#define SIM_EXPORT_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_BUF_MAX 4096           /* one message; plenty for a TracePacket */
#define PB_MAX_DEPTH 8            /* nested messages open at once */

enum pb_wire {
	PB_VARINT = 0,
	PB_FIXED64 = 1,
	PB_LEN = 2,
};

struct pb_buf {
	uint8_t b[PB_BUF_MAX];
	size_t n;                     /* bytes used */
	size_t open[PB_MAX_DEPTH];    /* where each open message's bytes begin */
	unsigned depth;
	bool overflow;                /* something did not fit: the message is invalid */
};

void pb_reset(struct pb_buf *p);

/* Writes v as a varint into out (at least 10 bytes); returns the bytes used. */
size_t pb_varint(uint8_t *out, uint64_t v);

void pb_uint(struct pb_buf *p, unsigned field, uint64_t v);       /* uint32, uint64, enum, bool */
void pb_int(struct pb_buf *p, unsigned field, int64_t v);         /* int32, int64 (not sint) */
void pb_fixed64(struct pb_buf *p, unsigned field, uint64_t v);
void pb_bytes(struct pb_buf *p, unsigned field, const void *data, size_t len);
void pb_string(struct pb_buf *p, unsigned field, const char *s);

/* A nested message: pb_begin(field), its fields, pb_end(). */
void pb_begin(struct pb_buf *p, unsigned field);
void pb_end(struct pb_buf *p);

/* True when the message is whole: every pb_begin ended and nothing overflowed. */
bool pb_complete(const struct pb_buf *p);

#endif
