/* pw_flame_page OUT.html CPU HEAP_BASE HEAP_NEW: writes a page the way a
 * report does, for the browser test: the report's own HTML first (with text
 * that needs escaping), then a CPU flame graph (section id "cpu") and a
 * differential heap flame graph (section id "heap") on one page. */
#include <stdio.h>

#include "profwatch/flame.h"
#include "profwatch/html.h"

static pw_profile_t *load(const char *path)
{
    pw_profile_t *p = NULL;
    pw_err_t err = {0};
    if (pw_pprof_load_file(path, NULL, &p, &err) != 0)
        fprintf(stderr, "pw_flame_page: %s\n", err.msg);
    return p;
}

static pw_flame_t *tree(const pw_profile_t *p, const pw_profile_t *base)
{
    pw_flame_t *t = NULL;
    pw_err_t err = {0};
    if (p != NULL && pw_flame_build(p, base, NULL, &t, &err) != 0)
        fprintf(stderr, "pw_flame_page: %s\n", err.msg);
    return t;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: pw_flame_page OUT.html CPU HEAP_BASE HEAP_NEW\n");
        return 2;
    }
    int rc = 1;
    pw_profile_t *cpu = load(argv[2]), *base = load(argv[3]), *cur = load(argv[4]);
    pw_flame_t *tc = tree(cpu, NULL), *th = base ? tree(cur, base) : NULL;
    pw_buf_t page;
    pw_buf_init(&page);
    if (tc == NULL || th == NULL)
        goto done;
    pw_flame_html_begin(&page, "profwatch: test-host <1> & \"co\"");
    pw_buf_puts(&page, "<h2>Verdict</h2>\n<p id=\"verdict\">");
    pw_html_escape(&page, "Memory Leak in <core> & friends, owned by \"agent-metrics\"");
    pw_buf_puts(&page, "</p>\n");
    pw_flame_html_section(&page, th, "heap", "core: heap growth (inuse_space)",
                          "between the 1st and the 2nd heap snapshot");
    pw_flame_html_section(&page, tc, "cpu", "core: CPU", NULL);
    if (pw_flame_html_end(&page) != 0) {
        fprintf(stderr, "pw_flame_page: out of memory\n");
        goto done;
    }
    FILE *f = fopen(argv[1], "wb");
    if (f == NULL) {
        perror(argv[1]);
        goto done;
    }
    int written = fwrite(page.data, 1, page.len, f) == page.len;
    if (fclose(f) != 0 || !written) {
        perror(argv[1]);
        goto done;
    }
    rc = 0;
done:
    pw_buf_free(&page);
    pw_flame_destroy(tc);
    pw_flame_destroy(th);
    pw_profile_destroy(cpu);
    pw_profile_destroy(base);
    pw_profile_destroy(cur);
    return rc;
}
