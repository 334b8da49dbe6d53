// Package caldav keeps a CalDAV calendar collection (RFC 4791) in step
// with a programme: each session is one resource, <uid>.ics, holding its
// event with its VTIMEZONE, as in the session's own file of a folder
// build. The events, SEQUENCEs and ids come from the same plan as a
// folder build's (publish.NewPlan); a bookkeeping file on this side
// remembers which resources agendacal created and their ETags, so it
// never touches another resource and never overwrites one edited on the
// server since it wrote it.
package caldav

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	goical "github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	davclient "github.com/emersion/go-webdav/caldav"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/publish"
)

// Options say how Sync writes.
type Options struct {
	publish.Options
	// User and Password, when User is set, log in with HTTP Basic
	// authentication.
	User, Password string
	// State is the bookkeeping file.
	State string
}

// Report says what a sync did, in resources.
type Report struct {
	Created, Updated, Deleted, Unchanged int
	// Conflicts are the resources edited or deleted on the server since
	// agendacal wrote them, or in the way of a new one: left as they are.
	Conflicts []string
}

// stateVersion is the format of the bookkeeping file.
const stateVersion = 1

// bookkeeping is the file that remembers, by collection, what was synced.
type bookkeeping struct {
	Version     int                    `json:"version"`
	Collections map[string]*collection `json:"collections"`
}

// collection is what one collection holds of agendacal's.
type collection struct {
	State *json.RawMessage `json:"state"` // publish.State, as it encodes itself
	// Resources are the resources agendacal created, by UID.
	Resources map[string]*resource `json:"resources"`
}

type resource struct {
	Href string `json:"href"`
	ETag string `json:"etag"`
}

