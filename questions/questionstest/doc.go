// Package questionstest provides test doubles for code that uses package
// questions, in the way net/http/httptest does for HTTP.
//
// Two doubles cover the two places a test can cut in:
//
//   - [LLM] is a scripted [questions.LLM], for testing code that takes any
//     LLM (questions.Generate, questions.Evaluate, interview.Pipeline): it
//     returns the replies it was given, in order, and records each
//     [questions.Prompt], so a test can check both what the model was asked
//     and what the package made of the answer. The replies are the model's
//     raw text, so a test can also send malformed or hostile output and see
//     it refused with [questions.ErrModelOutput].
//   - [Server] is a fake OpenAI-compatible chat-completions endpoint, for
//     testing code that configures [questions.OpenAI] (or reads
//     OPENAI_BASE_URL through questions.LLMFromEnv). It speaks the real
//     protocol: bearer authentication, the chat.completion reply shape,
//     OpenAI's error envelope and its json_object rule. [Server.FailNext]
//     scripts the failures questions reports as its sentinels: 401 is
//     [questions.ErrUnauthorized], a 429 that outlasts the retries
//     [questions.ErrRateLimited], 5xx [questions.ErrUnavailable];
//     [Server.RejectJSONSchema] plays a model without structured outputs.
//
// A test of the reply checks, with no network at all:
//
//	llm := &questionstest.LLM{Replies: []string{`{"questions":[{"text":"What is Redis?","type":"job"}]}`}}
//	_, err := questions.Generate(ctx, llm, questions.Request{CoverLetter: letter})
//	if !errors.Is(err, questions.ErrModelOutput) { … } // too generic to keep
//	if p := llm.Prompts()[0]; p.Schema.Name != "interview_questions" { … }
package questionstest
