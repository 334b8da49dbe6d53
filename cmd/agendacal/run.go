package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/examples"
	"github.com/agendacal/agendacal/ical"
	"github.com/agendacal/agendacal/publish"
	"github.com/agendacal/agendacal/serve"
)

// version is agendacal's version as the module's build information has
// it (v1.2.3 for 'go install …@v1.2.3', the commit for a development
// build), with the Go release and the tz database in use.
func version() string {
	v := "(development build)"
	if info, ok := debug.ReadBuildInfo(); releaseVersion != "" {
		v = releaseVersion
	} else if ok {
		if info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		} else {
			var rev, modified string
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					modified = s.Value
				}
			}
			if len(rev) > 12 {
				v = "(development build " + rev[:12]
				if modified == "true" {
					v += ", modified"
				}
				v += ")"
			}
		}
	}
	return v + " " + runtime.Version() + ", " + agenda.TZDatabase()
}

// Exit statuses, documented in the README.
const (
	exitOK       = 0
	exitProblems = 1 // the programme has errors (or warnings, with --strict)
	exitUsage    = 2 // the command line is wrong
	exitOutput   = 3 // the programme is fine but the outputs could not be written
	exitBusy     = 4 // another build held the output folder for longer than --wait
)

// exitError carries a message and the exit status it calls for.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// run is agendacal with its arguments, streams and environment passed in,
// so tests run the real command in-process. It returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	// An interrupted build (Ctrl-C, cron's timeout) stops writing and
	// removes what it had not published yet.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &environment{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	app := newApp(env)
	args, err := interspersed(app, args)
	if err == nil {
		err = app.Run(args)
	}
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(stderr, "agendacal: %s\n", ee.msg)
		}
		return ee.code
	}
	// Errors from flag parsing: urfave/cli has already shown the usage.
	fmt.Fprintf(stderr, "agendacal: %v\n", err)
	return exitUsage
}

