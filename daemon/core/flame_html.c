/* The flame graph page: inline SVG drawn here, so that the graphs show where
 * scripts do not run, and a small script for hover, zoom and search. */
#include "profwatch/flame.h"

#include <stdio.h>
#include <string.h>

#include "profwatch/hmap.h"
#include "profwatch/html.h"
#include "profwatch/json.h"
#include "profwatch/units.h"

/* Frame rows: 15 px of colour and a 1 px gap. */
#define ROW 16
/* Boxes narrower than this many pixels hide their label (class "n"): two
 * characters clipped to a sliver read as noise. The script keeps the class
 * up to date as the page width and the zoom change. */
#define LABEL_MIN_PX 18
#define STR_(x) #x
#define STR(x) STR_(x)

/* The page's own style. Everything is scoped under pwf- names so that a
 * report can add its own rules around the sections. */
static const char css[] =
    "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin:1.6em 0 .2em}"
    ".pwf p{margin:.2em 0}.pwf-sum{color:#555}"
    ".pwf-bar{margin:.4em 0;display:flex;gap:.6em;align-items:center;flex-wrap:wrap}"
    ".pwf-search{width:22em;padding:2px 4px}.pwf-match{color:#555}"
    ".pwf-legend{display:flex;gap:.5em;align-items:center;font-size:.9em;margin:.3em 0}"
    ".pwf-grad{display:inline-block;width:14em;height:.9em;border:1px solid #999}"
    ".pwf-svg{display:block;font:12px ui-monospace,Menlo,Consolas,monospace;"
    "background:#fafafa;border:1px solid #e4e4e4}"
    ".pwf-svg>svg{cursor:pointer}.pwf-svg>svg:hover rect{stroke:#000;stroke-width:1}"
    ".pwf-svg text{fill:#000;pointer-events:none}"
    ".pwf-svg .pwf-hl rect{fill:#e254e8}.pwf-svg .pwf-anc{opacity:.6}"
    ".pwf-svg .pwf-hide,.pwf-svg .n text{display:none}"
    ".pwf-tip{position:fixed;display:none;max-width:44em;padding:4px 7px;background:#fff;"
    "border:1px solid #888;box-shadow:1px 2px 5px rgba(0,0,0,.25);font:12px/1.35 "
    "ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all;"
    "pointer-events:none;z-index:10}";

/* Hover, zoom and search for every section on the page. Frames are the
 * nested <svg> elements in pre-order; the section's JSON gives each frame's
 * exact x, width (v), depth (d), full name (n[k]) and tooltip line (t). */
