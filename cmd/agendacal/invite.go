package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/agendacal/agendacal/invite"
	"github.com/agendacal/agendacal/publish"
)

func inviteCommand(env *environment, shared ...cli.Flag) *cli.Command {
	return &cli.Command{
		Name:      "invite",
		Usage:     "write (and send) invitations to the programme's participants",
		ArgsUsage: "PROGRAMME.yaml",
		Description: "Writes one e-mail (iMIP, RFC 6047) per attendee and session into\n" +
			"DIR/<session>/<address>.eml, or with --meeting one per attendee for all their\n" +
			"sessions into DIR/meeting/: an invitation (METHOD:REQUEST) the first time,\n" +
			"an update with a higher SEQUENCE when the session changes, a cancellation\n" +
			"(METHOD:CANCEL) when it is cancelled or removed or the attendee is taken off\n" +
			"it. Later messages are new files beside the first; none is overwritten.\n" +
			"DIR/.agendacal.invites remembers what was written and sent, so a run writes\n" +
			"only what is new. With --smtp, sends every message not sent yet, in order,\n" +
			"logging in as $AGENDACAL_SMTP_USER with $AGENDACAL_SMTP_PASSWORD when set;\n" +
			"a run stopped by a temporary failure exits 3 and the next one goes on from\n" +
			"there, sending nothing twice.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "invites", Usage: "the folder of invitations `DIR`", EnvVars: []string{"AGENDACAL_INVITES"}},
			&cli.BoolFlag{Name: "meeting", Usage: "one message per attendee for all their sessions"},
			&cli.StringFlag{Name: "published", Usage: "the output `DIR` of 'agendacal build', whose SEQUENCEs invitations follow"},
			&cli.StringFlag{Name: "smtp", Usage: "send through the mail server at `HOST:PORT` (465: TLS; others: STARTTLS)", EnvVars: []string{"AGENDACAL_SMTP"}},
			&cli.BoolFlag{Name: "smtp-insecure", Usage: "send even where the server offers no STARTTLS, and accept any certificate"},
			&cli.Float64Flag{Name: "rate", Value: 2, Usage: "send at most `N` messages a second"},
			&cli.BoolFlag{Name: "dry-run", Usage: "with --smtp, write the messages and say what would be sent, sending nothing"},
			&cli.DurationFlag{Name: "wait", Value: time.Minute, Usage: "how long to wait for another run writing the same folder", EnvVars: []string{"AGENDACAL_WAIT"}},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only what failed", EnvVars: []string{"AGENDACAL_QUIET"}},
		}, shared...),
		OnUsageError: onUsageError,
		Action:       func(c *cli.Context) error { return inviteParticipants(c, env) },
	}
}

func inviteParticipants(c *cli.Context, env *environment) (err error) {
	stamp, err := buildTime(env.getenv)
	if err != nil {
		return err
	}
	if c.Float64("rate") <= 0 {
		return usageErrorf("--rate %v must be more than 0 messages a second", c.Float64("rate"))
	}
	prog, err := load(c, env)
	if err != nil {
		return err
	}
	var published *publish.Memory
	if dir := c.String("published"); dir != "" {
		if published, err = publish.ReadMemory(dir); err != nil {
			return &exitError{code: exitOutput, msg: err.Error()}
		}
		if published == nil {
			return usageErrorf("--published %q holds no bookkeeping: give the output folder of 'agendacal build'", dir)
		}
	}
	out := c.String("out")
	folder, err := invite.Open(out, c.Duration("wait"))
	var busy *publish.BusyError
	switch {
	case errors.As(err, &busy):
		return &exitError{code: exitBusy, msg: err.Error() + "\nhint: try again later, or give --wait a longer time"}
	case err != nil:
		return &exitError{code: exitOutput, msg: err.Error()}
	}
	defer func() {
		if cerr := folder.Close(); cerr != nil && err == nil {
			err = &exitError{code: exitOutput, msg: cerr.Error()}
		}
	}()
	quiet := c.Bool("quiet")
	written, err := folder.Write(prog, invite.Options{Now: stamp, Meeting: c.Bool("meeting"), Published: published})
	if !quiet {
		for _, m := range written {
			fmt.Fprintf(env.stdout, "wrote %s (%s to %s)\n", filepath.Join(out, filepath.FromSlash(m.Path)), strings.ToLower(m.Method), m.To)
		}
	}
	var noOrganizer *invite.NoOrganizerError
	var other *publish.OtherProgrammeError
	switch {
	case errors.As(err, &noOrganizer):
		return &exitError{code: exitProblems, msg: err.Error()}
	case errors.As(err, &other):
		return &exitError{code: exitOutput, msg: fmt.Sprintf("%q holds the invitations of another programme (uid_domain %s): give another --out", out, other.UIDDomain)}
	case err != nil:
		return &exitError{code: exitOutput, msg: err.Error()}
	}
	addr := c.String("smtp")
	if addr == "" {
		return nil
	}
	if c.Bool("dry-run") {
		for _, m := range folder.Outbox() {
			fmt.Fprintf(env.stdout, "would send %s to %s\n", filepath.Join(out, filepath.FromSlash(m.Path)), m.To)
		}
		return nil
	}
	sender := &invite.SMTP{
		Addr: addr, Insecure: c.Bool("smtp-insecure"), Rate: c.Float64("rate"),
		User: env.getenv("AGENDACAL_SMTP_USER"), Password: env.getenv("AGENDACAL_SMTP_PASSWORD"),
	}
	err = sender.Send(env.ctx, folder, func(r invite.Result) {
		path := filepath.Join(out, filepath.FromSlash(r.Message.Path))
		switch {
		case r.Err == nil && !quiet:
			fmt.Fprintf(env.stdout, "sent %s to %s\n", path, r.Message.To)
		case r.Refused:
			fmt.Fprintf(env.stderr, "agendacal: refused %s to %s: %v\n", path, r.Message.To, r.Err)
		case r.Err != nil:
			fmt.Fprintf(env.stderr, "agendacal: not sent %s to %s: %v\n", path, r.Message.To, r.Err)
		}
	})
	if err != nil {
		return &exitError{code: exitOutput, msg: "sending invitations: " + err.Error()}
	}
	return nil
}