// environment is what the commands read and write besides their flags.
type environment struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func newApp(env *environment) *cli.App {
	strict := &cli.BoolFlag{Name: "strict", Usage: "treat warnings as errors", EnvVars: []string{"AGENDACAL_STRICT"}}
	maxSize := &cli.StringFlag{Name: "max-size", Value: "16MiB", Usage: "refuse programme files larger than `SIZE` (as in 64MiB)", EnvVars: []string{"AGENDACAL_MAX_SIZE"}}
	publishFlags := []cli.Flag{
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "public", Usage: "output `DIR`, or - for standard output", EnvVars: []string{"AGENDACAL_OUT"}},
		&cli.DurationFlag{Name: "wait", Value: time.Minute, Usage: "how long to wait for another build writing the same folder", EnvVars: []string{"AGENDACAL_WAIT"}},
		&cli.DurationFlag{Name: "keep-removed", Value: 30 * 24 * time.Hour, Usage: "how long a session removed from the programme stays published as cancelled", EnvVars: []string{"AGENDACAL_KEEP_REMOVED"}},
		&cli.BoolFlag{Name: "force", Usage: "publish into a folder that holds another programme, and adopt calendars in the way", EnvVars: []string{"AGENDACAL_FORCE"}},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print no warnings either", EnvVars: []string{"AGENDACAL_QUIET"}},
		&cli.StringFlag{Name: "base-url", Usage: "the https `URL` the folder is served at, for the subscribe page's links (base_url: in the programme)", EnvVars: []string{"AGENDACAL_BASE_URL"}},
		&cli.StringFlag{Name: "cache-control", Value: "public, max-age=300", Usage: "the Cache-Control of every object, with --out s3://...", EnvVars: []string{"AGENDACAL_CACHE_CONTROL"}},
		&cli.DurationFlag{Name: "alarm", Usage: "add a reminder this long before each session to the session files (as in 15m)", EnvVars: []string{"AGENDACAL_ALARM"}},
		strict, maxSize,
	}
	return &cli.App{
		Name:    "agendacal",
		Usage:   "turn a meeting programme in YAML into iCalendar files",
		Version: version(),
		Description: "Write the programme once (see 'agendacal init'), check it, and build calendars:\n" +
			"one for the whole programme, one per track and one per session.\n\n" +
			"Example:\n   agendacal init programme.yaml\n   agendacal build --out public programme.yaml",
		Reader:          env.stdin,
		Writer:          env.stdout,
		ErrWriter:       env.stderr,
		HideHelpCommand: true,
		ExitErrHandler:  func(*cli.Context, error) {},
		OnUsageError:    onUsageError,
		Commands: []*cli.Command{
			{
				Name:      "check",
				Usage:     "report every problem in programmes",
				ArgsUsage: "PROGRAMME.yaml...",
				Description: "Prints every problem of each file as FILE:LINE:COL: message, sorted by\n" +
					"position, on standard error; with --format json, a JSON array of objects (file,\n" +
					"line, column, severity, code, message) on standard output; with --format\n" +
					"github, GitHub Actions annotations (::error file=…,line=…,col=…::message) on\n" +
					"standard output. Exit status 1 when there are errors (or warnings, with --strict).",
				Flags: []cli.Flag{strict, maxSize,
					&cli.StringFlag{Name: "format", Value: "text", Usage: "write problems as `FORMAT`: text (FILE:LINE:COL: message), json or github (workflow annotations)", EnvVars: []string{"AGENDACAL_FORMAT"}},
				},
				OnUsageError: onUsageError,
				Action:       func(c *cli.Context) error { return check(c, env) },
			},
			{
				Name:      "init",
				Usage:     "write an example programme to start from",
				ArgsUsage: "[FILE]",
				Description: "Writes the programme of a one-day meeting in Pristina to FILE\n" +
					"(programme.yaml by default; - for standard output). Never overwrites a file.",
				OnUsageError: onUsageError,
				Action:       func(c *cli.Context) error { return initProgramme(c, env) },
			},
			{
				Name:      "build",
				Usage:     "write the programme's calendars",
				ArgsUsage: "PROGRAMME.yaml",
				Description: "Writes DIR/programme.ics (every session), DIR/tracks/<track>.ics,\n" +
					"DIR/rooms/<room>.ics, DIR/days/<date>.ics, DIR/sessions/<session>.ics and the\n" +
					"subscribe page DIR/index.html, and rewrites only the files that change: an event\n" +
					"that changes gets a higher SEQUENCE, one removed from the programme stays\n" +
					"as cancelled for --keep-removed. DIR/.agendacal.state remembers what was\n" +
					"published. With --out -, writes the whole programme to standard output.\n" +
					"Checks the programme first and writes nothing when it has errors. Prints\n" +
					"nothing on success but warnings. SOURCE_DATE_EPOCH, when set, is the time\n" +
					"of the build (the DTSTAMP of new and changed events).",
				Flags:        publishFlags,
				OnUsageError: onUsageError,
				Action:       func(c *cli.Context) error { return build(c, env) },
			},
			{
				Name:      "serve",
				Usage:     "build, serve the folder over HTTP and rebuild when the programme changes",
				ArgsUsage: "PROGRAMME.yaml",
				Description: "Builds as 'agendacal build' does, serves the folder (calendars as\n" +
					"text/calendar, the page as text/html, with ETags; dotfiles never), and\n" +
					"rebuilds within two seconds of the programme file changing. Stops on\n" +
					"Ctrl-C or SIGTERM.",
				Flags:        append([]cli.Flag{&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "the `HOST:PORT` to listen on", EnvVars: []string{"AGENDACAL_ADDR"}}}, publishFlags...),
				OnUsageError: onUsageError,
				Action:       func(c *cli.Context) error { return serveFolder(c, env) },
			},
			inviteCommand(env, strict, maxSize),
			syncCommand(env, strict, maxSize),
			showCommand(env, strict, maxSize),
			schemaCommand(env),
			completionCommand(env),
			manCommand(env),
		},
	}
}

// commandNames lists the commands, as the help does.
func commandNames(app *cli.App) []string {
	var names []string
	for _, c := range app.Commands {
		if !c.Hidden && c.Name != "help" {
			names = append(names, c.Name)
		}
	}
	return names
}

