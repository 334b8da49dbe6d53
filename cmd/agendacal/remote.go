package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/bucket"
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
