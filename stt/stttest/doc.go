// Package stttest provides test doubles for code that uses package stt, in
// the way net/http/httptest does for HTTP.
//
// Two doubles cover the two places a test can cut in:
//
//   - [Server] is a fake OpenAI-compatible transcription endpoint, for
//     testing code that configures [stt.OpenAI] itself (or reads
//     OPENAI_BASE_URL through [stt.FromEnv]). It speaks the real protocol:
//     bearer authentication, a multipart upload whose WAV it decodes, json
//     or verbose_json replies with word and segment timings, and OpenAI's
//     error envelope. [Server.FailNext] scripts the failures that stt
//     reports as its sentinel errors: 401 is [stt.ErrUnauthorized], 400
//     [stt.ErrBadRequest], a 429 that outlasts the retries
//     [stt.ErrRateLimited], and 5xx [stt.ErrUnavailable].
//   - [Transcriber] is a scripted [stt.Transcriber], for testing code that
//     takes any Transcriber (interview.Pipeline does): it returns the
//     transcript or error it was given and records each call. [Spread]
//     makes a transcript with word timings from plain text.
//
// A test of a component that transcribes through a local Whisper server:
//
//	whisper := stttest.NewServer("", func(r stttest.Request) (stttest.Reply, error) {
//		return stttest.Reply{Text: "음 안녕하세요", Language: "korean"}, nil
//	})
//	defer whisper.Close()
//	tr, err := stt.NewOpenAI(stt.OpenAIConfig{APIKey: "local", BaseURL: whisper.URL})
//	…
//	if got := whisper.Requests(); len(got) != 1 || got[0].Language != "ko" { … }
//
// Both doubles are safe for concurrent use and need no network beyond the
// loopback interface.
package stttest
