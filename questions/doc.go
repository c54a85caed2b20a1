// Package questions decides what to ask a candidate and how their answer
// did: an embedded bank of basic questions ([Bank]), personalised questions
// from a cover letter and job description ([Generate]), follow-ups to an
// answer ([FollowUps]), and content feedback on the answer's transcript
// ([Evaluate]). JSON keys, question types and the Korean fallback sentences
// are those of the seed, the original NEVER MIND FastAPI backend
// (docs/api-compat.md).
//
// Everything works with or without a language model. Pass an [LLM] (such
// as [OpenAI], for any OpenAI-compatible endpoint; [LLMFromEnv] configures
// it from the environment) for model-written text; pass nil for the offline
// rules, which are deterministic, explained in the doc of each Offline
// function ([GenerateOffline], [FollowUpsOffline], [EvaluateOffline]), and
// marked Source [SourceOffline] in the output.
//
// Generating questions from a cover letter ([ParseCoverLetter] reads it):
//
//	letter, err := questions.ParseCoverLetter(data) // JSON qas or plain text
//	if err != nil { … }
//	llm, err := questions.LLMFromEnv(os.Getenv)     // nil without OPENAI_API_KEY
//	if err != nil { … }
//	set, err := questions.Generate(ctx, llm, questions.Request{
//		CoverLetter:    letter,
//		JobDescription: jd,
//		Language:       "ko",
//	})
//	for _, q := range set.Questions {
//		fmt.Println(q.Type, q.Text, "←", q.Evidence)
//	}
//
// Evaluating an answer (normally the transcript from package
// [github.com/nevermind-ai/nevermind/stt]):
//
//	ev, err := questions.Evaluate(ctx, llm, questions.Answer{Question: q, Text: transcript})
//	fmt.Println(ev.OverallSummary)        // the seed's 2- or 4-sentence summary
//	fmt.Println(ev.Rubric.STAR.Score)     // 1–5, with quoted evidence
//	fmt.Println(ev.Metrics.FillerRate)    // fillers per 100 words, counted, not guessed
//
// Model output is never trusted as is. Cover letters, job descriptions and
// transcripts are untrusted text: they travel only inside tagged blocks of
// the user message, with angle brackets neutralised so they cannot close
// their tag, and the instructions tell the model they are data. Replies are
// parsed leniently (structured output, else a fenced or embedded JSON
// object) but checked strictly: questions over 120 characters, of an unknown
// type, in the wrong language or duplicating another are dropped; rubric
// scores outside 1–5 and quotes that are not in the answer are replaced or
// removed and listed in [Evaluation.Notes]; a reply that repeats the
// instructions is rejected with [ErrModelOutput].
//
// # Testing code that uses an LLM
//
// Package [github.com/nevermind-ai/nevermind/questions/questionstest] has a scripted [LLM]
// that replies in order and records each prompt, and a fake OpenAI-compatible
// chat-completions endpoint whose failures come back as this package's sentinels.
package questions
