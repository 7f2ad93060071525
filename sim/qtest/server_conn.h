/*
 * The server's byte streams: a unix-socket client connect, whole writes, and
 * an input buffer per connection that grows as lines or JSON texts arrive.
 */
#ifndef SIM_QTEST_SERVER_CONN_H
#define SIM_QTEST_SERVER_CONN_H

#include <stdbool.h>
#include <stddef.h>

#define QTEST_INPUT_MAX (64 * 1024)   /* bytes buffered without a complete line or object */

struct conn {
	int fd;                   /* -1 when closed */
	char *buf;
	size_t len, cap;
	bool overflow;            /* discarding an over-long line */
};

/* A connected client socket, or -1 with errno set. */
int unix_connect(const char *path);

/* Writes all of buf (retrying on EINTR); false on error. */
bool write_all(int fd, const char *buf, size_t len);

void conn_init(struct conn *c, int fd);

/* Closes the fd (never 0-2) and frees the buffer. */
void conn_close(struct conn *c);

/* Reads what is there into the buffer; false at end of input or on error. */
bool conn_fill(struct conn *c, int fd);

/* Drops the first n buffered bytes. */
void conn_consume(struct conn *c, size_t n);

#endif
