#include "profwatch/units.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *canonical;
    const char *aliases[4];
    double factor;
} unit_t;

typedef struct {
    unit_t def;
    unit_t units[9];
    int n;
} unit_type_t;

/* Same tables, same order and same factors as pprof's measurement package, so
 * that every floating-point step rounds the same way. */
static const unit_type_t unit_types[] = {
    {.def = {"B", {"b", "byte"}, 1},
     .units = {{"B", {"b", "byte"}, 1},
               {"kB", {"kb", "kbyte", "kilobyte"}, 1024.0},
               {"MB", {"mb", "mbyte", "megabyte"}, 1048576.0},
               {"GB", {"gb", "gbyte", "gigabyte"}, 1073741824.0},
               {"TB", {"tb", "tbyte", "terabyte"}, 1099511627776.0},
               {"PB", {"pb", "pbyte", "petabyte"}, 1125899906842624.0}},
     .n = 6},
    {.def = {"s", {NULL}, 1e9},
     .units = {{"ns", {"ns", "nanosecond"}, 1},
               {"us", {"\xce\xbcs", "us", "microsecond"}, 1e3},
               {"ms", {"ms", "millisecond"}, 1e6},
               {"s", {"s", "sec", "second"}, 1e9},
               {"hrs", {"hour", "hr"}, 3600e9}},
     .n = 5},
    {.def = {"GCU", {NULL}, 1.0},
     .units = {{"n*GCU", {"nanogcu"}, 1e-9},
               {"u*GCU", {"microgcu"}, 1e-6},
               {"m*GCU", {"milligcu"}, 1e-3},
               {"GCU", {"gcu"}, 1},
               {"k*GCU", {"kilogcu"}, 1e3},
               {"M*GCU", {"megagcu"}, 1e6},
               {"G*GCU", {"gigagcu"}, 1e9},
               {"T*GCU", {"teragcu"}, 1e12},
               {"P*GCU", {"petagcu"}, 1e15}},
     .n = 9},
};
#define N_TYPES (sizeof(unit_types) / sizeof(unit_types[0]))

/* Lower-cases and drops one trailing 's' from names longer than two bytes, the
 * way pprof tolerates "bytes" and "nanoseconds". */
static const unit_t *sniff(const unit_type_t *ut, const char *name)
{
    char low[64];
    size_t n = strlen(name);
    if (n >= sizeof(low))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        low[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    if (n > 2 && low[n - 1] == 's')
        n--;
    low[n] = '\0';
    for (int i = 0; i < ut->n; i++)
        for (int k = 0; k < 4 && ut->units[i].aliases[k] != NULL; k++)
            if (strcmp(ut->units[i].aliases[k], low) == 0)
                return &ut->units[i];
    return NULL;
}

static int convert(const unit_type_t *ut, int64_t value, const char *from, const char *to,
                   double *out, const char **unit_out)
{
    const unit_t *fu = sniff(ut, from);
    if (fu == NULL)
        return 0;
    double v = (double)value * fu->factor;
    if (strcmp(to, "minimum") == 0 || strcmp(to, "auto") == 0) {
        double f = 0;
        const char *name = NULL;
        for (int i = 0; i < ut->n; i++) {
            if (ut->units[i].factor >= f && (v / ut->units[i].factor) >= 1.0) {
                f = ut->units[i].factor;
                name = ut->units[i].canonical;
            }
        }
        if (f != 0) {
            *out = v / f;
            *unit_out = name;
            return 1;
        }
        *out = v / ut->def.factor;
        *unit_out = ut->def.canonical;
        return 1;
    }
    const unit_t *tu = sniff(ut, to);
    if (tu == NULL) {
        *out = v / ut->def.factor;
        *unit_out = ut->def.canonical;
        return 1;
    }
    *out = v / tu->factor;
    *unit_out = tu->canonical;
    return 1;
}

double pw_units_scale(int64_t value, const char *from, const char *to, const char **unit_out)
{
    if (value < 0 && value != INT64_MIN) {
        double v = pw_units_scale(-value, from, to, unit_out);
        return -v;
    }
    for (size_t i = 0; i < N_TYPES; i++) {
        double v;
        if (convert(&unit_types[i], value, from, to, &v, unit_out))
            return v;
    }
    if (strcmp(to, "count") == 0 || strcmp(to, "sample") == 0 || strcmp(to, "unit") == 0 ||
        strcmp(to, "minimum") == 0 || strcmp(to, "auto") == 0)
        *unit_out = "";
    else
        *unit_out = to;
    return (double)value;
}

void pw_units_label(char *out, size_t n, int64_t value, const char *from, const char *to)
{
    const char *unit;
    double v = pw_units_scale(value, from, to, &unit);
    char num[64];
    snprintf(num, sizeof(num), "%.2f", v);
    size_t len = strlen(num);
    if (len >= 3 && strcmp(num + len - 3, ".00") == 0)
        num[len - 3] = '\0';
    if (strcmp(num, "0") == 0 || strcmp(num, "-0") == 0) {
        snprintf(out, n, "0");
        return;
    }
    snprintf(out, n, "%s%s", num, unit);
}

void pw_units_percent(char *out, size_t n, int64_t value, int64_t total)
{
    double ratio = 0;
    if (total != 0)
        ratio = fabs((double)value / (double)total) * 100;
    if (ratio >= 99.95 && ratio <= 100.05)
        snprintf(out, n, "  100%%");
    else if (ratio >= 1.0)
        snprintf(out, n, "%5.2f%%", ratio);
    else
        snprintf(out, n, "%5.2g%%", ratio);
}

int pw_units_is_time(const char *unit)
{
    return sniff(&unit_types[1], unit) != NULL;
}