// onUsageError reports a wrong flag in one line, pointing at --help rather
// than printing all of it: an unknown flag with the one it may be a typo
// of, a value with the form the flag wants.
func onUsageError(c *cli.Context, err error, _ bool) error {
	name := "agendacal"
	var flags []cli.Flag
	if c.Command != nil && c.Command.Name != "" && c.Command.Name != name {
		name += " " + c.Command.Name
		flags = c.Command.Flags
	} else {
		flags = c.App.Flags
	}
	msg := err.Error()
	dashes := func(n string) string {
		if len(n) == 1 {
			return "-" + n
		}
		return "--" + n
	}
	if flag, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		flag = strings.TrimLeft(flag, "-")
		var names []string
		for _, f := range flags {
			names = append(names, f.Names()...)
		}
		msg = "unknown flag " + dashes(flag)
		if s := agenda.Suggest(flag, names); s != "" {
			msg += fmt.Sprintf(": did you mean %s?", dashes(s))
		}
	} else if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		// invalid value "5" for flag -wait: parse error
		value, rest, _ := strings.Cut(rest, " for flag ")
		flag, _, _ := strings.Cut(rest, ":")
		flag = strings.TrimLeft(flag, "-")
		for _, f := range flags {
			if !slices.Contains(f.Names(), flag) {
				continue
			}
			switch f.(type) {
			case *cli.DurationFlag:
				msg = fmt.Sprintf("%s %s is not a length of time: write it as 30s, 5m, 1h or 1h30m", dashes(flag), value)
			case *cli.Float64Flag, *cli.IntFlag:
				msg = fmt.Sprintf("%s %s is not a number", dashes(flag), value)
			case *cli.BoolFlag:
				msg = fmt.Sprintf("%s takes no value, or true or false: %s is neither", dashes(flag), value)
			}
		}
	}
	return usageErrorf("%s (see '%s --help')", msg, name)
}

// load reads and parses the programme named by the command's one argument,
// printing its problems. It fails when the programme has errors, or
// warnings under --strict.
func load(c *cli.Context, env *environment) (*agenda.Programme, error) {
	return loadSource(c, env, &publish.Source{})
}

// loadSource is load, also keeping what the programme was read from in
// src (its files, and the warnings it gave); src holds the programme
// file's bytes where they were read already.
func loadSource(c *cli.Context, env *environment, src *publish.Source) (*agenda.Programme, error) {
	if c.NArg() != 1 {
		return nil, usageErrorf("%s takes one programme file, as in 'agendacal %s programme.yaml'", c.Command.Name, c.Command.Name)
	}
	prog, problems, err := parseFile(c, env, c.Args().First(), src)
	if err != nil {
		return nil, err
	}
	for _, p := range problems {
		// A build prints only what may need mending, so that cron mails
		// nothing when all is well: notes are for check.
		if p.Severity == agenda.Note {
			continue
		}
		if p.Severity == agenda.Warning {
			src.Remarks = append(src.Remarks, p.String())
		}
		if p.Severity == agenda.Warning && c.Bool("quiet") {
			continue
		}
		fmt.Fprintln(env.stderr, p)
	}
	if err := problems.Err(c.Bool("strict")); err != nil {
		// The problems are printed already: the status says the rest.
		return nil, &exitError{code: exitProblems}
	}
	return prog, nil
}

// parseFile reads and parses a programme file (- for standard input),
// refusing one larger than --max-size as a problem of the file. What it
// was read from goes into src, whose Programme is the file's bytes where
// they were read already (at most --max-size and one byte).
func parseFile(c *cli.Context, env *environment, name string, src *publish.Source) (*agenda.Programme, agenda.Problems, error) {
	limit, err := parseSize(c.String("max-size"))
	if err != nil {
		return nil, nil, err
	}
	text := src.Programme
	switch {
	case name == "-":
		name = "<stdin>"
		text, err = readUpTo(env.stdin, 0, limit)
	case text == "":
		text, err = readLimited(name, limit)
	}
	if err != nil {
		return nil, nil, usageErrorf("cannot read the programme: %v", unwrapPath(err))
	}
	if int64(len(text)) > limit {
		msg := fmt.Sprintf("the programme is larger than --max-size (%s): raise --max-size if it really is this large", c.String("max-size"))
		return nil, agenda.Problems{{Pos: agenda.Pos{File: name, Line: 1, Col: 1}, Message: msg, Code: agenda.CodeOf(msg)}}, nil
	}
	src.Programme = text
	// The heap may grow to 64 MiB and 16 bytes for each byte of the
	// programme (a lean programme's decode takes about 10) before it is
	// first collected.
	collectLater(64<<20+16*int64(len(text)), env.getenv)
	read := includedFiles(c, limit)
	prog, problems := agenda.ParseFiles(name, text, func(path string) (string, error) {
		text, err := read(path)
		if err == nil {
			src.Included = append(src.Included, publish.SourceFile{Name: path, Text: text})
		}
		return text, err
	})
	return prog, problems, nil
}

