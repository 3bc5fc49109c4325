#include "model_eq.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define DIFF(...)                                                                                  \
    do {                                                                                           \
        snprintf(why, n, __VA_ARGS__);                                                             \
        return 0;                                                                                  \
    } while (0)

static int streq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

int pw_model_equal(const pw_profile_t *a, const pw_profile_t *b, char *why, size_t n)
{
    if (a->n_sample_types != b->n_sample_types || a->n_samples != b->n_samples ||
        a->n_mappings != b->n_mappings || a->n_locations != b->n_locations ||
        a->n_functions != b->n_functions || a->n_comments != b->n_comments)
        DIFF("table sizes differ");
    for (size_t i = 0; i < a->n_sample_types; i++)
        if (!streq(a->sample_types[i].type, b->sample_types[i].type) ||
            !streq(a->sample_types[i].unit, b->sample_types[i].unit))
            DIFF("sample type %zu", i);
    if (!streq(a->period_type.type, b->period_type.type) ||
        !streq(a->period_type.unit, b->period_type.unit) || a->period != b->period ||
        a->time_nanos != b->time_nanos || a->duration_nanos != b->duration_nanos ||
        !streq(a->drop_frames, b->drop_frames) || !streq(a->keep_frames, b->keep_frames) ||
        !streq(a->default_sample_type, b->default_sample_type))
        DIFF("header fields differ");
    for (size_t i = 0; i < a->n_comments; i++)
        if (!streq(a->comments[i], b->comments[i]))
            DIFF("comment %zu", i);
    for (size_t i = 0; i < a->n_mappings; i++) {
        const pw_mapping_t *x = &a->mappings[i], *y = &b->mappings[i];
        if (x->id != y->id || x->start != y->start || x->limit != y->limit ||
            x->offset != y->offset || !streq(x->file, y->file) || !streq(x->build_id, y->build_id))
            DIFF("mapping %zu", i);
    }
    for (size_t i = 0; i < a->n_functions; i++) {
        const pw_function_t *x = &a->functions[i], *y = &b->functions[i];
        if (x->id != y->id || x->start_line != y->start_line || !streq(x->name, y->name) ||
            !streq(x->system_name, y->system_name) || !streq(x->filename, y->filename))
            DIFF("function %zu", i);
    }
    for (size_t i = 0; i < a->n_locations; i++) {
        const pw_location_t *x = &a->locations[i], *y = &b->locations[i];
        if (x->id != y->id || x->address != y->address || x->mapping != y->mapping ||
            x->n_lines != y->n_lines)
            DIFF("location %zu", i);
        for (uint32_t k = 0; k < x->n_lines; k++)
            if (x->lines[k].function != y->lines[k].function ||
                x->lines[k].line != y->lines[k].line)
                DIFF("location %zu line %u", i, k);
    }
    for (size_t i = 0; i < a->n_samples; i++) {
        const pw_sample_t *x = &a->samples[i], *y = &b->samples[i];
        if (x->n_locs != y->n_locs || x->n_labels != y->n_labels)
            DIFF("sample %zu shape", i);
        if (x->n_locs && memcmp(x->locs, y->locs, x->n_locs * sizeof(uint32_t)) != 0)
            DIFF("sample %zu locations", i);
        if (a->n_sample_types &&
            memcmp(x->values, y->values, a->n_sample_types * sizeof(int64_t)) != 0)
            DIFF("sample %zu values", i);
        for (uint32_t k = 0; k < x->n_labels; k++) {
            const pw_label_t *l = &x->labels[k], *m = &y->labels[k];
            if (!streq(l->key, m->key) || !streq(l->str, m->str) || l->num != m->num ||
                !streq(l->num_unit, m->num_unit))
                DIFF("sample %zu label %u", i, k);
        }
    }
    return 1;
}
