// Package vocal turns a recorded answer into quantitative, explainable
// feedback on the voice: the four scores (tremor, pause, tone, speed) of the
// original NEVER MIND FastAPI backend, called the seed below
// (docs/api-compat.md), computed exactly as it did, plus measures it never
// had — speech and articulation rate, pauses, filled pauses ("음…", "um") found
// from the audio alone, pitch variation, loudness, trailing-off, filler
// words from a transcript, and an audio quality gate.
//
// # Analysing a recording
//
// Decode the recording to mono float32 PCM (package
// [github.com/nevermind-ai/nevermind/media] does this; 16 kHz is the
// default) and call [Analyze]:
//
//	report, err := vocal.Analyze(ctx, pcm, 16000, vocal.Options{Language: "ko"})
//	if errors.Is(err, vocal.ErrTooShort) { ... }
//	fmt.Println(report.TotalScore, report.Summary)
//	for _, m := range report.Metrics {
//		fmt.Println(m.ID, m.Score, m.Level, m.Description)
//	}
//
// Check [Report.Quality] first: when [Quality.Sufficient] is false
// (clipping, too quiet, no speech, too little speech) the seed's scores are
// still there for compatibility but should not be shown as a judgement;
// [Report.Summary] says why. [ErrTooShort] means the recording is shorter
// than [MinDuration] and was not analysed at all.
//
// With a transcript (word timings from package
// [github.com/nevermind-ai/nevermind/stt]) in [Options.Words] the report also
// counts filler words ([Report.Fillers]) and gives words per minute:
//
//	report, err := vocal.Analyze(ctx, pcm, 16000, vocal.Options{
//		Language: "en",
//		Words:    []nevermind.Word{{Text: "um", Start: 0.2, End: 0.5}, ...},
//	})
//
// Set [Options.Series] to get the pitch and intensity contours for plotting.
// [Report.Timeline] lists every problem moment (tremor, fast or slow
// stretch, too many or too few pauses, long pause, filled pause, trailing
// off, filler burst) with its start, end and the numbers behind it.
// [Report.Speech] lists when the candidate was speaking — the sounding
// stretches, split by the same 250-ms pauses [Fluency] counts — so that
// other analyses can look only at those times (eye contact while speaking):
//
//	for _, s := range report.Speech {
//		fmt.Printf("speaking from %.2f s to %.2f s\n", s.Start, s.End)
//	}
//
// To follow an answer while it is being recorded (live hints: a long pause,
// speaking too fast), feed its audio to a [Monitor] instead.
//
// # Measurements
//
// The measurements come from package [praat], a pure-Go implementation of
// Praat's algorithms that matches Praat 6.3 frame for frame (see its
// documentation for the verified tolerances). The seed's Praat objects are
// computed once: Pitch (ac, 0.01 s, 75–500 Hz), Intensity (75 Hz, mean
// subtracted), PointProcess (periodic, cc, 75–500 Hz) and Harmonicity (cc,
// 0.01 s, 75 Hz, 0.1, 1 period).
//
// # Compatibility with the original service
//
// [Report.TotalScore], [Report.Summary], [Report.Metrics] and
// [Report.Grouped] reproduce the seed's voice-feedback payload: the same
// windows, formulas, thresholds, scores, levels and Korean strings, with
// Python's round-half-to-even rounding. These deliberate deviations fix its
// bugs:
//
//   - Tremor: the seed took Python's max() over the windows' tremor scores,
//     which returns NaN when the first window is NaN (a recording starting in
//     silence), forcing level 주의/55; here NaN windows are skipped. Its
//     numpy medians of jitter, shimmer and HNR were NaN as soon as one
//     window was, which cancelled every penalty; here NaN windows are
//     skipped too. If no window is measurable the metric is 정보부족 with
//     score 0, like an empty timeline in the seed.
//   - Speed description: the seed always said "말하기 속도가 빠른 편이나
//     명료성은 유지." whatever the speed; here it is that sentence above
//     170 wpm, "말하기 속도가 다소 느린 편." below 140 and "말하기 속도가
//     적절함." in between. The summary no longer calls slow speech (level
//     빠름/느림 below 140 wpm) "속도는 다소 빠름"; it says "속도는 다소 느림".
//   - grouped.pause_low was always empty; it now lists sounding stretches of
//     at least 10 s without a 250-ms pause (talking on without a breath).
//     The seed's frame pause ratio cannot serve here: it is close to 0 in
//     any fluent speech.
//   - The seed recomputed the same Pitch for every tremor window; it is
//     computed once (same values, much faster).
//   - The reply never contains NaN (the seed then answered 500 after saving
//     the results): unmeasurable numbers are null.
//
// # Beyond the seed
//
// Fluency follows de Jong & Wempe (2009): syllable nuclei are intensity
// peaks (50 Hz intensity) above the 0.99 quantile minus 25 dB, with a dip of
// more than 2 dB before the next peak, voiced and inside sounding
// intervals; speech rate is syllables per total time, articulation rate per
// phonation time. Pauses are silences of at least 250 ms between sounding
// intervals; those of 1 s and more are listed, those of 2.5 s and more
// counted. Rate bands: Korean 3.8–5.3 syllables/s is good, above 5.8 very
// fast; English 100–165 wpm is good. Prosody gives F0 variation in
// semitones (monotone below 2 st in 10-s windows, lively from 3 st),
// Hincks' PVQ, loudness relative to the speaker's median, and trailing-off
// (phrases whose last 300 ms fall 6 dB below the phrase median).
//
// Filled pauses are found without a transcript: stretches of at least
// 0.35 s whose pitch is smooth and nearly a straight line, whose loudness is
// steady and whose spectrum stays the same. On espeak-ng answers with
// inserted fillers the detector reaches precision 0.82 / recall 0.90 on the
// tuning set and 0.71 / 0.62 on a held-out set (TestFilledPausePrecisionRecall;
// benchmarks/vocal/README.md). It is a heuristic: lengthened words can be
// taken for fillers.
package vocal
