// Command analyze-file analyses one recorded answer with the interview pipeline and prints
// the voice report: the four scores of the original service and every problem moment.
//
//	go run ./examples/analyze-file answer.webm
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/interview"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: analyze-file FILE")
	}
	if err := run(context.Background(), os.Args[1], os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, path string, w io.Writer) error {
	var p interview.Pipeline // voice only: no transcriber, no LLM, nothing leaves the machine
	res, err := p.AnalyzeFile(ctx, path, interview.Options{Language: "en"})
	if err != nil {
		return err
	}
	if err := res.Failed[nevermind.Voice]; err != nil {
		return fmt.Errorf("voice analysis failed: %w", err)
	}
	v := res.Voice
	fmt.Fprintf(w, "voice score %d/100\n", v.TotalScore)
	for _, m := range v.Metrics {
		fmt.Fprintf(w, "%-7s %3d %s\n", m.ID, m.Score, m.Description)
	}
	for _, m := range v.Timeline {
		fmt.Fprintf(w, "%5.1f–%5.1f s %s\n", m.Start, m.End, m.Kind)
	}
	return nil
}