// includedFiles reads the files a programme includes, each refused past
// --max-size.
func includedFiles(c *cli.Context, limit int64) func(path string) (string, error) {
	return func(path string) (string, error) {
		text, err := readLimited(path, limit)
		if err == nil && int64(len(text)) > limit {
			err = fmt.Errorf("it is larger than --max-size (%s)", c.String("max-size"))
		}
		return text, unwrapPath(err)
	}
}

// readLimited reads a file, at most limit+1 bytes: enough to tell one over
// the limit without ever holding more.
func readLimited(path string, limit int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	return readUpTo(f, size, limit)
}

// readUpTo reads at most limit+1 bytes, as text: the programme's strings
// are cut from it, not copied. size, when known, sets the buffer at once
// (strings.Builder does not zero it).
func readUpTo(r io.Reader, size, limit int64) (string, error) {
	var b strings.Builder
	b.Grow(int(max(min(size, limit)+1, 512)))
	_, err := io.Copy(&b, io.LimitReader(r, limit+1))
	return b.String(), err
}

func unwrapPath(err error) error {
	if err == nil {
		return nil
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%q: %v", pe.Path, pe.Err)
	}
	return err
}

func check(c *cli.Context, env *environment) error {
	if c.NArg() == 0 {
		return usageErrorf("check takes one or more programme files, as in 'agendacal check programme.yaml'")
	}
	format := c.String("format")
	if format != "text" && format != "json" && format != "github" {
		return usageErrorf("--format %q: choose text, json or github", format)
	}
	var all agenda.Problems
	failed := false
	for _, name := range c.Args().Slice() {
		_, problems, err := parseFile(c, env, name, &publish.Source{})
		if err != nil {
			return err
		}
		all = append(all, problems...)
		failed = failed || problems.Err(c.Bool("strict")) != nil
	}
	if err := writeProblems(env.stdout, env.stderr, format, all); err != nil {
		return &exitError{code: exitOutput, msg: err.Error()}
	}
	if failed {
		return &exitError{code: exitProblems}
	}
	return nil
}

func build(c *cli.Context, env *environment) error {
	stamp, err := buildTime(env.getenv)
	if err != nil {
		return err
	}
	for _, name := range []string{"alarm", "keep-removed", "wait"} {
		if d := c.Duration(name); d < 0 {
			return usageErrorf("--%s %s is negative: give how long, as in 15m", name, d)
		}
	}
	out := c.String("out")
	src, fresh := upToDate(c, env, out, stamp)
	if fresh {
		return nil
	}
	var ahead *publish.ReadAhead
	if out != "-" && !strings.HasPrefix(out, "s3://") && strings.TrimSpace(out) != "" {
		ahead = publish.StartReadAhead(out)
	}
	prog, err := loadSource(c, env, src)
	if err != nil {
		return err
	}
	if out == "-" {
		src = nil // no bookkeeping for standard output: the files' bytes are garbage
	} else {
		src.Seal()
	}
	// The YAML and its node tree are garbage now: collected before the
	// calendars are made, their memory serves again, and a build peaks at
	// about what decoding the YAML takes.
	runtime.GC()
	opts := ical.Options{Stamp: stamp}
	if strings.TrimSpace(out) == "" {
		return usageErrorf("--out is empty: name the folder to publish into, or - for standard output")
	}
	if out == "-" {
		if err := ical.Write(env.stdout, prog, opts); err != nil {
			return &exitError{code: exitOutput, msg: fmt.Sprintf("writing to standard output: %v", err)}
		}
		return nil
	}
	base, err := baseURL(c, prog)
	if err != nil {
		return err
	}
	if strings.HasPrefix(out, "s3://") {
		return buildBucket(c, env, prog, publishOptions(c, stamp, base))
	}
	popts := publishOptions(c, stamp, base)
	popts.Source, popts.ReadAhead = src, ahead
	rep, err := publish.Folder(env.ctx, out, prog, popts)
	if rep.Rebuilt && rep.Recovered > 0 && !c.Bool("quiet") {
		fmt.Fprintf(env.stderr, "agendacal: warning: %s had no bookkeeping (.agendacal.state): read the SEQUENCE of %d events back from its calendars\n", out, rep.Recovered)
	}
	var busy *publish.BusyError
	var partial *publish.PartialError
	var other *publish.OtherProgrammeError
	switch {
	case errors.As(err, &busy):
		return &exitError{code: exitBusy, msg: err.Error() + "\nhint: try again later, or give --wait a longer time"}
	case errors.As(err, &partial), errors.As(err, &other):
		return &exitError{code: exitOutput, msg: err.Error()}
	case errors.Is(err, context.Canceled):
		return &exitError{code: exitOutput, msg: "interrupted: nothing published before was changed"}
	case isFile(out):
		return &exitError{code: exitOutput, msg: err.Error() + fmt.Sprintf("\nhint: --out %q must name a folder, not a file", out)}
	case err != nil:
		return &exitError{code: exitOutput, msg: err.Error() + "\nhint: nothing published before was changed; check that the folder is writable and the disk has room"}
	}
	return nil
}

