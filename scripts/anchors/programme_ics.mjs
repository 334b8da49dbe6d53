// The script an organiser might write instead of agendacal, with js-yaml
// and ical-generator: read the programme, write one calendar of every
// session to standard output. It checks nothing and writes no VTIMEZONE
// (floating times).
//
//   node programme_ics.mjs programme.yaml > programme.ics
import fs from "node:fs";
import { load } from "js-yaml";
import ical from "ical-generator";

const programme = load(fs.readFileSync(process.argv[2], "utf8"));
const domain = programme.uid_domain || "example.org";
const calendar = ical({ name: programme.title, prodId: "//anchor//ical-generator//EN" });
const at = (date, clock) => {
  const [h, m] = clock.trim().replace("h", ":").split(":").map(Number);
  return new Date(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), h, m);
};
programme.days.forEach((day, n) => {
  const date = new Date(day.date);
  day.sessions.forEach((session, i) => {
    const [start, end] = session.time.split("-");
    calendar.createEvent({
      id: `${date.toISOString().slice(0, 10)}-${n}-${i}@${domain}`,
      start: at(date, start),
      end: at(date, end),
      floating: true,
      summary: session.title,
      location: session.room,
      description: session.description,
      categories: session.track ? [{ name: session.track }] : [],
    });
  });
});
process.stdout.write(calendar.toString());
