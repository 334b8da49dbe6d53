package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/bucket"
	"github.com/agendacal/agendacal/caldav"
	"github.com/agendacal/agendacal/publish"
)

// buildBucket publishes to the bucket --out names (s3://BUCKET/PREFIX).
func buildBucket(c *cli.Context, env *environment, prog *agenda.Programme, opts publish.Options) error {
	target, err := bucket.New(c.String("out"), env.getenv)
	if err != nil {
		return usageErrorf("%v", err)
	}
	rep, err := target.Publish(env.ctx, prog, bucket.Options{Options: opts, CacheControl: c.String("cache-control")})
	if rep.Rebuilt && !c.Bool("quiet") {
		fmt.Fprintf(env.stderr, "agendacal: warning: %s had no bookkeeping (.agendacal.state): read the SEQUENCEs back from its calendars\n", target.Where())
	}
	var busy *publish.BusyError
	var other *publish.OtherProgrammeError
	switch {
	case errors.As(err, &busy):
		return &exitError{code: exitBusy, msg: err.Error() + "\nhint: try again later, or give --wait a longer time"}
	case errors.As(err, &other):
		return &exitError{code: exitOutput, msg: err.Error()}
	case errors.Is(err, context.Canceled):
		return &exitError{code: exitOutput, msg: "interrupted: " + err.Error()}
	case err != nil:
		return &exitError{code: exitOutput, msg: fmt.Sprintf("publishing to %s: %v", target.Where(), err)}
	}
	if !c.Bool("quiet") {
		fmt.Fprintf(env.stdout, "%s: %d created, %d updated, %d deleted, %d unchanged\n", target.Where(), rep.Created, rep.Updated, rep.Deleted, rep.Unchanged)
	}
	return nil
}

func syncCommand(env *environment, shared ...cli.Flag) *cli.Command {
	return &cli.Command{
		Name:      "sync",
		Usage:     "keep a CalDAV calendar in step with the programme",
		ArgsUsage: "PROGRAMME.yaml",
		Description: "Makes the CalDAV collection --caldav URL hold one resource <uid>.ics per\n" +
			"session (its event and VTIMEZONE), written with If-None-Match: * when new and\n" +
			"If-Match when changed; cancelled sessions written as cancelled, removed ones\n" +
			"deleted after --keep-removed. Resources agendacal did not create are never\n" +
			"touched, and one changed on the server since agendacal wrote it is reported,\n" +
			"not overwritten, unless --force. Logs in as $AGENDACAL_CALDAV_USER with\n" +
			"$AGENDACAL_CALDAV_PASSWORD when set. What was synced is remembered in --state\n" +
			"(.agendacal.caldav beside the programme by default).",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "caldav", Required: true, Usage: "the calendar collection's `URL`", EnvVars: []string{"AGENDACAL_CALDAV"}},
			&cli.StringFlag{Name: "state", Usage: "the bookkeeping `FILE`"},
			&cli.DurationFlag{Name: "keep-removed", Value: 30 * 24 * time.Hour, Usage: "how long a session removed from the programme stays as cancelled", EnvVars: []string{"AGENDACAL_KEEP_REMOVED"}},
			&cli.BoolFlag{Name: "force", Usage: "overwrite resources changed on the server, and take over ones in the way"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing but errors", EnvVars: []string{"AGENDACAL_QUIET"}},
		}, shared...),
		OnUsageError: onUsageError,
		Action:       func(c *cli.Context) error { return syncCalDAV(c, env) },
	}
}

func syncCalDAV(c *cli.Context, env *environment) error {
	stamp, err := buildTime(env.getenv)
	if err != nil {
		return err
	}
	prog, err := load(c, env)
	if err != nil {
		return err
	}
	state := c.String("state")
	if state == "" {
		state = caldav.StateFile(c.Args().First())
	}
	address := c.String("caldav")
	shown := address // without a password the address may carry
	if u, err := url.Parse(address); err == nil {
		shown = u.Redacted()
	}
	rep, err := caldav.Sync(env.ctx, address, prog, caldav.Options{
		Options: publish.Options{Now: stamp, KeepRemoved: c.Duration("keep-removed"), Force: c.Bool("force")},
		User:    env.getenv("AGENDACAL_CALDAV_USER"), Password: env.getenv("AGENDACAL_CALDAV_PASSWORD"),
		State: state,
	})
	quiet := c.Bool("quiet")
	if !quiet {
		for _, conflict := range rep.Conflicts {
			fmt.Fprintf(env.stderr, "agendacal: warning: %s (left as it is; --force overwrites)\n", conflict)
		}
	}
	var other *publish.OtherProgrammeError
	switch {
	case errors.As(err, &other):
		return &exitError{code: exitOutput, msg: err.Error()}
	case errors.Is(err, context.Canceled):
		return &exitError{code: exitOutput, msg: "interrupted: " + err.Error()}
	case err != nil:
		return &exitError{code: exitOutput, msg: fmt.Sprintf("syncing %s: %v", shown, err)}
	}
	if !quiet {
		fmt.Fprintf(env.stdout, "%s: %d created, %d updated, %d deleted, %d unchanged\n", shown, rep.Created, rep.Updated, rep.Deleted, rep.Unchanged)
	}
	return nil
}