// upToDate tells whether the output folder already holds what this build
// would publish, from the programme's bytes alone (publish.UpToDate): cron's
// common case, at the cost of reading the file. The warnings the programme
// gave are printed again. src is the build's source: the settings, and
// the programme file as read, for the build to parse when the folder is
// not up to date (its Programme nil if unread).
func upToDate(c *cli.Context, env *environment, out string, now time.Time) (src *publish.Source, fresh bool) {
	src = &publish.Source{Settings: buildSettings(c)}
	name := c.Args().First()
	if c.NArg() != 1 || name == "-" || out == "-" || strings.HasPrefix(out, "s3://") || strings.TrimSpace(out) == "" {
		return src, false
	}
	limit, err := parseSize(c.String("max-size"))
	if err != nil {
		return src, false
	}
	text, err := readLimited(name, limit)
	if err != nil {
		return src, false
	}
	src.Programme = text
	if int64(len(text)) > limit {
		return src, false
	}
	remarks, ok := publish.UpToDate(out, src, includedFiles(c, limit), now)
	if !ok || len(remarks) > 0 && c.Bool("strict") {
		return src, false
	}
	if !c.Bool("quiet") {
		for _, r := range remarks {
			fmt.Fprintln(env.stderr, r)
		}
	}
	return src, true
}

// buildSettings is what decides a build's output besides the programme's
// files: the programme's name as given, the flags, agendacal itself (the
// binary's identity) and the tz database.
func buildSettings(c *cli.Context) []string {
	binary := "unknown"
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			binary = fmt.Sprintf("%s %d %d", exe, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return []string{
		"binary " + binary, version(),
		// The programme's name as given: its included files are found
		// from there, and its warnings name it so.
		"programme " + c.Args().First(),
		"base-url " + c.String("base-url"), "alarm " + c.Duration("alarm").String(),
		"keep-removed " + c.Duration("keep-removed").String(), "force " + strconv.FormatBool(c.Bool("force")),
	}
}

// publishOptions are the publishing flags.
func publishOptions(c *cli.Context, stamp time.Time, base string) publish.Options {
	return publish.Options{
		Now: stamp, Wait: c.Duration("wait"), KeepRemoved: c.Duration("keep-removed"), Force: c.Bool("force"), Alarm: c.Duration("alarm"), BaseURL: base,
	}
}

// baseURL is where the folder is served: --base-url, else the programme's
// base_url.
func baseURL(c *cli.Context, p *agenda.Programme) (string, error) {
	s := c.String("base-url")
	if s == "" {
		return p.BaseURL, nil
	}
	base, err := agenda.CheckBaseURL(s)
	if err != nil {
		return "", usageErrorf("--base-url %s", err)
	}
	return base, nil
}

// serveFolder builds the programme, serves its folder and rebuilds it when
// the programme file changes, until it is interrupted.
func serveFolder(c *cli.Context, env *environment) error {
	out := c.String("out")
	if out == "-" || strings.HasPrefix(out, "s3://") {
		return usageErrorf("serve needs a folder: give --out DIR")
	}
	if err := build(c, env); err != nil {
		return err
	}
	l, err := net.Listen("tcp", c.String("addr"))
	if err != nil {
		return &exitError{code: exitOutput, msg: fmt.Sprintf("cannot listen on %q: %v", c.String("addr"), err)}
	}
	fmt.Fprintf(env.stderr, "agendacal: serving %s at http://%s/ (Ctrl-C stops)\n", out, l.Addr())
	err = serve.Run(env.ctx, l, serve.Options{
		Dir: out, Watch: c.Args().First(), Log: env.stderr,
		Rebuild: func() error { return build(c, env) },
	})
	if err != nil {
		return &exitError{code: exitOutput, msg: err.Error()}
	}
	return nil
}

// parseSize reads a size such as 128MiB, 50MB, 4096 or 1G.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		scale  int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}
	scale := int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, scale = strings.TrimSpace(rest), u.scale
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/scale {
		return 0, usageErrorf("--max-size %q must be a size such as 64MiB", s)
	}
	return n * scale, nil
}

