/* The analysis of one agent's profiles, per process (core, trace, process,
 * security-agent, system-probe): the heap diff between two snapshots, the CPU,
 * block and mutex tables, the rules applied to them, the findings with their
 * owners, and the verdict. Shared by `profwatch analyze` (profiles read from a
 * flare) and the daemon (profiles it scraped and wrote as a capture).
 *
 * Ownership: the analysis copies every string it keeps into its own arena, so
 * the input profiles can be freed as soon as pw_analyze returns. */
#ifndef PW_ANALYSIS_H
#define PW_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/arena.h"
#include "profwatch/err.h"
#include "profwatch/owners.h"
#include "profwatch/pprof.h"
#include "profwatch/rules.h"

#define PW_MAX_PROCS 8
#define PW_MAX_FINDINGS 32
#define PW_MAX_NOTES 64
#define PW_TOP_ROWS 10

/* The profiles a flare holds per process. */
typedef enum { PW_PK_HEAP1, PW_PK_HEAP2, PW_PK_CPU, PW_PK_BLOCK, PW_PK_MUTEX, PW_PK_COUNT } pw_pk_t;

/* "1st-heap", "2nd-heap", "cpu", "block", "mutex": the flare's file suffixes. */
const char *pw_pk_suffix(pw_pk_t k);

typedef struct {
    const char *name;                      /* the process's flare prefix: "core" */
    const pw_profile_t *prof[PW_PK_COUNT]; /* borrowed; NULL when absent or unreadable */
    const char *file[PW_PK_COUNT];         /* file names, for the report */
    const char *error[PW_PK_COUNT];        /* why a present file could not be read */
    int64_t trace_bytes;                   /* size of <name>.trace; -1 when absent */
} pw_proc_input_t;

typedef enum {
    PW_VERDICT_NORMAL,
    PW_VERDICT_LEAK,
    PW_VERDICT_CPU,
    PW_VERDICT_CONTENTION,
    PW_VERDICT_MULTIPLE,
} pw_verdict_t;

/* "normal", "memory_leak", "cpu_spike", "contention", "multiple" */
const char *pw_verdict_name(pw_verdict_t v);
/* "Normal", "Memory Leak", "CPU Spike", "Contention", "Multiple Issues" */
const char *pw_verdict_title(pw_verdict_t v);

typedef struct {
    const char *name;
    int64_t flat, cum, attr;
    double flat_pct, cum_pct; /* of the section's total, absolute */
} pw_row_t;

/* One table of a process: heap diff, CPU, block or mutex. */
typedef struct {
    int present;         /* a profile was read for it */
    const char *files;   /* the file(s) it came from */
    const char *problem; /* a file that could not be read, or why it is empty */
    const char *sample_type;
    const char *unit;
    int64_t total; /* the sample total (the base's total in a diff) */
    size_t n_rows;
    pw_row_t rows[PW_TOP_ROWS];
    const char *text; /* the rows as `profwatch top`/`diff` print them */
    pw_rule_result_t rule;
    const char *top_name; /* rule.top's name, copied */
} pw_section_t;

typedef struct {
    const char *name;
    pw_section_t heap; /* the diff of 2nd against 1st heap, or one snapshot */
    int heap_is_diff;
    double heap_gap_s;   /* seconds between the snapshots; 0 when unknown */
    int64_t heap_growth; /* all growth, runtime included (bytes) */
    pw_section_t cpu, block, mutex;
    int64_t trace_bytes;
} pw_proc_report_t;

typedef struct {
    pw_verdict_t kind;   /* LEAK, CPU or CONTENTION */
    const char *profile; /* "heap", "cpu", "block" or "mutex" */
    const char *process;
    const char *function;
    int64_t value;      /* the function's attributed value */
    const char *unit;   /* "bytes" or "nanoseconds" */
    const char *detail; /* the rule's sentence */
    const char *owner;
    const char *meaning;
    const char *escalate;
} pw_finding_t;

typedef struct pw_analysis {
    pw_arena_t *arena;
    size_t n_procs;
    pw_proc_report_t procs[PW_MAX_PROCS];
    size_t n_findings;
    pw_finding_t findings[PW_MAX_FINDINGS];
    pw_verdict_t verdict;
    int profiles_found; /* at least one profile was read */
    size_t n_notes;
    const char *notes[PW_MAX_NOTES]; /* things the reader should know (files broken, ...) */
} pw_analysis_t;

/* Analyses the processes; rules NULL: the seed's defaults; owners NULL: every
 * owner is Unknown (pw_owners_create gives the built-in table). Returns NULL
 * only when out of memory (err set). */
pw_analysis_t *pw_analyze(const pw_proc_input_t *procs, size_t n_procs, const pw_rules_t *rules,
                          const pw_owners_t *owners, pw_err_t *err);
void pw_analysis_destroy(pw_analysis_t *a);

/* Adds a note (copied). */
void pw_analysis_note(pw_analysis_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
