// Command korean analyses a Korean answer and prints the original service's Korean voice
// feedback: the total score, its summary sentence and each metric's level (양호, 보통, …).
//
//	go run ./examples/korean 답변.webm
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
		log.Fatal("사용법: korean 파일")
	}
	if err := run(context.Background(), os.Args[1], os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, path string, w io.Writer) error {
	var p interview.Pipeline
	// Language "ko" selects Korean speaking-rate bands (syllables per second) and the
	// Korean filler words (음, 어, 그러니까…) when a transcript is available.
	res, err := p.AnalyzeFile(ctx, path, interview.Options{Language: "ko"})
	if err != nil {
		return err
	}
	if err := res.Failed[nevermind.Voice]; err != nil {
		return fmt.Errorf("음성 분석 실패: %w", err)
	}
	v := res.Voice
	fmt.Fprintf(w, "음성 종합 %d점: %s\n", v.TotalScore, v.Summary)
	for _, m := range v.Metrics {
		fmt.Fprintf(w, "%s %d점 (%s) %s\n", m.Label, m.Score, m.Level, m.Description)
	}
	if f := v.Fluency; f != nil {
		fmt.Fprintf(w, "말하기 속도 초당 %.1f음절, 1초 이상 멈춤 %d번\n", f.SpeechRateSPS, len(f.Pauses.Long))
	}
	return nil
}
