/* Compares two decoded profiles field by field: the fast decoder must build
 * exactly the model the protoc-c reference decoder builds. */
#ifndef PW_TEST_MODEL_EQ_H
#define PW_TEST_MODEL_EQ_H

#include <stddef.h>

#include "profwatch/pprof.h"

/* 1 when equal; otherwise 0 and why says where they first differ. */
int pw_model_equal(const pw_profile_t *a, const pw_profile_t *b, char *why, size_t n);

#endif
