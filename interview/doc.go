// Package interview analyses one recorded interview answer from end to end: the recording is
// decoded once, the voice, the picture and the words are analysed concurrently, the
// answer's content is evaluated, and everything is merged into one piece of feedback.
//
// # Analysing a recording
//
// A [Pipeline] holds the long-lived parts — the vision models, the speech-to-text backend and
// the LLM — and is safe for concurrent use, so a server keeps one and calls it for every
// recording. Its zero value analyses the voice only; each field it is given adds a part:
//
//	va, err := vision.New(vision.Options{}) // loads the embedded models once
//	if err != nil {
//		return err
//	}
//	tr, err := stt.FromEnv(os.Getenv) // nil without a configured speech-to-text service
//	if err != nil {
//		return err
//	}
//	p := &interview.Pipeline{Vision: va, Transcriber: tr}
//	res, err := p.AnalyzeFile(ctx, "answer.webm", interview.Options{Language: "ko"})
//	if err != nil {
//		return err // the recording could not be decoded at all
//	}
//	fmt.Println(*res.Feedback.OverallScore, res.Feedback.Text.Ko)
//
// [Pipeline.Analyze] does the same for a stream (an upload body, an object-storage reader),
// and [Options] tune one analysis: the question answered (for content evaluation), the
// parts to skip, frame sampling, decoding limits, the eye-contact calibration stretch, and
// the user's earlier summaries so the feedback reports progress.
//
// # The parts and their failures
//
// The parts are named by [nevermind.Part]: [nevermind.Voice] (package vocal),
// [nevermind.Vision] (package vision), [nevermind.Transcript] (package stt),
// [nevermind.Content] (package questions) and [nevermind.Feedback] (package feedback), and
// [Result] holds one report for each. Each part runs on its own. When one fails — no audio,
// an STT outage, a face the models cannot find — the Result still carries the others, and
// [Result.Failed] holds the failed part's error: the analysing package's sentinel, so a
// caller branches on it with errors.Is:
//
//	if err := res.Failed[nevermind.Voice]; errors.Is(err, vocal.ErrTooShort) {
//		fmt.Println("record a longer answer")
//	}
//
// A part whose analysis panics fails with [ErrInternal]; the panic and its stack go to
// [Pipeline.Logger], never into the Result. Only a recording that cannot be decoded at all
// is an error of Analyze itself (a media sentinel such as media.ErrCorrupt, or
// [ErrNothingToAnalyse]).
//
// # Live analysis
//
// With [Options.Cues] set and a stream that is still being recorded — a reader that blocks
// until the next bytes arrive — the analysis keeps pace with the recording: frames are
// tracked and audio decoded as they come, sparse hints ([Cue]) arrive within about a second
// of what they are about, and when the stream ends only what needs the whole answer is left.
// The Result is the same as the one-shot analysis of the same bytes.
package interview
