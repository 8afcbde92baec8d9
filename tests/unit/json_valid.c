// SPDX-License-Identifier: GPL-2.0
/*
 * A strict JSON validator (RFC 8259) for the tests: hvctl's output must
 * parse in jq, python and friends, not just look balanced.
 */
#include <string.h>

#include "unit.h"

static bool value(const char **p, int depth);

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

static bool literal(const char **p, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*p, word, n))
		return false;
	*p += n;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool string(const char **p)
{
	const char *s = *p;
	int i;

	if (*s++ != '"')
		return false;
	for (;;) {
		unsigned char c = *s++;

		if (c == '"')
			break;
		if (c < 0x20)		/* includes the terminating NUL */
			return false;
		if (c != '\\')
			continue;
		c = *s++;
		if (c == 'u') {
			for (i = 0; i < 4; i++)
				if (!is_hex(*s++))
					return false;
		} else if (!c || !strchr("\"\\/bfnrt", c)) {
			return false;
		}
	}
	*p = s;
	return true;
}

static bool number(const char **p)
{
	const char *s = *p;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (is_digit(*s))
		while (is_digit(*s))
			s++;
	else
		return false;
	if (*s == '.') {
		if (!is_digit(*++s))
			return false;
		while (is_digit(*s))
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!is_digit(*s))
			return false;
		while (is_digit(*s))
			s++;
	}
	*p = s;
	return true;
}

/* Object or array: open, [member {, member}], close. */
static bool container(const char **p, int depth, char close, bool keys)
{
	(*p)++;
	skip_ws(p);
	if (**p == close) {
		(*p)++;
		return true;
	}
	for (;;) {
		skip_ws(p);
		if (keys) {
			if (!string(p))
				return false;
			skip_ws(p);
			if (*(*p)++ != ':')
				return false;
		}
		if (!value(p, depth + 1))
			return false;
		skip_ws(p);
		if (**p == close) {
			(*p)++;
			return true;
		}
		if (*(*p)++ != ',')
			return false;
	}
}

static bool value(const char **p, int depth)
{
	if (depth > 64)
		return false;
	skip_ws(p);
	switch (**p) {
	case '{':
		return container(p, depth, '}', true);
	case '[':
		return container(p, depth, ']', false);
	case '"':
		return string(p);
	case 't':
		return literal(p, "true");
	case 'f':
		return literal(p, "false");
	case 'n':
		return literal(p, "null");
	default:
		return number(p);
	}
}

bool json_valid(const char *s)
{
	if (!value(&s, 0))
		return false;
	return !strcmp(s, "\n");
}
