/*
 * Reader adapter: libical (C), as packaged by Debian (libical-dev).
 * Built by scripts/install-interop.sh into interop/build/libical-reader and
 * run through the interop/readers/libical wrapper.
 *
 *   libical-reader FILE.ics
 *
 * Output: one JSON object per VEVENT, sorted by uid then start (see
 * README.md). Diagnostics go to stderr and make the exit status 1:
 *
 *   - every X-LIC-ERROR property that icalparser inserted while parsing
 *     (malformed lines, bad values, unknown value types, ...);
 *   - every X-LIC-ERROR property added by icalrestriction_check(). A calendar
 *     without METHOD is checked as it is (libical then applies its METHOD-less
 *     rules, i.e. plain RFC 5545 rather than iTIP/RFC 5546); we deliberately
 *     do not invent a METHOD such as PUBLISH, since iTIP rules (e.g. ORGANIZER
 *     required in PUBLISH) would flag perfectly valid RFC 5545 files;
 *   - adapter checks, only for what it cannot output otherwise: a TZID that
 *     has no VTIMEZONE in the same VCALENDAR, a VEVENT without (valid)
 *     DTSTART, invalid UTF-8 in text values. A missing UID is printed as
 *     null, not reported (libical does not check UID/DTSTAMP without METHOD).
 *
 * Time conversion uses only the VTIMEZONE components of the file: the TZID
 * parameter is resolved with icalcomponent_get_timezone() on the VCALENDAR
 * (a zone built from the file's VTIMEZONE); unlike
 * icalcomponent_get_dtstart(), which silently falls back to libical's
 * built-in zoneinfo (icaltimezone_get_builtin_timezone*) when the file has no
 * matching VTIMEZONE, this adapter then reports an error.
 *
 * Value formats: UTC instant "YYYY-MM-DDTHH:MM:SSZ"; DATE values
 * "YYYY-MM-DD"; floating DATE-TIME (no TZID, no Z) "YYYY-MM-DDTHH:MM:SS"
 * without Z. DTEND missing but DURATION present: start + duration (added in
 * the start's zone, then converted). Neither: end is null.
 */
#define _POSIX_C_SOURCE 200809L
#include <libical/ical.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct row {
    char *uid;      /* NULL if absent */
    char start[32]; /* "" if absent */
    char end[32];   /* "" if absent */
    char *summary;
    char *location;
};

static struct row *rows;
static size_t nrows, caprows;
static int nerrors;

/* fmt has exactly two %s */
static void diag(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, fmt, a ? a : "", b ? b : "");
    fputc('\n', stderr);
    nerrors++;
}

static char *xstrdup(const char *s)
{
    char *r = strdup(s ? s : "");
    if (!r) {
        perror("strdup");
        exit(2);
    }
    return r;
}

/* Strict UTF-8 check (no overlongs, no surrogates, <= U+10FFFF). */
static int valid_utf8(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s;
        int n;
        unsigned min, cp;
        if (c < 0x80) {
            s++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1; cp = c & 0x1F; min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2; cp = c & 0x0F; min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3; cp = c & 0x07; min = 0x10000;
        } else {
            return 0;
        }
        s++;
        for (int i = 0; i < n; i++, s++) {
            if ((*s & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (*s & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
    }
    return 1;
}

static void json_string(const char *s)
{
    if (!s) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        case '\b': fputs("\\b", stdout); break;
        case '\f': fputs("\\f", stdout); break;
        default:
            if (*p < 0x20)
                printf("\\u%04x", *p);
            else
                putchar(*p);
        }
    }
    putchar('"');
}

static void json_time(const char *s)
{
    if (!*s)
        fputs("null", stdout);
    else
        json_string(s);
}

/* Walk the tree and report every X-LIC-ERROR property; `what` says whether
 * it came from the parser or from icalrestriction_check(). */
static void collect_lic_errors(icalcomponent *c, const char *what)
{
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
         p; p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
        const char *type = NULL;
        icalparameter *t = icalproperty_get_first_parameter(p, ICAL_XLICERRORTYPE_PARAMETER);
        if (t)
            type = icalparameter_enum_to_string(icalparameter_get_xlicerrortype(t));
        fprintf(stderr, "error: libical %s: X-LIC-ERROR in %s%s%s: %s\n", what,
                icalcomponent_kind_to_string(icalcomponent_isa(c)),
                type ? " " : "", type ? type : "", icalproperty_get_xlicerror(p));
        nerrors++;
    }
    for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
         k; k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
        collect_lic_errors(k, what);
}

