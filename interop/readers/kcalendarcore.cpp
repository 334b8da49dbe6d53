// Reader adapter: KDE KCalendarCore (KF5, Debian libkf5calendarcore-dev), the
// calendar library of KOrganizer / Kontact / Akonadi.
// Built by scripts/install-interop.sh into interop/build/kcalendarcore-reader
// and run through the interop/readers/kcalendarcore wrapper.
//
//   kcalendarcore-reader FILE.ics
//
// ICalFormat::load() parses the file into a MemoryCalendar (whose own zone is
// UTC); dtStart()/dtEnd() of every event are converted with
// QDateTime::toUTC().
//
// Time zones: KCalendarCore cannot represent a zone defined by a VTIMEZONE;
// every QDateTime carries a QTimeZone, i.e. a *system* (IANA tzdata) zone.
// Its ICalTimeZoneParser maps each VTIMEZONE to a system zone: when the TZID
// is a known IANA id the system zone of that name is used and the
// VTIMEZONE's observances are ignored; only for unknown TZIDs (e.g. Outlook
// names) it looks for a system zone with matching transitions, or builds a
// fixed-offset zone. So this reader converts BY NAME; it is expected to give
// 06:30Z for the Belgrade test with the DAYLIGHT block removed.
//
// Diagnostics (exit 1): load() returning false (with the exception code and
// arguments), and every Qt message at warning level or above that the
// library (or libical through it) emits while loading; debug/info messages
// are ignored.
//
// Value formats as in README.md: UTC "…Z"; all-day events "YYYY-MM-DD"
// (KCalendarCore returns an exclusive DTEND date, as in the file); floating
// times (Qt::LocalTime) without "Z". For events with DURATION instead of
// DTEND, dtEnd() is computed by KCalendarCore; with neither, end is null.

#include <KCalendarCore/Event>
#include <KCalendarCore/Exceptions>
#include <KCalendarCore/ICalFormat>
#include <KCalendarCore/MemoryCalendar>

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace {

QStringList g_messages;
bool g_capture = false;

void messageHandler(QtMsgType type, const QMessageLogContext &ctx, const QString &msg)
{
    if (type == QtDebugMsg || type == QtInfoMsg)
        return;
    const char *level = type == QtWarningMsg ? "warning" : "error";
    QString line = QStringLiteral("%1: kcalendarcore (%2): %3")
                       .arg(QString::fromLatin1(level),
                            QString::fromLatin1(ctx.category ? ctx.category : "default"), msg);
    if (g_capture) {
        g_messages << line;
    } else {
        std::fprintf(stderr, "%s\n", line.toUtf8().constData());
    }
}

struct Row {
    QString uid;
    bool hasUid = false;
    QString start, end; // empty = null
    QString summary, location;
};

QString formatTime(const QDateTime &dt, bool allDay)
{
    if (!dt.isValid())
        return QString();
    if (allDay)
        return dt.date().toString(QStringLiteral("yyyy-MM-dd"));
    if (dt.timeSpec() == Qt::LocalTime) // floating
        return dt.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss"));
    return dt.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) + QLatin1Char('Z');
}

QString exceptionText(KCalendarCore::Exception *e)
{
    if (!e)
        return QStringLiteral("(no exception recorded)");
    static const char *const names[] = {
        "LoadError", "SaveError", "ParseErrorIcal", "ParseErrorKcal", "NoCalendar",
        "CalVersion1", "CalVersion2", "CalVersionUnknown", "Restriction", "UserCancel",
        "NoWritableFound", "SaveErrorOpenFile", "SaveErrorSaveFile", "LibICalError",
        "VersionPropertyMissing", "ExpectedCalVersion2", "ExpectedCalVersion2Unknown",
        "ParseErrorNotIncidence", "ParseErrorEmptyMessage", "ParseErrorUnableToParse",
        "ParseErrorMethodProperty",
    };
    const int code = static_cast<int>(e->code());
    QString name = (code >= 0 && code < int(sizeof names / sizeof *names))
                       ? QString::fromLatin1(names[code])
                       : QString::number(code);
    QString args = e->arguments().join(QStringLiteral(", "));
    return args.isEmpty() ? name : name + QStringLiteral(": ") + args;
}

