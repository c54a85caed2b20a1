// Package nevermind holds the few small types and errors that every other package of the
// module speaks: a stretch of time ([Interval]), a problem moment on the answer's timeline
// ([Moment]), a transcript word with its timing ([Word]), the name of one analysis of a
// recording ([Part]) and the failures of the remote services behind speech-to-text and the
// LLM ([ErrUnauthorized] and its siblings).
//
// It imports nothing but the standard library, so the analysers (vocal, vision, stt,
// questions) can share these types without depending on one another: the speech stretches
// vocal finds are the [Interval]s vision measures eye contact over, the words stt returns are
// the [Word]s vocal counts fillers in, and the [Moment]s of both merge into one timeline.
//
// A caller that runs the analyses through the interview package meets these types in its
// Result:
//
//	res, err := p.AnalyzeFile(ctx, "answer.webm", interview.Options{
//		Vision: vision.AnalyzeOptions{Calibration: &nevermind.Interval{Start: 0.5, End: 2.5}},
//	})
//	if err != nil {
//		return err
//	}
//	if err := res.Failed[nevermind.Voice]; errors.Is(err, vocal.ErrTooShort) {
//		fmt.Println("record a longer answer")
//	}
package nevermind