/* Remove all X-LIC-ERROR properties (used on a clone before the restriction
 * check so that parse errors are not reported twice). */
static void strip_lic_errors(icalcomponent *c)
{
    icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
    while (p) {
        icalproperty *next = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY);
        icalcomponent_remove_property(c, p);
        icalproperty_free(p);
        p = next;
    }
    for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
         k; k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
        strip_lic_errors(k);
}

static void format_time(char out[32], struct icaltimetype t)
{
    if (t.is_date)
        snprintf(out, 32, "%04d-%02d-%02d", t.year, t.month, t.day);
    else
        snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d%s", t.year, t.month, t.day,
                 t.hour, t.minute, t.second, icaltime_is_utc(t) ? "Z" : "");
}

/*
 * Resolve a DTSTART/DTEND property to a time bound to the file's zone (or
 * UTC / floating / date). Returns 0 and reports on failure.
 */
static int resolve(icalcomponent *cal, icalproperty *prop, const char *uid,
                   const char *name, struct icaltimetype *out)
{
    icalvalue *v = icalproperty_get_value(prop);
    if (!v || (icalvalue_isa(v) != ICAL_DATETIME_VALUE && icalvalue_isa(v) != ICAL_DATE_VALUE)) {
        diag("error: adapter: %s of %s is not a DATE or DATE-TIME", name, uid);
        return 0;
    }
    struct icaltimetype t = icalvalue_get_datetime(v);
    if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t)) {
        diag("error: adapter: %s of %s is not a valid time", name, uid);
        return 0;
    }
    icalparameter *tzp = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
    if (tzp && !t.is_date && !icaltime_is_utc(t)) {
        const char *tzid = icalparameter_get_tzid(tzp);
        /* Only the file's own VTIMEZONEs, never icaltimezone_get_builtin_timezone(). */
        icaltimezone *zone = icalcomponent_get_timezone(cal, tzid);
        if (!zone) {
            diag("error: adapter: TZID \"%s\" (used by %s) has no VTIMEZONE in the file", tzid, uid);
            return 0;
        }
        t = icaltime_set_timezone(&t, zone);
        t = icaltime_convert_to_zone(t, icaltimezone_get_utc_timezone());
    }
    *out = t;
    return 1;
}

static void add_event(icalcomponent *cal, icalcomponent *ev)
{
    if (nrows == caprows) {
        caprows = caprows ? 2 * caprows : 64;
        rows = realloc(rows, caprows * sizeof *rows);
        if (!rows) {
            perror("realloc");
            exit(2);
        }
    }
    struct row *r = &rows[nrows++];
    memset(r, 0, sizeof *r);

    icalproperty *p = icalcomponent_get_first_property(ev, ICAL_UID_PROPERTY);
    r->uid = p ? xstrdup(icalproperty_get_uid(p)) : NULL;
    const char *uid = r->uid ? r->uid : "(no UID)";

    p = icalcomponent_get_first_property(ev, ICAL_SUMMARY_PROPERTY);
    r->summary = xstrdup(p ? icalproperty_get_summary(p) : "");
    p = icalcomponent_get_first_property(ev, ICAL_LOCATION_PROPERTY);
    r->location = xstrdup(p ? icalproperty_get_location(p) : "");
    if (!valid_utf8((unsigned char *)r->summary) || !valid_utf8((unsigned char *)r->location) ||
        (r->uid && !valid_utf8((unsigned char *)r->uid)))
        diag("error: adapter: invalid UTF-8 in a text value of %s%s", uid, NULL);

    struct icaltimetype start, end;
    icalproperty *ps = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
    icalproperty *pe = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
    icalproperty *pd = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
    if (!ps) {
        diag("error: adapter: VEVENT %s without DTSTART%s", uid, NULL);
        return;
    }
    if (!resolve(cal, ps, uid, "DTSTART", &start))
        return;
    format_time(r->start, start);
    if (pe) {
        if (resolve(cal, pe, uid, "DTEND", &end))
            format_time(r->end, end);
    } else if (pd) {
        /* add in the start's own zone, then convert */
        struct icaltimetype local = icalvalue_get_datetime(icalproperty_get_value(ps));
        icalparameter *tzp = icalproperty_get_first_parameter(ps, ICAL_TZID_PARAMETER);
        if (tzp && !local.is_date && !icaltime_is_utc(local)) {
            icaltimezone *zone = icalcomponent_get_timezone(cal, icalparameter_get_tzid(tzp));
            local = icaltime_set_timezone(&local, zone);
            local = icaltime_add(local, icalproperty_get_duration(pd));
            end = icaltime_convert_to_zone(local, icaltimezone_get_utc_timezone());
        } else {
            end = icaltime_add(local, icalproperty_get_duration(pd));
        }
        format_time(r->end, end);
    }
}

