/* Flame graphs: the call stacks of a profile as a tree, and an HTML renderer
 * that draws one or more trees as inline SVG in one self-contained page.
 *
 * The tree is function-level, like `go tool pprof`'s nodes: every line of a
 * location is a frame of its own (inlined calls are expanded), and frames are
 * named as pw_graph names them. Unlike the graph, a function that recurses
 * appears once per level: a flame graph draws stacks, not functions.
 *
 * A differential tree comes from a pair (NEW, BASE): a frame's width is NEW's
 * value and it also carries BASE's value on the same stack, so that its colour
 * can say whether it grew or shrank. Stacks that only BASE has are zero wide:
 * they are not drawn, and their value shows only in their callers' BASE value.
 *
 * Ownership: pw_flame_build() returns a tree the caller frees with
 * pw_flame_destroy(). Its strings live as long as it does (or are static):
 * it does not point into the profiles, which may be destroyed first. */
#ifndef PW_FLAME_H
#define PW_FLAME_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/arena.h"
#include "profwatch/buf.h"
#include "profwatch/err.h"
#include "profwatch/pprof.h"

/* The page width a graph is drawn for, in CSS pixels: the narrowest frame
 * kept is one pixel wide at this width. */
#define PW_FLAME_DEFAULT_WIDTH 1200u
/* Distinct frames (stack prefixes) a tree may hold before merging, at about
 * 80 bytes of scratch memory each. The largest real profile at hand, a Go CPU
 * profile whose 20,430 samples nearly all have stacks of their own, makes
 * 425,051. */
#define PW_FLAME_DEFAULT_MAX_NODES (1u << 20)
/* The name of a frame that stands for several frames too narrow to draw. */
#define PW_FLAME_MERGED_NAME "\xe2\x80\xa6" /* U+2026 HORIZONTAL ELLIPSIS */

typedef struct {
    const char *name;    /* the function; "root" for frames[0]; PW_FLAME_MERGED_NAME */
    uint32_t parent;     /* index into frames; PW_NONE for the root */
    uint32_t depth;      /* 0 for the root */
    uint32_t n_children; /* they follow in frames[], each after its parent's subtree */
    uint32_t n_merged;   /* for a merged frame: how many frames it stands for; else 0 */
    int64_t x;           /* left edge: the values of the frames drawn before it */
    int64_t value;       /* width: samples through this frame (NEW's in a diff) */
    int64_t self;        /* value not passed to a child: value - sum(children values) */
    int64_t base;        /* diff: BASE's value on the same stack; 0 otherwise */
} pw_flame_frame_t;

typedef struct pw_flame {
    pw_arena_t *arena;
    const char *sample_type; /* e.g. "inuse_space" */
    const char *sample_unit; /* e.g. "bytes" */
    int is_diff;
    unsigned width; /* the width narrow frames were merged for; 0: none merged */

    /* Pre-order: frames[0] is the root, whose value is the total. Each
     * frame's children follow it in order, left to right: by name, then the
     * merged frame last. frames[i].x is frames[parent].x plus the values of
     * the siblings before it, so the widths of a frame's children and its
     * self add up to its value exactly. */
    size_t n_frames;
    pw_flame_frame_t *frames;

    uint32_t max_depth;
    size_t n_full;     /* frames before merging (without the root) */
    int64_t max_delta; /* diff: the largest |value - base| of a frame; 0 otherwise */
} pw_flame_t;

typedef struct {
    const char *sample_index; /* as pw_profile_sample_index(); NULL: the default */
    unsigned width;           /* merge frames under 1/width of the total; 0: keep all */
    size_t max_nodes;         /* 0: PW_FLAME_DEFAULT_MAX_NODES */
} pw_flame_opts_t;

void pw_flame_opts_default(pw_flame_opts_t *o);

/* Builds the tree of prof (borrowed), or the differential tree of prof against
 * base when base is not NULL (the two must be comparable). Samples whose value
 * is zero or negative are left out: a flame graph has no negative widths.
 * Prune drop_frames first (pw_profile_prune) if the caller wants pprof's view.
 * Returns 0, or a negative code with err set: PW_EINVAL for an unknown sample
 * index, incomparable profiles or values that overflow, PW_ETOOBIG past
 * max_nodes, PW_ENOMEM. */
int pw_flame_build(const pw_profile_t *prof, const pw_profile_t *base, const pw_flame_opts_t *opts,
                   pw_flame_t **out, pw_err_t *err);
void pw_flame_destroy(pw_flame_t *t);

/* The fill colour of a frame, "#rrggbb" and a NUL. In a diff: grey when the
 * frame's value equals its base, shading to red as it grew and to blue as it
 * shrank; the shade grows with the square root of |value - base| over the
 * tree's max_delta, so that the paths that changed most stand out and small
 * changes stay visible. Otherwise a warm colour picked from the function's
 * package, so that one package keeps one colour. */
void pw_flame_color(const pw_flame_t *t, const pw_flame_frame_t *f, char out[8]);
/* The diff colour for a change of ratio * max_delta (ratio in [-1, 1]; the
 * sign says grew or shrank): what pw_flame_color uses, for legends. */
void pw_flame_diff_color(double ratio, char out[8]);

/* The HTML page. A page is begin, then any number of sections and any HTML
 * of the caller's own (headings, tables, findings) in any order, then end:
 *
 *     pw_flame_html_begin(&buf, "profwatch: host-1");
 *     pw_buf_puts(&buf, "<h2>Verdict</h2>...");      // escape text: pw_html_escape
 *     pw_flame_html_section(&buf, heap_diff, "core-heap", "core: heap growth", NULL);
 *     pw_flame_html_section(&buf, cpu, "core-cpu", "core: CPU", "30 s profile");
 *     pw_flame_html_end(&buf);
 *
 * The page needs no network: its CSS and script are inline, and the graphs
 * are inline SVG, drawn even where scripts do not run. With the script, hover
 * shows a frame's function, value and share, a click zooms into a frame, a
 * button resets the zoom, and a search box highlights the matching frames.
 *
 * Every function appends to out and returns 0, or PW_ENOMEM once an append
 * failed (out->oom). Section ids must be unique within a page; they are
 * escaped, and so are titles, notes and function names. */
int pw_flame_html_begin(pw_buf_t *out, const char *title);
/* The same, with style rules of the caller's own after the page's (a
 * constant string of CSS, not escaped: never put input in it). */
int pw_flame_html_begin_css(pw_buf_t *out, const char *title, const char *extra_css);
/* note: one line under the title (may be NULL). A tree with a zero total gets
 * a "no samples" line instead of a graph. */
int pw_flame_html_section(pw_buf_t *out, const pw_flame_t *t, const char *id, const char *title,
                          const char *note);
int pw_flame_html_end(pw_buf_t *out);

#endif