/* clang-format off */
static const char script[] =
    "(function(){'use strict';\n"
    "var tip=document.createElement('div');tip.className='pwf-tip';"
    "document.body.appendChild(tip);\n"
    "function pc(a,b){return b>0?(100*a/b).toFixed(2)+'%':'0%';}\n"
    "function setup(sec){\n"
    " var data=JSON.parse(sec.querySelector('.pwf-data').textContent);\n"
    " var svg=sec.querySelector('.pwf-svg');if(!svg)return;\n"
    " var fr=svg.children,n=fr.length,X=data.x,V=data.v,D=data.d,T=data.t,N=data.n,K=data.k;\n"
    " var total=V[0]||1;\n"
    " var P=[],st=[],ix=new Map(),j;\n"
    " for(j=0;j<n;j++){st[D[j]]=j;P[j]=D[j]>0?st[D[j]-1]:-1;ix.set(fr[j],j);}\n"
    " function name(j){return N[K[j]];}\n"
    " function zoom(i){\n"
    "  var x0=X[i],w=V[i],d0=D[i],W=svg.getBoundingClientRect().width,px=W/w;\n"
    "  for(var j=0;j<n;j++){var e=fr[j],c=e.classList;\n"
    "   if(D[j]>=d0&&X[j]>=x0&&X[j]+V[j]<=x0+w){\n"
    "    e.setAttribute('x',(100*(X[j]-x0)/w)+'%');e.setAttribute('width',(100*V[j]/w)+'%');\n"
    "    c.remove('pwf-hide');c.remove('pwf-anc');if(W>0)c.toggle('n',V[j]*px<" STR(LABEL_MIN_PX) ");\n"
    "   }else if(D[j]<d0&&X[j]<=x0&&X[j]+V[j]>=x0+w){\n"
    "    e.setAttribute('x','0%');e.setAttribute('width','100%');\n"
    "    c.remove('pwf-hide');c.remove('n');c.toggle('pwf-anc',i!==0);\n"
    "   }else c.add('pwf-hide');}\n"
    "  sec.setAttribute('data-zoom',i);\n"
    " }\n"
    " zoom(0);addEventListener('resize',function(){zoom(+sec.getAttribute('data-zoom'));});\n"
    " svg.addEventListener('click',function(ev){\n"
    "  var e=ev.target.closest('svg');if(ix.has(e))zoom(ix.get(e));});\n"
    " svg.addEventListener('mousemove',function(ev){\n"
    "  var e=ev.target.closest('svg');\n"
    "  if(!ix.has(e)){tip.style.display='none';return;}\n"
    "  var j=ix.get(e);tip.textContent=name(j)+'\\n'+T[j];tip.style.display='block';\n"
    "  var r=tip.getBoundingClientRect(),x=ev.clientX+14,y=ev.clientY+16;\n"
    "  if(x+r.width>innerWidth)x=Math.max(0,ev.clientX-r.width-8);\n"
    "  if(y+r.height>innerHeight)y=Math.max(0,ev.clientY-r.height-8);\n"
    "  tip.style.left=x+'px';tip.style.top=y+'px';});\n"
    " svg.addEventListener('mouseleave',function(){tip.style.display='none';});\n"
    " sec.querySelector('.pwf-reset').addEventListener('click',function(){zoom(0);});\n"
    " var box=sec.querySelector('.pwf-search'),out=sec.querySelector('.pwf-match');\n"
    " function search(){\n"
    "  var q=box.value,re=null,hit=[],sum=0,cnt=0;\n"
    "  if(q){try{re=new RegExp(q,'i');}catch(err){\n"
    "   re=new RegExp(q.replace(/[.*+?^${}()|[\\]\\\\]/g,'\\\\$&'),'i');}}\n"
    "  for(var j=0;j<n;j++){var m=j>0&&re!==null&&re.test(name(j));\n"
    "   hit[j]=m||(P[j]>=0&&hit[P[j]]);fr[j].classList.toggle('pwf-hl',m);\n"
    "   if(m){cnt++;if(!(P[j]>=0&&hit[P[j]]))sum+=V[j];}}\n"
    "  out.textContent=re?cnt+(cnt===1?' frame matches, ':' frames match, ')+\n"
    "   pc(sum,total)+' of the total':'';\n"
    " }\n"
    " box.addEventListener('input',search);\n"
    " box.addEventListener('keydown',function(ev){if(ev.key==='Escape'){box.value='';search();}});\n"
    " if(box.value)search();\n"
    "}\n"
    "document.querySelectorAll('section.pwf').forEach(function(s){"
    "if(s.querySelector('.pwf-data'))setup(s);});\n"
    "})();\n";
/* clang-format on */

int pw_flame_html_begin(pw_buf_t *out, const char *title)
{
    return pw_flame_html_begin_css(out, title, NULL);
}

int pw_flame_html_begin_css(pw_buf_t *out, const char *title, const char *extra_css)
{
    /* The policy forbids every fetch: the page must work offline, and a
     * profile's strings must never reach the network. */
    pw_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                     "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
                     "<title>");
    pw_html_escape(out, title);
    pw_buf_printf(out, "</title>\n<style>%s%s</style>\n</head>\n<body>\n<h1>", css,
                  extra_css ? extra_css : "");
    pw_html_escape(out, title);
    pw_buf_puts(out, "</h1>\n");
    return out->oom ? PW_ENOMEM : 0;
}