static void read_calendar(icalcomponent *cal)
{
    collect_lic_errors(cal, "parser");

    /* Restriction check on a copy, so the tree we read stays untouched and
     * only the restriction findings are reported here. */
    icalcomponent *copy = icalcomponent_new_clone(cal);
    strip_lic_errors(copy);
    if (!icalrestriction_check(copy)) {
        int before = nerrors;
        collect_lic_errors(copy, "restriction");
        if (nerrors == before) {
            fprintf(stderr, "error: libical restriction: icalrestriction_check failed without X-LIC-ERROR\n");
            nerrors++;
        }
    } else {
        collect_lic_errors(copy, "restriction");
    }
    icalcomponent_free(copy);

    for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
         ev; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
        add_event(cal, ev);
}

static int cmp_rows(const void *a, const void *b)
{
    /* uid, start, then end, summary, location as tie-breakers (bytes) */
    const struct row *x = a, *y = b;
    int c = strcmp(x->uid ? x->uid : "", y->uid ? y->uid : "");
    if (!c)
        c = strcmp(x->start, y->start);
    if (!c)
        c = strcmp(x->end, y->end);
    if (!c)
        c = strcmp(x->summary, y->summary);
    if (!c)
        c = strcmp(x->location, y->location);
    return c;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.ics\n", argv[0]);
        return 2;
    }
    icalerror_set_errors_are_fatal(0);

    char *text = slurp(argv[1]);
    if (!text) {
        perror(argv[1]);
        return 1;
    }
    icalcomponent *root = icalparser_parse_string(text);
    free(text);
    if (!root) {
        fprintf(stderr, "error: libical: icalparser_parse_string failed: %s\n",
                icalerror_strerror(icalerrno));
        return 1;
    }

    int ncal = 0;
    if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
        ncal = 1;
    } else if (icalcomponent_isa(root) == ICAL_XROOT_COMPONENT) {
        ncal = icalcomponent_count_components(root, ICAL_VCALENDAR_COMPONENT);
    }
    if (ncal == 0) {
        fprintf(stderr, "error: libical: no VCALENDAR (top-level is %s)\n",
                icalcomponent_kind_to_string(icalcomponent_isa(root)));
        icalcomponent_free(root);
        return 1;
    }

    if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
        read_calendar(root);
    } else {
        for (icalcomponent *c = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
             c; c = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT))
            read_calendar(c);
    }

    if (nerrors) {
        icalcomponent_free(root);
        return 1;
    }

    qsort(rows, nrows, sizeof *rows, cmp_rows);
    for (size_t i = 0; i < nrows; i++) {
        fputs("{\"uid\":", stdout);
        json_string(rows[i].uid);
        fputs(",\"start\":", stdout);
        json_time(rows[i].start);
        fputs(",\"end\":", stdout);
        json_time(rows[i].end);
        fputs(",\"summary\":", stdout);
        json_string(rows[i].summary);
        fputs(",\"location\":", stdout);
        json_string(rows[i].location);
        fputs("}\n", stdout);
    }
    icalcomponent_free(root);
    return 0;
}
