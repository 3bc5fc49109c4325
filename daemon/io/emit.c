/* The emitter: every metric, service check and event goes to every sink;
 * a sink that refuses one is counted, and the others still get it. */
#include <stdlib.h>

#include "profwatch/sink.h"

void pw_emit_metric(pw_emitter_t *e, const pw_metric_t *m)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->sinks[i]->ops->metric(e->sinks[i], m) != 0)
            e->sinks[i]->stats.errors++;
}

void pw_emit_service_check(pw_emitter_t *e, const pw_service_check_t *c)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->sinks[i]->ops->service_check(e->sinks[i], c) != 0)
            e->sinks[i]->stats.errors++;
}

void pw_emit_event(pw_emitter_t *e, const pw_event_t *ev)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->sinks[i]->ops->event(e->sinks[i], ev) != 0)
            e->sinks[i]->stats.errors++;
}

void pw_emit_flush(pw_emitter_t *e)
{
    for (size_t i = 0; i < e->n; i++)
        e->sinks[i]->ops->flush(e->sinks[i]);
}

void pw_emit_reopen(pw_emitter_t *e)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->sinks[i]->ops->reopen)
            e->sinks[i]->ops->reopen(e->sinks[i]);
}

void pw_emit_stop(pw_emitter_t *e)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->sinks[i]->ops->stop)
            e->sinks[i]->ops->stop(e->sinks[i]);
}

void pw_emitter_destroy(pw_emitter_t *e)
{
    for (size_t i = 0; i < e->n; i++)
        e->sinks[i]->ops->destroy(e->sinks[i]);
    free(e->sinks);
    e->sinks = NULL;
    e->n = 0;
}
