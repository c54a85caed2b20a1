// Command custom-transcriber plugs a transcriber of your own into the interview pipeline.
// Anything with a Transcribe method is an stt.Transcriber; this one takes the words from a
// WebVTT caption file — from a captioning tool or a human transcriber — instead of a speech
// service, so filler words, words per minute and the content evaluation work offline.
//
//	go run ./examples/custom-transcriber answer.webm answer.vtt
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/stt"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: custom-transcriber RECORDING CAPTIONS.vtt")
	}
	if err := run(context.Background(), os.Args[1], os.Args[2], os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, recording, vtt string, w io.Writer) error {
	f, err := os.Open(vtt)
	if err != nil {
		return err
	}
	defer f.Close()
	captions, err := parseVTT(f)
	if err != nil {
		return err
	}
	p := interview.Pipeline{Transcriber: captions}
	res, err := p.AnalyzeFile(ctx, recording, interview.Options{Language: "en", Question: "Tell me about a project you are proud of."})
	if err != nil {
		return err
	}
	if len(res.Failed) > 0 {
		return fmt.Errorf("analysis failed: %v", res.Failed)
	}
	fmt.Fprintf(w, "transcript: %s\n", res.Transcript.Text)
	if fl := res.Voice.Fillers; fl != nil {
		fmt.Fprintf(w, "filler words: %d (%.1f per 100 words)\n", fl.Count, fl.PerHundred)
	}
	fmt.Fprintf(w, "content (%s): %s\n", res.Content.Source, res.Content.OverallSummary)
	return nil
}

// captions is a transcriber that already knows the words: WebVTT cues, each cue's words
// spread evenly over its time span.
type captions []cue

type cue struct {
	start, end float64
	text       string
}

func (c captions) Transcribe(ctx context.Context, audio stt.Audio, opts stt.Options) (*stt.Transcript, error) {
	tr := &stt.Transcript{Language: opts.Language, Duration: audio.Duration()}
	var text []string
	for _, q := range c {
		words := strings.Fields(q.text)
		step := (q.end - q.start) / float64(len(words))
		for i, word := range words {
			tr.Words = append(tr.Words, nevermind.Word{Text: word, Start: q.start + float64(i)*step, End: q.start + float64(i+1)*step, Confidence: 1})
		}
		tr.Segments = append(tr.Segments, stt.Segment{Start: q.start, End: q.end, Text: q.text})
		text = append(text, q.text)
	}
	tr.Text = strings.Join(text, " ")
	return tr, nil
}

// parseVTT reads the cues of a WebVTT file: "00:00:01.000 --> 00:00:04.500" lines
// followed by the cue's text.
func parseVTT(r io.Reader) (captions, error) {
	var cues captions
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		from, to, ok := strings.Cut(line, " --> ")
		if !ok {
			continue
		}
		start, err1 := parseTimestamp(from)
		end, err2 := parseTimestamp(strings.Fields(to)[0])
		if err1 != nil || err2 != nil || end <= start {
			return nil, fmt.Errorf("bad cue timing %q", line)
		}
		var text []string
		for sc.Scan() && strings.TrimSpace(sc.Text()) != "" {
			text = append(text, strings.TrimSpace(sc.Text()))
		}
		cues = append(cues, cue{start, end, strings.Join(text, " ")})
	}
	if len(cues) == 0 {
		return nil, fmt.Errorf("no cues in the caption file")
	}
	return cues, sc.Err()
}

func parseTimestamp(s string) (float64, error) {
	if strings.Count(s, ":") == 1 {
		s = "00:" + s
	}
	var h, m, sec, ms int
	if _, err := fmt.Sscanf(s, "%d:%d:%d.%d", &h, &m, &sec, &ms); err != nil {
		return 0, err
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond
	return d.Seconds(), nil
}
