package agenda

import (
	"strings"
	"testing"
)

// invitation wraps participants and session lines in a programme whose
// organizer has an address; the first session line is on line 11 with three participants.
func invitation(participants string, sessions ...string) string {
	return "title: T\n" +
		"timezone: Europe/Belgrade\n" +
		"organizer: {name: Office, email: office@example.org}\n" +
		"participants:\n" +
		participants +
		"days:\n" +
		"  - date: 2017-06-29\n" +
		"    sessions:\n" +
		"      " + strings.Join(sessions, "\n      ") + "\n"
}

const people = "  - {name: Ana, email: ana@example.org, groups: [police]}\n" +
	"  - {name: Besnik, email: besnik@example.org, groups: [banks, police]}\n" +
	"  - {name: Çlirim Krasniqi, email: clirim@example.org, role: Prosecutor, groups: [prosecution]}\n"

func TestInvitees(t *testing.T) {
	tests := []struct {
		name    string
		session string
		want    string // addresses, comma-separated
	}{
		{"all by default", "- {time: 09:00-10:00, title: A}", "ana@example.org,besnik@example.org,clirim@example.org"},
		{"breaks invite nobody by default", "- {time: 09:00-10:00, title: A, kind: break}", ""},
		{"a group", "- {time: 09:00-10:00, title: A, invite: [police]}", "ana@example.org,besnik@example.org"},
		{"a group, as one word", "- {time: 09:00-10:00, title: A, invite: prosecution}", "clirim@example.org"},
		{"groups and an outsider, each once", "- {time: 09:00-10:00, title: A, invite: [banks, police, Ana@Example.org, guest@example.net]}", "besnik@example.org,ana@example.org,guest@example.net"},
		{"none", "- {time: 09:00-10:00, title: A, invite: none}", ""},
		{"all, a break too", "- {time: 09:00-10:00, title: A, kind: break, invite: all}", "ana@example.org,besnik@example.org,clirim@example.org"},
		{"speakers with an address", "- {time: 09:00-10:00, title: A, invite: [prosecution], speakers: [Someone, {name: Hein, email: hein@example.org}]}", "clirim@example.org,hein@example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, problems := Parse("p.yaml", []byte(invitation(people, tt.session)))
			if p == nil {
				t.Fatalf("problems:\n%v", problems)
			}
			var got []string
			for _, person := range p.Sessions[0].Invitees {
				got = append(got, person.Email)
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("invitees %v, want %s", got, tt.want)
			}
		})
	}
}

func TestInvitationProblems(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"bad address", invitation("  - {name: Ana, email: ana@}\n", "- {time: 09:00-10:00, title: A}"),
			[]string{`p.yaml:5:24: participant email "ana@" is not an e-mail address: write it as name@example.org`}},
		{"no address", invitation("  - {name: Ana}\n", "- {time: 09:00-10:00, title: A}"),
			[]string{`p.yaml:5:5: a participant has no e-mail address: add email: name@example.org`}},
		{"the same address twice", invitation("  - {name: Ana, email: ana@example.org}\n  - {name: A. N., email: ANA@example.org}\n", "- {time: 09:00-10:00, title: A}"),
			[]string{`p.yaml:6:26: participant ANA@example.org appears twice (first at line 5): keep one`}},
		{"unknown group, a typo", invitation(people, "- {time: 09:00-10:00, title: A, invite: [polise]}"),
			[]string{`p.yaml:11:48: unknown group "polise" (did you mean "police"?)`}},
		{"unknown group", invitation(people, "- {time: 09:00-10:00, title: A, invite: [journalists]}"),
			[]string{`p.yaml:11:48: unknown group "journalists": the groups are banks, police, prosecution; or write all, none or an e-mail address`}},
		{"bad address in invite", invitation(people, "- {time: 09:00-10:00, title: A, invite: [x@y@z]}"),
			[]string{`p.yaml:11:48: invite address "x@y@z" is not an e-mail address: write it as name@example.org`}},
		{"participants without an organizer address", strings.Replace(invitation(people, "- {time: 09:00-10:00, title: A}"), "organizer: {name: Office, email: office@example.org}\n", "", 1),
			[]string{`p.yaml:4:3: invitations need the organizer's e-mail address, which they come from: add organizer: {name: Your Name, email: name@example.org}`}},
		{"invite without an organizer address", "title: T\ntimezone: UTC\norganizer: {name: Office}\ndays: [{date: 2017-06-29, sessions: [{time: 9:00-10:00, title: A, invite: [a@example.org]}]}]\n",
			[]string{`p.yaml:4:75: invitations need the organizer's e-mail address, which they come from: add organizer: {name: Office, email: name@example.org}`}},
		{"invite all without participants", "title: T\ntimezone: UTC\norganizer: {name: O, email: o@example.org}\ndays: [{date: 2017-06-29, sessions: [{time: 9:00-10:00, title: A, invite: all}]}]\n",
			[]string{`p.yaml:4:75: invite: all, but the programme lists no participants: add participants:, or name addresses`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := Parse("p.yaml", []byte(tt.yaml))
			var got []string
			for _, p := range problems {
				if p.Severity != Note {
					got = append(got, p.String())
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// Speakers' addresses alone invite them, and ask nothing of a programme
// written before participants existed.
func TestSpeakerAddressesNeedNoOrganizer(t *testing.T) {
	yaml := "title: T\ntimezone: UTC\ndays: [{date: 2017-06-29, sessions: [{time: 9:00-10:00, title: A, speakers: [{name: H, email: h@example.org}]}]}]\n"
	p, problems := Parse("p.yaml", []byte(yaml))
	if p == nil {
		t.Fatalf("problems:\n%v", problems)
	}
	if got := p.Sessions[0].Invitees; len(got) != 1 || got[0].Email != "h@example.org" {
		t.Errorf("invitees %v", got)
	}
}
