// Package questions decides what to ask a candidate and how their answer
// did: an embedded bank of basic questions, personalised questions from a
// cover letter and job description, follow-ups to an answer, and content
// feedback on the answer's transcript.
//
// Everything works with or without a language model. Pass an [LLM] (such
// as [OpenAI], for any OpenAI-compatible endpoint) for model-written text;
// pass nil for the offline rules, which are deterministic, explained in the
// doc of each Offline function, and marked Source "offline" in the output.
//
// Generating questions from a cover letter:
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
// Evaluating an answer (normally the stt transcript):
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
// removed and listed in Evaluation.Notes; a reply that repeats the
// instructions is rejected with [ErrModelOutput].
package questions
