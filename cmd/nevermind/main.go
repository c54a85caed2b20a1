// Command nevermind analyses interview-answer recordings and serves the NEVER MIND API.
//
//	nevermind analyze [flags] FILE                     print the analysis of one recording
//	nevermind questions --cover-letter FILE [flags]    generate interview questions
//	nevermind serve [--addr :8000] [--migrate] [--worker]  serve the HTTP API
//	nevermind worker                                   run analysis jobs from the shared database
//	nevermind migrate up|down|status                   manage the database schema
//	nevermind version                                  print the version and the libav it uses
//
// Run a command with -h for its flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/nevermind-ai/nevermind/media"
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"analyze", "analyse one recording and print the report", runAnalyze},
		{"questions", "generate interview questions from a cover letter and a job description", runQuestions},
		{"serve", "serve the HTTP API (configured by the environment)", runServe},
		{"worker", "run analysis jobs from the shared database", runWorker},
		{"migrate", "apply, roll back or list database migrations", runMigrate},
		{"version", "print the version and the libav libraries in use", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "nevermind:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		return flag.ErrHelp
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: nevermind COMMAND [flags] [args]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}

// newFlags makes a command's flag set; its usage prints usage (the synopsis and what the
// command does) and then the flags, if it has any.
func newFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(stderr, "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseNoArgs parses the flags of a command that takes no other arguments.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		fs.Usage()
		return fmt.Errorf("%s takes no arguments", fs.Name())
	}
	return nil
}

// parseInterspersed parses flags that may come before or after the positional arguments,
// as in `nevermind analyze answer.webm --json`.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func runVersion(_ context.Context, _ []string, stdout, _ io.Writer) error {
	fmt.Fprintf(stdout, "nevermind %s\nlibav (FFmpeg) %s\n", buildVersion(), media.LibavVersion())
	return nil
}

// buildVersion is the module version and, for builds from a checkout, the commit.
func buildVersion() string {
	version := "(devel)"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	if info.Main.Version != "" {
		version = info.Main.Version
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			version += " " + s.Value
		}
	}
	return version
}
