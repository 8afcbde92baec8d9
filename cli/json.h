/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny streaming JSON writer for hvctl's --json output: compact, one
 * document per line.  The caller keeps the structure balanced; the writer
 * only tracks where commas go.  Inside an object, every value takes a key;
 * at the top level or inside an array, key must be NULL.
 */
#ifndef HVCTL_JSON_H
#define HVCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH + 1];	/* per nesting level */
};

void json_init(struct json *j, FILE *f);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *val);
void json_uint(struct json *j, const char *key, uint64_t val);
void json_int(struct json *j, const char *key, int64_t val);
void json_bool(struct json *j, const char *key, bool val);
/* u64 as a "0x..." string: JSON numbers lose precision above 2^53. */
void json_hex(struct json *j, const char *key, uint64_t val);
/* Ends the document with a newline; 0, or -EIO if the stream failed. */
int json_finish(struct json *j);

/* s as a quoted, escaped JSON string. */
void json_write_string(FILE *f, const char *s);

#endif /* HVCTL_JSON_H */
