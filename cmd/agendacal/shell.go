package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/show"
)

// The commands that document the command line itself, from the same
// definitions as everything else: shell completion and the man page.

func completionCommand(env *environment) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh, fish or powershell)",
		ArgsUsage: "SHELL",
		Description: "Prints a script that completes agendacal's commands, their flags and\n" +
			"programme files (.yaml, .yml). For bash, add to ~/.bashrc:\n" +
			"   source <(agendacal completion bash)\n" +
			"zsh: source <(agendacal completion zsh); fish: agendacal completion fish |\n" +
			"source; PowerShell: agendacal completion powershell | Out-String | Invoke-Expression",
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("completion takes the name of a shell: bash, zsh, fish or powershell")
			}
			var script string
			var err error
			switch shell := c.Args().First(); shell {
			case "bash":
				script = bashCompletion(c.App)
			case "zsh":
				script = "#compdef agendacal\n# zsh completion for agendacal, through zsh's bash completion support.\nautoload -U +X bashcompinit && bashcompinit\n" + bashCompletion(c.App)
			case "fish":
				script, err = c.App.ToFishCompletion()
			case "powershell", "pwsh":
				script = powershellCompletion(c.App)
			default:
				return usageErrorf("no completion for %q: agendacal completes in bash, zsh, fish and powershell", shell)
			}
			if err != nil {
				return &exitError{code: exitOutput, msg: err.Error()}
			}
			_, err = fmt.Fprint(env.stdout, script)
			return err
		},
	}
}

func manCommand(env *environment) *cli.Command {
	return &cli.Command{
		Name:  "man",
		Usage: "print the manual page (roff, section 1)",
		Description: "Install it with: agendacal man > ~/.local/share/man/man1/agendacal.1\n" +
			"or read it at once with: agendacal man | man -l -",
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			page, err := c.App.ToManWithSection(1)
			if err != nil {
				return &exitError{code: exitOutput, msg: err.Error()}
			}
			_, err = fmt.Fprint(env.stdout, page)
			return err
		},
	}
}

// commandFlags lists each visible command with its flags (long and short
// forms), and whether each flag takes a value.
func commandFlags(app *cli.App) (commands []string, flags map[string][]string, valued map[string]bool) {
	flags, valued = map[string][]string{}, map[string]bool{}
	for _, cmd := range app.Commands {
		if cmd.Hidden {
			continue
		}
		commands = append(commands, cmd.Name)
		for _, f := range cmd.Flags {
			if f == cli.HelpFlag {
				continue // added by urfave/cli once the command has run
			}
			_, isBool := f.(*cli.BoolFlag)
			for _, name := range f.Names() {
				dash := "--"
				if len(name) == 1 {
					dash = "-"
				}
				flags[cmd.Name] = append(flags[cmd.Name], dash+name)
				if !isBool {
					valued[dash+name] = true
				}
			}
		}
		flags[cmd.Name] = append(flags[cmd.Name], "--help")
	}
	sort.Strings(commands)
	return commands, flags, valued
}

// bashCompletion is a bash completion function: commands first, then the
// command's flags after a dash, files for a flag's value, and programme
// files (and folders) for arguments.
func bashCompletion(app *cli.App) string {
	commands, flags, valued := commandFlags(app)
	var b strings.Builder
	b.WriteString("# bash completion for agendacal: source <(agendacal completion bash)\n")
	b.WriteString("_agendacal() {\n")
	b.WriteString("  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i\n")
	b.WriteString("  for ((i = 1; i < COMP_CWORD; i++)); do\n")
	b.WriteString("    case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac\n")
	b.WriteString("  done\n")
	fmt.Fprintf(&b, "  if [[ -z $cmd ]]; then\n    COMPREPLY=($(compgen -W '%s --help --version' -- \"$cur\"))\n    return\n  fi\n", strings.Join(commands, " "))
	var takes []string
	for f := range valued {
		takes = append(takes, f)
	}
	sort.Strings(takes)
	fmt.Fprintf(&b, "  case $prev in\n    %s)\n      compopt -o filenames 2>/dev/null\n      COMPREPLY=($(compgen -f -- \"$cur\"))\n      return ;;\n  esac\n", strings.Join(takes, "|"))
	b.WriteString("  local flags=\n  case $cmd in\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "    %s) flags='%s' ;;\n", c, strings.Join(flags[c], " "))
	}
	b.WriteString("  esac\n")
	b.WriteString("  if [[ $cur == -* ]]; then\n    COMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n    return\n  fi\n")
	b.WriteString("  compopt -o filenames 2>/dev/null\n")
	b.WriteString("  COMPREPLY=($(compgen -d -- \"$cur\") $(compgen -f -X '!*.yaml' -- \"$cur\") $(compgen -f -X '!*.yml' -- \"$cur\"))\n")
	b.WriteString("}\ncomplete -F _agendacal agendacal\n")
	return b.String()
}

