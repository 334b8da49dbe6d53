package site

// index.html is pageHead (a template of html/template), each day of the
// programme written with dayText (on all cores), then pageTail. Without
// scripts the page is complete; the inline script only adds the switch to
// the viewer's zone.
const pageHead = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="agendacal">
<title>{{.Title}}</title>
<style>
:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.6rem; line-height: 1.25; }
h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.1rem; margin: 0; }
a { color: #0645ad; }
.feeds { display: grid; gap: .75rem; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); padding: 0; list-style: none; }
.feeds > li, .session { border: 1px solid #ccc; border-radius: .4rem; padding: .6rem .8rem; }
.feeds input { width: 100%; box-sizing: border-box; font: inherit; }
.links { display: flex; flex-wrap: wrap; gap: .3rem 1rem; margin: .3rem 0 0; padding: 0; list-style: none; }
.sessions { list-style: none; padding: 0; display: grid; gap: .5rem; }
.session { display: grid; grid-template-columns: 7.5rem 1fr; gap: 0 1rem; }
.session.break { background: #f6f6f6; }
.when { font-variant-numeric: tabular-nums; font-weight: 600; }
.cancelled h3, .cancelled .when { text-decoration: line-through; color: #555; }
.status { font-weight: 600; color: #8a1c1c; }
.track { display: inline-block; border-left: .6rem solid var(--c, #767676); padding-left: .3rem; margin-right: .6rem; }
.zone { margin: .5rem 0; }
@media (max-width: 30rem) { .session { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
{{with .Description}}<p>{{.}}</p>{{end}}
</header>
<main>
<section aria-labelledby="_calendars">
<h2 id="_calendars">{{.W.Calendars}}</h2>
<ul class="feeds">
{{range .Feeds}}<li>
<h3>{{.Name}}</h3>
{{if .HTTPS}}<label>{{$.W.Address}} <input type="text" readonly value="{{.HTTPS}}"></label>
<ul class="links">
<li><a href="{{.Webcal}}">{{$.W.Webcal}}</a></li>
<li><a href="{{.Google}}">{{$.W.GoogleFeed}}</a></li>
<li><a href="{{.OutlookLive}}">{{$.W.OutlookLive}}</a></li>
<li><a href="{{.OutlookOffice}}">{{$.W.OutlookOffice}}</a></li>
<li><a href="{{.File}}" download>{{$.W.Download}}</a></li>
</ul>
<p><small>{{$.W.GoogleSteps}}</small></p>
{{else}}<ul class="links"><li><a href="{{.File}}" download>{{$.W.Download}}</a></li></ul>{{end}}
</li>
{{end}}</ul>
</section>
<section aria-labelledby="_programme">
<h2 id="_programme">{{.W.Programme}}</h2>
<p class="zone">{{.W.TimesIn}} <strong id="_zone">{{.Zone}}</strong>.</p>
<p class="zone" id="_myzone" hidden><label><input type="checkbox" id="_local"> {{.W.MyZone}}</label></p>
`

// pageTail ends the page; it holds no action.
const pageTail = `
</section>
</main>
<script>
(function () {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || zone === document.getElementById("_zone").textContent) return;
  var box = document.getElementById("_local"), times = document.querySelectorAll("time[datetime]");
  var original = Array.prototype.map.call(times, function (t) { return t.textContent; });
  document.getElementById("_myzone").hidden = false;
  box.nextSibling.textContent = " " + box.nextSibling.textContent.trim() + " (" + zone + ")";
  box.addEventListener("change", function () {
    Array.prototype.forEach.call(times, function (t, i) {
      t.textContent = box.checked ? new Date(t.getAttribute("datetime")).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", weekday: "short"}) : original[i];
    });
  });
})();
</script>
</body>
</html>
`

// dayText is the template of one day of the programme on the page.
const dayText = `<h3 id="_day-{{.Date}}" style="margin-top:1.5rem">{{.Date}}</h3>
<ul class="sessions">
{{range .Sessions}}<li class="session{{if .Break}} break{{end}}{{if .Cancelled}} cancelled{{end}}" id="{{.ID}}">
<div class="when">{{if .AllDay}}{{$.W.AllDay}}{{if .Until}} – {{.Until}}{{end}}{{else}}<time datetime="{{.StartUTC}}">{{.Start}}</time>–<time datetime="{{.EndUTC}}">{{.End}}</time>{{end}}</div>
<div>
<h3>{{if .Cancelled}}<span class="status">{{$.W.Cancelled}}:</span> {{end}}{{if .Tentative}}<span class="status">{{$.W.Tentative}}:</span> {{end}}{{.Title}}</h3>
{{range .Tracks}}<span class="track" style="--c: {{.Color}}">{{.Name}}</span>{{end}}
{{with .Location}}<div>{{.}}</div>{{end}}
{{with .Online}}<div><a href="{{.}}">{{.}}</a></div>{{end}}
{{with .Speakers}}<div>{{$.W.Speakers}}: {{range $i, $s := .}}{{if $i}}, {{end}}{{$s}}{{end}}</div>{{end}}
<ul class="links">
<li><a href="{{.File}}" download>{{$.W.File}}</a></li>{{with .Google}}
<li><a href="{{.}}">{{$.W.AddGoogle}}</a></li>{{end}}{{with .Outlook}}
<li><a href="{{.}}">{{$.W.AddOutlook}}</a></li>{{end}}
</ul>
</div>
</li>
{{end}}</ul>
`