int pw_flame_html_end(pw_buf_t *out)
{
    pw_buf_printf(out, "<script>\n%s</script>\n</body>\n</html>\n", script);
    return out->oom ? PW_ENOMEM : 0;
}

/* The name drawn in a box: without the import path, as pprof shortens it
 * ("github.com/x/pkg.(*T).M" is drawn "pkg.(*T).M"); hover shows it whole. */
static const char *short_name(const char *name)
{
    const char *s = name;
    for (const char *p = name; *p != '\0'; p++) {
        char c = *p;
        if (c == '/')
            s = p + 1;
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '_' || c == '-' || c == '.'))
            break;
    }
    return *s != '\0' ? s : name;
}

/* A percentage with at most 3 decimals (1/80 px at 1200 px), no trailing
 * zeros: most of the page's bytes are these. */
static void put_pct(pw_buf_t *out, int64_t part, int64_t whole)
{
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%.3f", whole > 0 ? 100.0 * (double)part / (double)whole : 0.0);
    size_t n = strlen(tmp);
    while (n > 0 && tmp[n - 1] == '0')
        n--;
    if (n > 0 && tmp[n - 1] == '.')
        n--;
    pw_buf_append(out, tmp, n);
    pw_buf_putc(out, '%');
}

static void share(char *out, size_t n, int64_t value, int64_t total)
{
    char tmp[32];
    pw_units_percent(tmp, sizeof(tmp), value, total);
    const char *p = tmp;
    while (*p == ' ')
        p++;
    snprintf(out, n, "%s", p);
}

/* "+1.50MB", "-300kB", "0". */
static void delta_label(char *out, size_t n, int64_t d, const char *unit)
{
    char tmp[64];
    pw_units_label(tmp, sizeof(tmp), d, unit, "auto");
    snprintf(out, n, "%s%s", d > 0 ? "+" : "", tmp);
}

/* The tooltip line under the function name. */
static void tooltip(pw_buf_t *line, const pw_flame_t *t, const pw_flame_frame_t *f)
{
    char v[64], pct[32], b[64], d[64];
    pw_buf_reset(line);
    if (f->n_merged > 0)
        pw_buf_printf(line, "%u frames, each narrower than a pixel: ", f->n_merged);
    pw_units_label(v, sizeof(v), f->value, t->sample_unit, "auto");
    share(pct, sizeof(pct), f->value, t->frames[0].value);
    pw_buf_printf(line, "%s %s (%s)", t->sample_type, v, pct);
    if (f->n_merged == 0 && f->self != 0 && f->self != f->value) {
        pw_units_label(v, sizeof(v), f->self, t->sample_unit, "auto");
        pw_buf_printf(line, ", self %s", v);
    }
    if (t->is_diff) {
        pw_units_label(b, sizeof(b), f->base, t->sample_unit, "auto");
        delta_label(d, sizeof(d), f->value - f->base, t->sample_unit);
        pw_buf_printf(line, "\nbase %s, change %s", b, f->value == f->base ? "none" : d);
    }
}

/* Copies JSON into a <script> element: "<" only occurs inside strings, and
 * as \u003c it cannot close the element or open a comment. */
static void put_script_json(pw_buf_t *out, const pw_buf_t *json)
{
    const char *p = json->data, *end = json->data + json->len;
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        size_t n = lt ? (size_t)(lt - p) : (size_t)(end - p);
        pw_buf_append(out, p, n);
        if (lt == NULL)
            break;
        pw_buf_puts(out, "\\u003c");
        p = lt + 1;
    }
}