void printJsonString(const QString &s, bool isNull)
{
    if (isNull) {
        std::fputs("null", stdout);
        return;
    }
    // QJsonDocument escapes like JSON.stringify / json.dumps(ensure_ascii=False)
    // for everything but control characters; do it by hand to be exact.
    std::string out = "\"";
    const QByteArray utf8 = s.toUtf8();
    for (unsigned char c : utf8) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += "\"";
    std::fputs(out.c_str(), stdout);
}

} // namespace

int main(int argc, char **argv)
{
    qInstallMessageHandler(messageHandler);
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: kcalendarcore-reader FILE.ics\n");
        return 2;
    }
    const QString path = QFileInfo(QString::fromLocal8Bit(argv[1])).absoluteFilePath();
    if (!QFileInfo::exists(path)) {
        std::fprintf(stderr, "error: cannot read %s\n", argv[1]);
        return 1;
    }

    KCalendarCore::MemoryCalendar::Ptr cal(new KCalendarCore::MemoryCalendar(QTimeZone::utc()));
    KCalendarCore::ICalFormat format;
    g_capture = true;
    const bool ok = format.load(cal, path);
    g_capture = false;

    QStringList errors = g_messages;
    if (!ok)
        errors << QStringLiteral("error: kcalendarcore: load failed: ") + exceptionText(format.exception());

    std::vector<Row> rows;
    const auto events = cal->rawEvents(KCalendarCore::EventSortUnsorted);
    for (const auto &ev : events) {
        Row r;
        r.uid = ev->uid();
        r.hasUid = !r.uid.isEmpty();
        const bool allDay = ev->allDay();
        r.start = formatTime(ev->dtStart(), allDay);
        if (ev->hasEndDate() || ev->hasDuration()) { // dtEnd() = start + DURATION
            // for all-day events dtEnd() is the inclusive last day; RFC 5545
            // DTEND (and the other adapters) use the exclusive day after.
            QDateTime e = ev->dtEnd();
            if (allDay)
                e = e.addDays(1);
            r.end = formatTime(e, allDay);
        }
        r.summary = ev->summary();
        r.location = ev->location();
        if (r.start.isEmpty())
            errors << QStringLiteral("error: adapter: event %1 has no valid DTSTART").arg(r.uid);
        rows.push_back(r);
    }

    if (!errors.isEmpty()) {
        for (const QString &e : errors)
            std::fprintf(stderr, "%s\n", e.toUtf8().constData());
        return 1;
    }

    std::sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
        // uid, start, then end, summary, location as tie-breakers (bytes)
        const QString *fa[] = {&a.uid, &a.start, &a.end, &a.summary, &a.location};
        const QString *fb[] = {&b.uid, &b.start, &b.end, &b.summary, &b.location};
        for (int i = 0; i < 5; ++i) {
            const QByteArray x = fa[i]->toUtf8(), y = fb[i]->toUtf8();
            if (x != y)
                return x < y;
        }
        return false;
    });
    for (const Row &r : rows) {
        std::fputs("{\"uid\":", stdout);
        printJsonString(r.uid, !r.hasUid);
        std::fputs(",\"start\":", stdout);
        printJsonString(r.start, r.start.isEmpty());
        std::fputs(",\"end\":", stdout);
        printJsonString(r.end, r.end.isEmpty());
        std::fputs(",\"summary\":", stdout);
        printJsonString(r.summary, false);
        std::fputs(",\"location\":", stdout);
        printJsonString(r.location, false);
        std::fputs("}\n", stdout);
    }
    return 0;
}
