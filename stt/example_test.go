package stt_test

import (
	"context"
	"fmt"
	"log"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/stt"
	"github.com/nevermind-ai/nevermind/stt/stttest"
)

// A local OpenAI-compatible server (whisper.cpp, faster-whisper-server…) is
// used by pointing BaseURL at it. Here stttest's fake endpoint stands in,
// answering with fixed words.
func ExampleNewOpenAI() {
	local := stttest.NewServer("", func(stttest.Request) (stttest.Reply, error) {
		return stttest.Reply{Text: "음 안녕하세요", Language: "korean", Words: []nevermind.Word{
			{Text: "음", Start: 0.1, End: 0.3}, {Text: "안녕하세요", Start: 0.5, End: 1.1}}}, nil
	})
	defer local.Close()

	tr, err := stt.NewOpenAI(stt.OpenAIConfig{APIKey: "local", BaseURL: local.URL})
	if err != nil {
		log.Fatal(err)
	}
	pcm := make([]float32, 16000*6/5) // 1.2 s from the media package
	t, err := tr.Transcribe(context.Background(), stt.Audio{Samples: pcm, SampleRate: stt.SampleRate}, stt.Options{Language: "ko"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.Language, t.Text)
	for _, w := range t.Words {
		fmt.Printf("%.1f–%.1f %s\n", w.Start, w.End, w.Text)
	}
	// Output:
	// ko 음 안녕하세요
	// 0.1–0.3 음
	// 0.5–1.1 안녕하세요
}
