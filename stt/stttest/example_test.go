package stttest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/nevermind-ai/nevermind/stt"
	"github.com/nevermind-ai/nevermind/stt/stttest"
)

// The fake endpoint records what the client uploaded, so a test can check
// the request as well as what came back.
func ExampleNewServer() {
	whisper := stttest.NewServer("sk-test", func(r stttest.Request) (stttest.Reply, error) {
		return stttest.Reply{Text: "Um, I led the migration.", Language: "english"}, nil
	})
	defer whisper.Close()

	tr, err := stt.NewOpenAI(stt.OpenAIConfig{APIKey: "sk-test", BaseURL: whisper.URL})
	if err != nil {
		log.Fatal(err)
	}
	audio := stt.Audio{Samples: make([]float32, 2*16000), SampleRate: stt.SampleRate}
	t, err := tr.Transcribe(context.Background(), audio, stt.Options{Language: "en"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %q %d segment\n", t.Language, t.Text, len(t.Segments))

	req := whisper.Requests()[0]
	fmt.Println(req.Model, req.ResponseFormat, req.TimestampGranularities, req.Language)
	fmt.Printf("prompt %q, %.1f s in %d bytes\n", req.Prompt, req.Audio.Duration(), req.WAVBytes)
	// Output:
	// en "Um, I led the migration." 1 segment
	// whisper-1 verbose_json [word segment] en
	// prompt "Umm, uh, so, like... you know.", 2.0 s in 64044 bytes
}

// Scripted failures become stt's sentinel errors, so a caller's handling of
// each can be tested.
func ExampleServer_FailNext() {
	whisper := stttest.NewServer("", func(stttest.Request) (stttest.Reply, error) {
		return stttest.Reply{Text: "unused"}, nil
	})
	defer whisper.Close()
	tr, err := stt.NewOpenAI(stt.OpenAIConfig{APIKey: "local", BaseURL: whisper.URL, HTTPClient: http.DefaultClient})
	if err != nil {
		log.Fatal(err)
	}
	audio := stt.Audio{Samples: make([]float32, 1600), SampleRate: stt.SampleRate}
	for _, status := range []int{401, 400, 429, 503} {
		whisper.FailNext(status)
		_, err := tr.Transcribe(context.Background(), audio, stt.Options{})
		fmt.Println(status, errors.Is(err, stt.ErrUnauthorized), errors.Is(err, stt.ErrBadRequest),
			errors.Is(err, stt.ErrRateLimited), errors.Is(err, stt.ErrUnavailable))
	}
	// Output:
	// 401 true false false false
	// 400 false true false false
	// 429 false false true false
	// 503 false false false true
}

// A scripted Transcriber stands in wherever an stt.Transcriber is taken.
func ExampleTranscriber() {
	tr := &stttest.Transcriber{Transcript: stttest.Spread("I led the team", 0.5, 2.5)}
	var _ stt.Transcriber = tr // what interview.Pipeline.Transcriber takes

	audio := stt.Audio{Samples: make([]float32, 3*16000), SampleRate: stt.SampleRate}
	t, err := tr.Transcribe(context.Background(), audio, stt.Options{Language: "en"})
	if err != nil {
		log.Fatal(err)
	}
	for _, w := range t.Words {
		fmt.Printf("%.1f–%.1f %s\n", w.Start, w.End, w.Text)
	}
	fmt.Println(t.Duration, len(tr.Calls()), tr.Calls()[0].Options.Language)
	// Output:
	// 0.5–1.0 I
	// 1.0–1.5 led
	// 1.5–2.0 the
	// 2.0–2.5 team
	// 3 1 en
}