// isFile tells whether path names something other than a folder.
func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}

// buildTime is the DTSTAMP of a build: SOURCE_DATE_EPOCH when set, so that
// builds are reproducible, else now.
func buildTime(getenv func(string) string) (time.Time, error) {
	s := getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || secs < 0 || secs >= 253402300800 { // 10000-01-01: DTSTAMP has four digits for the year
		return time.Time{}, usageErrorf("SOURCE_DATE_EPOCH=%q must be a number of seconds since 1970", s)
	}
	return time.Unix(secs, 0).UTC(), nil
}

func initProgramme(c *cli.Context, env *environment) error {
	if c.NArg() > 1 {
		return usageErrorf("init takes at most one file name")
	}
	name := c.Args().First()
	if name == "" {
		name = "programme.yaml"
	}
	if name == "-" {
		if _, err := env.stdout.Write(examples.Pristina()); err != nil {
			return &exitError{code: exitOutput, msg: fmt.Sprintf("writing to standard output: %v", err)}
		}
		return nil
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return usageErrorf("%q exists already; give another file name or remove it", name)
	}
	if err != nil {
		return &exitError{code: exitOutput, msg: unwrapPath(err).Error()}
	}
	_, err = f.Write(examples.Pristina())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return &exitError{code: exitOutput, msg: fmt.Sprintf("writing %q: %v", name, err)}
	}
	fmt.Fprintf(env.stderr, "agendacal: wrote %s; build it with 'agendacal build %s'\n", name, name)
	return nil
}

// interspersed moves a command's flags before its arguments, so that
// 'agendacal build programme.yaml --out site' means what it says: urfave/cli
// stops reading flags at the first argument.
func interspersed(app *cli.App, args []string) ([]string, error) {
	if len(args) < 2 {
		return nil, usageErrorf("no command: agendacal %s (see 'agendacal --help')", strings.Join(commandNames(app), ", "))
	}
	var cmd *cli.Command
	at := 1
	for ; at < len(args); at++ {
		if !strings.HasPrefix(args[at], "-") {
			if args[at] == "help" {
				// 'agendacal help build' is 'agendacal build --help'.
				return append(append([]string{}, args[:at]...), append(args[at+1:], "--help")...), nil
			}
			cmd = app.Command(args[at])
			if cmd == nil {
				if c := agenda.Suggest(args[at], commandNames(app)); c != "" {
					return nil, usageErrorf("unknown command %q: did you mean %q? (see 'agendacal --help')", args[at], c)
				}
				return nil, usageErrorf("unknown command %q: the commands are %s (see 'agendacal --help')", args[at], strings.Join(commandNames(app), ", "))
			}
			break
		}
	}
	if cmd == nil {
		return args, nil
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		if _, isBool := f.(*cli.BoolFlag); isBool {
			continue
		}
		for _, n := range f.Names() {
			takesValue[n] = true
		}
	}
	head := append([]string{}, args[:at+1]...)
	var flags, positional []string
	rest := args[at+1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			positional = append(positional, rest[i+1:]...)
			i = len(rest)
		case a == "-" || !strings.HasPrefix(a, "-"):
			positional = append(positional, a)
		default:
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && takesValue[name] {
				if i+1 == len(rest) || rest[i+1] != "-" && strings.HasPrefix(rest[i+1], "-") {
					return nil, usageErrorf("flag %s needs a value (see 'agendacal %s --help')", a, cmd.Name)
				}
				i++
				flags = append(flags, rest[i])
			}
		}
	}
	out := append(head, flags...)
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out, nil
}
