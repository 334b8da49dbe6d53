package agenda

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Participant is someone the organiser invites to sessions.
type Participant struct {
	Person
	// Groups are the ids of the groups the participant belongs to, as
	// written, for invite: lists.
	Groups []string
	at     string // where it is written, for messages
}

// participants reads a participants list, adding to those read before:
// each with a name and an e-mail address, no address twice.
func (d *decoder) participants(n *yaml.Node, out []*Participant) []*Participant {
	firstAt := map[string]string{} // lower-case address → where
	for _, p := range out {
		firstAt[strings.ToLower(p.Email)] = p.at
	}
	for _, item := range d.list(n, "participants", "participants: [{name: Jane Doe, email: jane@example.org}]") {
		f := d.fields(item, "a participant", d.keysOf("participant"))
		if f == nil {
			continue
		}
		p := &Participant{Person: Person{
			Name:  d.text(f.get("name"), "participant name", true),
			Email: d.email(f.get("email"), "participant email"),
			Role:  d.text(f.get("role"), "participant role", true),
		}}
		for _, g := range d.list(f.get("groups"), "groups", "groups: [police, banks]") {
			id := d.text(g, "a group", true)
			if id == "" {
				continue
			}
			if why := checkID(id); why != "" {
				d.errorf(g, "group id %q %s", id, why)
				continue
			}
			if !slices.ContainsFunc(p.Groups, func(s string) bool { return strings.EqualFold(s, id) }) {
				p.Groups = append(p.Groups, id)
			}
		}
		if p.Name == "" {
			d.missing(item, f.get("name"), "a participant has no name: add name:")
		}
		if p.Email == "" {
			d.missing(item, f.get("email"), "a participant has no e-mail address: add email: name@example.org")
		}
		if p.Name == "" || p.Email == "" {
			continue
		}
		key := strings.ToLower(p.Email)
		if first, dup := firstAt[key]; dup {
			d.errorf(f.get("email"), "participant %s appears twice (first at %s): keep one", p.Email, first)
			continue
		}
		p.at = d.where(d.deref(f.get("email")))
		firstAt[key] = p.at
		out = append(out, p)
	}
	return out
}

// invitees works out who is invited to a session: those its invite: names
// (groups, addresses, all or none), else every participant unless it is a
// break, and its speakers who give an e-mail address; each address once,
// in that order.
func (d *decoder) invitees(n *yaml.Node, s *Session, p *Programme) []*Person {
	if n == nil && len(p.Participants) == 0 && !slices.ContainsFunc(s.Speakers, func(sp Person) bool { return sp.Email != "" }) {
		return nil // the common case, at no cost
	}
	var out []*Person
	seen := map[string]bool{}
	add := func(person *Person) {
		key := strings.ToLower(person.Email)
		if !seen[key] {
			seen[key] = true
			out = append(out, person)
		}
	}
	all := func() {
		for _, pt := range p.Participants {
			add(&pt.Person)
		}
	}
	items := []*yaml.Node{n}
	if m := d.deref(n); m != nil && m.Kind == yaml.SequenceNode {
		items = m.Content
	}
	switch {
	case n == nil && s.Kind != KindBreak:
		all()
	case n == nil:
	default:
		for _, item := range items {
			word, ok := d.scalar(item, "invite")
			word = strings.TrimSpace(word)
			if !ok || word == "" {
				continue
			}
			switch lower := strings.ToLower(word); {
			case lower == "none" && len(items) == 1:
				return nil
			case lower == "all":
				if len(p.Participants) == 0 {
					d.errorf(item, "invite: all, but the programme lists no participants: add participants:, or name addresses")
				}
				all()
			case strings.Contains(word, "@"):
				if addr := d.email(item, "invite address"); addr != "" {
					add(d.knownPerson(addr, p))
				}
			default:
				members := d.group(item, word, p)
				for _, pt := range members {
					add(&pt.Person)
				}
			}
		}
	}
	for i := range s.Speakers {
		if sp := &s.Speakers[i]; sp.Email != "" {
			add(sp)
		}
	}
	return out
}

// knownPerson returns the participant with an address, or a person with
// only that address.
func (d *decoder) knownPerson(addr string, p *Programme) *Person {
	for _, pt := range p.Participants {
		if strings.EqualFold(pt.Email, addr) {
			return &pt.Person
		}
	}
	return &Person{Email: addr}
}

// group returns the participants of a group, or reports an unknown one.
func (d *decoder) group(n *yaml.Node, id string, p *Programme) []*Participant {
	var members []*Participant
	var groups []string
	for _, pt := range p.Participants {
		for _, g := range pt.Groups {
			if !slices.Contains(groups, strings.ToLower(g)) {
				groups = append(groups, strings.ToLower(g))
			}
			if strings.EqualFold(g, id) {
				members = append(members, pt)
			}
		}
	}
	if len(members) > 0 {
		return members
	}
	switch c := closest(id, groups); {
	case len(groups) == 0:
		d.errorf(n, "unknown group %q: no participant is in a group; add groups: [%s] to the participants in it, or write all, none or an e-mail address", id, strings.ToLower(id))
	case c != "":
		d.errorf(n, "unknown group %q (did you mean %q?)", id, c)
	default:
		slices.Sort(groups)
		d.errorf(n, "unknown group %q: the groups are %s; or write all, none or an e-mail address", id, strings.Join(groups, ", "))
	}
	return nil
}

// needOrganizerEmail reports invitations with no address to send them
// from: iTIP requires an ORGANIZER, and mail clients reply to it.
func (d *decoder) needOrganizerEmail(participants, firstInvite *yaml.Node, p *Programme) {
	if p.Organizer != nil && p.Organizer.Email != "" {
		return
	}
	at := participants
	if at == nil {
		at = firstInvite
	}
	if at == nil {
		return
	}
	d.errorf(at, "invitations need the organizer's e-mail address, which they come from: add organizer: {name: %s, email: name@example.org}", organizerName(p))
}

func organizerName(p *Programme) string {
	if p.Organizer != nil && p.Organizer.Name != "" {
		return p.Organizer.Name
	}
	return "Your Name"
}