// Sync makes the collection at address hold the programme's sessions.
func Sync(ctx context.Context, address string, p *agenda.Programme, opts Options) (Report, error) {
	var rep Report
	u, err := url.Parse(address)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return rep, fmt.Errorf("%q is not a CalDAV collection's address: write it as https://dav.example.org/calendars/user/meeting/", address)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	// The address without a password it may carry names the collection in
	// messages and in the bookkeeping.
	address = u.Redacted()
	book, err := readBookkeeping(opts.State)
	if err != nil {
		return rep, err
	}
	coll := book.Collections[address]
	if coll == nil {
		coll = &collection{Resources: map[string]*resource{}}
	}
	prev := publish.NewState()
	if coll.State != nil {
		if prev, err = publish.ParseState(opts.State, *coll.State); err != nil {
			return rep, err
		}
	}
	if err := prev.Claim(address, p, opts.Force); err != nil {
		return rep, err
	}

	var httpClient webdav.HTTPClient = http.DefaultClient
	if opts.User != "" {
		httpClient = webdav.HTTPClientWithBasicAuth(httpClient, opts.User, opts.Password)
	}
	client, err := davclient.NewClient(httpClient, u.String())
	if err != nil {
		return rep, err
	}
	s := &syncer{ctx: ctx, http: httpClient, base: u}
	server, err := s.list(client)
	if err != nil {
		return rep, fmt.Errorf("reading %s: %w", address, err)
	}
	byUID := map[string]*serverObject{}
	for _, obj := range server {
		if obj.uid != "" {
			byUID[obj.uid] = obj
		}
	}
	pl, err := publish.NewPlan(ctx, prev, p, opts.Options, func(rel string) ([]byte, error) {
		id := strings.TrimSuffix(strings.TrimPrefix(rel, "sessions/"), ".ics")
		if obj := byUID[id+"@"+p.UIDDomain]; obj != nil {
			return obj.data, nil
		}
		return nil, fs.ErrNotExist
	})
	if err != nil {
		return rep, err
	}
	next := pl.State
	// done are the files carried out (or left, with their old digest):
	// when a write fails, the others keep what the last sync recorded, so
	// that the next one writes them.
	done := map[string]bool{}
	stop := func() {
		for rel := range next.Files {
			if !done[rel] {
				if d, ok := prev.Files[rel]; ok {
					next.Files[rel] = d
				} else {
					delete(next.Files, rel)
				}
			}
		}
		s.save(opts.State, book, address, coll, next, prev)
	}
	byHref := map[string]*serverObject{}
	for _, obj := range server {
		byHref[obj.href] = obj
	}
	for i := range pl.Len() {
		rel, digest := pl.File(i)
		id, ok := strings.CutPrefix(rel, "sessions/")
		if !ok {
			continue
		}
		uid := strings.TrimSuffix(id, ".ics") + "@" + p.UIDDomain
		href := u.Path + url.PathEscape(uid) + ".ics"
		mine := coll.Resources[uid]
		there := byHref[href]
		if mine != nil && mine.ETag == "" && there != nil {
			mine.ETag = there.etag // the server gave none when it was written
		}
		done[rel] = true
		switch {
		case mine == nil && there != nil && !opts.Force:
			rep.Conflicts = append(rep.Conflicts, href+": there already, and agendacal did not create it")
			next.Files[rel] = prev.Files[rel]
			continue
		case mine != nil && there == nil && !opts.Force:
			rep.Conflicts = append(rep.Conflicts, href+": deleted on the server since agendacal wrote it")
			next.Files[rel] = prev.Files[rel]
			continue
		case mine != nil && there != nil && there.etag != mine.ETag && !opts.Force:
			rep.Conflicts = append(rep.Conflicts, href+": changed on the server since agendacal wrote it")
			next.Files[rel] = prev.Files[rel]
			continue
		case mine != nil && there != nil && there.etag == mine.ETag && prev.Files[rel] == digest:
			rep.Unchanged++
			continue
		}
		var b bytes.Buffer
		if err := pl.Write(&b, i); err != nil {
			return rep, err
		}
		condition := "If-None-Match"
		etag := "*"
		if there != nil {
			condition, etag = "If-Match", quote(there.etag)
		}
		newTag, err := s.put(href, b.Bytes(), condition, etag)
		if err != nil {
			done[rel] = false
			stop()
			return rep, fmt.Errorf("writing %s: %w", href, err)
		}
		if there == nil {
			rep.Created++
		} else {
			rep.Updated++
		}
		coll.Resources[uid] = &resource{Href: href, ETag: newTag}
	}
	// Removed for longer than --keep-removed: deleted, if untouched.
	stale := publish.StaleFiles(prev, next)
	for k, rel := range stale {
		id, ok := strings.CutPrefix(rel, "sessions/")
		if !ok {
			continue
		}
		uid := strings.TrimSuffix(id, ".ics") + "@" + p.UIDDomain
		mine := coll.Resources[uid]
		if mine == nil {
			continue
		}
		there := byHref[mine.Href]
		switch {
		case there == nil:
			delete(coll.Resources, uid)
		case there.etag != mine.ETag && !opts.Force:
			rep.Conflicts = append(rep.Conflicts, mine.Href+": changed on the server since agendacal wrote it; not deleted")
			delete(coll.Resources, uid) // no longer agendacal's to touch
		default:
			if err := s.remove(mine.Href, quote(there.etag)); err != nil {
				// These stay listed, to be deleted by the next sync.
				for _, left := range stale[k:] {
					next.Files[left] = prev.Files[left]
					done[left] = true
				}
				stop()
				return rep, fmt.Errorf("deleting %s: %w", mine.Href, err)
			}
			delete(coll.Resources, uid)
			rep.Deleted++
		}
	}
	if err := s.save(opts.State, book, address, coll, next, prev); err != nil {
		return rep, err
	}
	return rep, nil
}

// syncer talks to one server.
type syncer struct {
	ctx  context.Context
	http webdav.HTTPClient
	base *url.URL
}

// serverObject is a calendar resource as the server lists it.
type serverObject struct {
	href, etag, uid string
	data            []byte
}

// fullCalendar asks for whole calendars: every component with every
// property, named one by one, since servers read a bare allcomp as the
// components without their properties.
var fullCalendar = davclient.CalendarCompRequest{Name: "VCALENDAR", AllProps: true, Comps: []davclient.CalendarCompRequest{
	{Name: "VEVENT", AllProps: true, Comps: []davclient.CalendarCompRequest{{Name: "VALARM", AllProps: true}}},
	{Name: "VTIMEZONE", AllProps: true, Comps: []davclient.CalendarCompRequest{{Name: "STANDARD", AllProps: true}, {Name: "DAYLIGHT", AllProps: true}}},
}}