static void legend(pw_buf_t *out, const pw_flame_t *t)
{
    if (!t->is_diff) {
        pw_buf_puts(out, "<p class=\"pwf-legend\">Width: share of ");
        pw_html_escape(out, t->sample_type);
        pw_buf_puts(out, ". Colour: the function's package. Click a frame to zoom in.</p>\n");
        return;
    }
    char lo[64], hi[64], c[8];
    delta_label(lo, sizeof(lo), -t->max_delta, t->sample_unit);
    delta_label(hi, sizeof(hi), t->max_delta, t->sample_unit);
    pw_buf_puts(out, "<p class=\"pwf-legend\"><span>shrank ");
    pw_html_escape(out, t->max_delta ? lo : "0");
    pw_buf_puts(out, "</span><span class=\"pwf-grad\" style=\"background:linear-gradient(to right");
    /* Stops sampled from the colour function itself, so the bar is the scale. */
    for (int i = -8; i <= 8; i++) {
        pw_flame_diff_color(i / 8.0, c);
        pw_buf_printf(out, ",%s %.2f%%", c, (i + 8) * 100.0 / 16);
    }
    pw_buf_puts(out, ")\"></span><span>grew ");
    pw_html_escape(out, t->max_delta ? hi : "0");
    pw_buf_puts(out, "</span><span>&nbsp;Width: ");
    pw_html_escape(out, t->sample_type);
    pw_buf_puts(out, " now. Colour: change against the base (grey: unchanged).</span></p>\n");
}

static void summary(pw_buf_t *out, const pw_flame_t *t)
{
    const pw_flame_frame_t *r = &t->frames[0];
    char v[64], b[64], d[64];
    pw_units_label(v, sizeof(v), r->value, t->sample_unit, "auto");
    pw_buf_puts(out, "<p class=\"pwf-sum\">");
    pw_html_escape(out, t->sample_type);
    pw_buf_puts(out, ": ");
    pw_html_escape(out, v);
    if (t->is_diff) {
        pw_units_label(b, sizeof(b), r->base, t->sample_unit, "auto");
        delta_label(d, sizeof(d), r->value - r->base, t->sample_unit);
        pw_buf_puts(out, " now, ");
        pw_html_escape(out, b);
        pw_buf_puts(out, " in the base (");
        pw_html_escape(out, d);
        pw_buf_puts(out, ")");
    } else {
        pw_buf_puts(out, " in total");
    }
    size_t merged = 0;
    for (size_t i = 0; i < t->n_frames; i++)
        merged += t->frames[i].n_merged > 0;
    pw_buf_printf(out, " &middot; %zu frames", t->n_full);
    if (merged > 0)
        pw_buf_printf(out,
                      ", %zu drawn: frames narrower than a pixel at %u px are merged into one "
                      "&hellip; per caller",
                      t->n_frames - 1 - merged, t->width);
    pw_buf_puts(out, "</p>\n");
}

