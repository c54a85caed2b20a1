package stt_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/nevermind-ai/nevermind/stt"
)

// A local OpenAI-compatible server (whisper.cpp, faster-whisper-server…) is
// used by pointing BaseURL at it. Here a stand-in server answers with a
// fixed verbose_json body.
func ExampleNewOpenAI() {
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"task":"transcribe","language":"korean","duration":1.2,"text":"음 안녕하세요",
			"words":[{"word":"음","start":0.1,"end":0.3},{"word":"안녕하세요","start":0.5,"end":1.1}],
			"segments":[{"id":0,"start":0,"end":1.2,"text":"음 안녕하세요","avg_logprob":-0.1}]}`)
	}))
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