// list reads every calendar resource of the collection with one REPORT.
func (s *syncer) list(client *davclient.Client) ([]*serverObject, error) {
	objs, err := client.QueryCalendar(s.ctx, s.base.Path, &davclient.CalendarQuery{
		CompRequest: fullCalendar,
		CompFilter:  davclient.CompFilter{Name: "VCALENDAR"},
	})
	if err != nil {
		return nil, err
	}
	out := make([]*serverObject, 0, len(objs))
	for _, o := range objs {
		obj := &serverObject{href: o.Path, etag: o.ETag}
		if o.Data != nil {
			var b bytes.Buffer
			if err := goical.NewEncoder(&b).Encode(o.Data); err == nil {
				obj.data = b.Bytes()
			}
			for _, ev := range o.Data.Events() {
				if uid, err := ev.Props.Text(goical.PropUID); err == nil {
					obj.uid = uid
					break
				}
			}
		}
		out = append(out, obj)
	}
	return out, nil
}

// put writes a resource under a condition (If-None-Match: * for a new
// one, If-Match on its ETag for one agendacal wrote) and returns its new
// ETag. The library's own PUT re-encodes the calendar and sets no
// condition: this one sends the bytes as planned.
func (s *syncer) put(href string, data []byte, condition, etag string) (string, error) {
	target := s.base.ResolveReference(&url.URL{Path: href})
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPut, target.String(), bytes.NewReader(data))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	req.Header.Set(condition, etag)
	resp, err := s.http.Do(req)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("the server answered %s", resp.Status)
	}
	if tag := resp.Header.Get("ETag"); tag != "" {
		return unquote(tag), nil
	}
	// No ETag in the answer: ask for it.
	req, err = http.NewRequestWithContext(s.ctx, http.MethodHead, target.String(), nil)
	if err != nil {
		return "", err
	}
	resp, err = s.http.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	return unquote(resp.Header.Get("ETag")), nil
}

// remove deletes a resource if it still has the ETag agendacal gave it.
func (s *syncer) remove(href, etag string) error {
	target := s.base.ResolveReference(&url.URL{Path: href})
	req, err := http.NewRequestWithContext(s.ctx, http.MethodDelete, target.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("If-Match", etag)
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 && resp.StatusCode != http.StatusNotFound {
		return fmt.Errorf("the server answered %s", resp.Status)
	}
	return nil
}

// save writes the bookkeeping of the collection: next, where it was
// carried out.
func (s *syncer) save(file string, book *bookkeeping, address string, coll *collection, next, prev *publish.State) error {
	var b bytes.Buffer
	next.Encode(&b)
	raw := json.RawMessage(bytes.TrimSpace(b.Bytes()))
	coll.State = &raw
	book.Collections[address] = coll
	data, err := json.MarshalIndent(book, "", " ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".agendacal-*.tmp")
	if err != nil {
		return fmt.Errorf("writing the bookkeeping %s: %w", file, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the bookkeeping %s: %w", file, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the bookkeeping %s: %w", file, err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("writing the bookkeeping %s: %w", file, err)
	}
	return nil
}

func readBookkeeping(file string) (*bookkeeping, error) {
	book := &bookkeeping{Version: stateVersion, Collections: map[string]*collection{}}
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return book, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, book); err != nil {
		return nil, fmt.Errorf("reading %s: %v", file, err)
	}
	if book.Version > stateVersion {
		return nil, fmt.Errorf("%s was written by a newer agendacal; use that one", file)
	}
	if book.Collections == nil {
		book.Collections = map[string]*collection{}
	}
	for _, c := range book.Collections {
		if c.Resources == nil {
			c.Resources = map[string]*resource{}
		}
	}
	return book, nil
}

func quote(etag string) string {
	if strings.HasPrefix(etag, "W/") || strings.HasPrefix(etag, `"`) {
		return etag
	}
	return `"` + etag + `"`
}

func unquote(etag string) string {
	return strings.TrimSuffix(strings.TrimPrefix(etag, `"`), `"`)
}

// StateFile is where the bookkeeping of a programme's syncs is kept by
// default: beside the programme file.
func StateFile(programme string) string {
	if programme == "-" || programme == "" {
		return ".agendacal.caldav"
	}
	return filepath.Join(filepath.Dir(programme), ".agendacal.caldav")
}