int pw_flame_html_section(pw_buf_t *out, const pw_flame_t *t, const char *id, const char *title,
                          const char *note)
{
    pw_buf_t line, json;
    pw_json_t j;
    char color[8];

    pw_buf_puts(out, "<section class=\"pwf\" id=\"");
    pw_html_escape(out, id);
    pw_buf_puts(out, "\">\n<h2>");
    pw_html_escape(out, title);
    pw_buf_puts(out, "</h2>\n");
    if (note != NULL && note[0] != '\0') {
        pw_buf_puts(out, "<p class=\"pwf-note\">");
        pw_html_escape(out, note);
        pw_buf_puts(out, "</p>\n");
    }
    if (t->n_frames == 0 || t->frames[0].value == 0) {
        pw_buf_puts(out, "<p class=\"pwf-sum\">No samples: ");
        pw_html_escape(out, t->sample_type);
        pw_buf_puts(out, " is zero everywhere, so there is nothing to draw.</p>\n</section>\n");
        return out->oom ? PW_ENOMEM : 0;
    }
    summary(out, t);
    pw_buf_puts(out, "<div class=\"pwf-bar\"><button type=\"button\" class=\"pwf-reset\">Reset "
                     "zoom</button><input type=\"search\" class=\"pwf-search\" "
                     "placeholder=\"Search functions (regular expression)\" "
                     "aria-label=\"Search functions\"><span class=\"pwf-match\"></span></div>\n");
    legend(out, t);

    pw_buf_printf(out,
                  "<svg class=\"pwf-svg\" xmlns=\"http://www.w3.org/2000/svg\" width=\"100%%\" "
                  "height=\"%u\" role=\"img\" aria-label=\"flame graph\">\n",
                  (t->max_depth + 1) * ROW);
    pw_buf_init(&line);
    pw_buf_init(&json);
    pw_json_init(&j, &json, 0);
    pw_json_obj_begin(&j);
    const char *cols[3] = {"x", "v", "d"};
    for (int c = 0; c < 3; c++) {
        pw_json_key(&j, cols[c]);
        pw_json_arr_begin(&j);
        for (size_t i = 0; i < t->n_frames; i++) {
            const pw_flame_frame_t *f = &t->frames[i];
            pw_json_int(&j, c == 0 ? f->x : c == 1 ? f->value : f->depth);
        }
        pw_json_arr_end(&j);
    }
    /* Full names once each: the frames of one function share its string. */
    pw_hmap64_t seen;
    int rc = pw_hmap64_init(&seen, 256);
    uint32_t n_names = 0;
    pw_json_key(&j, "n");
    pw_json_arr_begin(&j);
    for (size_t i = 0; rc == 0 && i < t->n_frames; i++) {
        uint32_t k = pw_hmap64_put(&seen, (uintptr_t)t->frames[i].name, n_names);
        if (k == PW_HMAP_NONE)
            rc = PW_ENOMEM;
        else if (k == n_names) {
            n_names++;
            pw_json_str(&j, t->frames[i].name);
        }
    }
    pw_json_arr_end(&j);
    pw_json_key(&j, "k");
    pw_json_arr_begin(&j);
    for (size_t i = 0; rc == 0 && i < t->n_frames; i++)
        pw_json_uint(&j, pw_hmap64_get(&seen, (uintptr_t)t->frames[i].name));
    pw_json_arr_end(&j);
    pw_hmap64_free(&seen);

    pw_json_key(&j, "t");
    pw_json_arr_begin(&j);
    int64_t total = t->frames[0].value;
    double page_px = t->width ? t->width : PW_FLAME_DEFAULT_WIDTH;
    for (size_t i = 0; rc == 0 && i < t->n_frames; i++) {
        const pw_flame_frame_t *f = &t->frames[i];
        pw_flame_color(t, f, color);
        pw_buf_puts(out, (double)f->value * page_px < LABEL_MIN_PX * (double)total
                             ? "<svg class=\"n\" x=\""
                             : "<svg x=\"");
        put_pct(out, f->x, total);
        pw_buf_printf(out, "\" y=\"%u\" width=\"", f->depth * ROW);
        put_pct(out, f->value, total);
        pw_buf_printf(out,
                      "\" height=\"%d\"><rect width=\"100%%\" height=\"100%%\" fill=\"%s\"/>"
                      "<text x=\"3\" y=\"11\">",
                      ROW - 1, color);
        pw_html_escape(out, short_name(f->name));
        pw_buf_puts(out, "</text></svg>\n");
        tooltip(&line, t, f);
        pw_json_strn(&j, line.data ? line.data : "", line.len);
    }
    pw_json_arr_end(&j);
    pw_json_obj_end(&j);
    pw_buf_puts(out, "</svg>\n<script type=\"application/json\" class=\"pwf-data\">");
    put_script_json(out, &json);
    pw_buf_puts(out, "</script>\n</section>\n");
    if (rc != 0 || line.oom || json.oom)
        out->oom = 1;
    pw_buf_free(&line);
    pw_buf_free(&json);
    return out->oom ? PW_ENOMEM : 0;
}