// powershellCompletion is a PowerShell argument completer with the same
// rules as the bash one.
func powershellCompletion(app *cli.App) string {
	commands, flags, _ := commandFlags(app)
	var b strings.Builder
	b.WriteString("# PowerShell completion for agendacal: agendacal completion powershell | Out-String | Invoke-Expression\n")
	b.WriteString("Register-ArgumentCompleter -Native -CommandName agendacal -ScriptBlock {\n")
	b.WriteString("  param($wordToComplete, $commandAst, $cursorPosition)\n")
	b.WriteString("  $flags = @{\n")
	for _, c := range commands {
		quoted := make([]string, len(flags[c]))
		for i, f := range flags[c] {
			quoted[i] = "'" + f + "'"
		}
		fmt.Fprintf(&b, "    '%s' = @(%s)\n", c, strings.Join(quoted, ", "))
	}
	b.WriteString("  }\n")
	b.WriteString("  $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() } | Where-Object { $_ -notlike '-*' -and $_ -ne $wordToComplete })\n")
	b.WriteString("  if ($words.Count -eq 0) {\n")
	fmt.Fprintf(&b, "    $candidates = @(%s, '--help', '--version')\n", quoteAll(commands))
	b.WriteString("  } elseif ($wordToComplete -like '-*') {\n    $candidates = $flags[$words[0]]\n  } else {\n")
	b.WriteString("    $candidates = @(Get-ChildItem -Name -Path . | Where-Object { $_ -like '*.yaml' -or $_ -like '*.yml' -or (Test-Path $_ -PathType Container) })\n  }\n")
	b.WriteString("  $candidates | Where-Object { $_ -like \"$wordToComplete*\" } | ForEach-Object {\n")
	b.WriteString("    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)\n  }\n}\n")
	return b.String()
}

func quoteAll(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + w + "'"
	}
	return strings.Join(q, ", ")
}

func showCommand(env *environment, shared ...cli.Flag) *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "print the programme as a table, in its zone or another",
		ArgsUsage: "PROGRAMME.yaml",
		Description: "Prints one line a session: day, time, room, track, title and speakers,\n" +
			"in the programme's zone or in --tz. A * marks a session on another day in that\n" +
			"zone than in the programme, a ~ one during which the clocks change there.\n" +
			"Colours on a terminal only, never with NO_COLOR set.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "tz", Usage: "show times in `ZONE` (an IANA name such as America/New_York)"},
			&cli.StringFlag{Name: "track", Usage: "only the sessions of the track `ID`"},
			&cli.StringFlag{Name: "day", Usage: "only the sessions of `DATE` (2006-01-02)"},
		}, shared...),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			prog, err := load(c, env)
			if err != nil {
				return err
			}
			opts := show.Options{Track: c.String("track"), Day: c.String("day"), Colour: colourful(env)}
			if name := c.String("tz"); name != "" {
				loc, _, err := agenda.ResolveZone(name)
				if err != nil {
					return usageErrorf("--tz: %v", err)
				}
				opts.Zone = loc
			}
			n, err := show.Table(env.stdout, prog, opts)
			if err != nil {
				return &exitError{code: exitOutput, msg: err.Error()}
			}
			if n == 0 {
				return usageErrorf("no session matches --track %q --day %q", c.String("track"), c.String("day"))
			}
			return nil
		},
	}
}

// colourful tells whether standard output is a terminal that wants
// colours: not with NO_COLOR set (https://no-color.org) or TERM=dumb.
func colourful(env *environment) bool {
	if env.getenv("NO_COLOR") != "" || env.getenv("TERM") == "dumb" {
		return false
	}
	f, ok := env.stdout.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func schemaCommand(env *environment) *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the JSON Schema of the programme format, for editors",
		Description: "Prints the JSON Schema (draft-07) of programme format v1. Editors with\n" +
			"yaml-language-server (VS Code's YAML extension, Neovim, Helix) complete keys\n" +
			"and flag typos as you type when the programme's first line is\n" +
			"   # yaml-language-server: $schema=" + agenda.SchemaURL + "\n" +
			"as 'agendacal init' writes it; or save this output and name the file instead.",
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			_, err := env.stdout.Write(agenda.Schema())
			return err
		},
	}
}
