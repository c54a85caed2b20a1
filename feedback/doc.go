// Package feedback turns the analyses of one recorded interview answer —
// voice (package [vocal]), video ([vision]), transcript ([stt]) and content
// ([questions]) — into the feedback a candidate reads: scored metrics with
// grades and the numbers behind them, one timeline of problem moments, a
// short summary in Korean and English, the one to three things to practise
// next, and progress since earlier answers.
//
// # Summarising an answer
//
// Pass whatever analyses ran to [Summarize]; any field of [Input] may be
// nil. An analysis that failed goes in [Input.Failed] with the reason, so
// the summary says so instead of quietly scoring without it:
//
//	sum, err := feedback.Summarize(feedback.Input{
//		Voice:   voiceReport, // vocal.Analyze
//		Vision:  videoReport, // vision.Analyze
//		Content: evaluation,  // questions.Evaluate
//		Failed:  nevermind.Failures{nevermind.Transcript: err}, // the transcriber's error
//	}, feedback.Options{Language: "ko", History: earlier})
//	if err != nil { … }
//	fmt.Println(*sum.OverallScore, sum.Text.Ko)
//	for _, m := range sum.Metrics {
//		fmt.Println(m.Label.Ko, m.Score, m.GradeLabel.Ko, m.Finding.Ko)
//	}
//	for _, p := range sum.Practice {
//		fmt.Println("-", p.Text.Ko)
//	}
//
// Package [github.com/nevermind-ai/nevermind/feedback/report] prints a
// [Summary] as a terminal report and writes it as a self-contained HTML page
// with plots.
//
// # Metrics and scores
//
// Every [Metric] has a 0–100 score and a [Grade] with the bands of the
// original NEVER MIND FastAPI service (the seed; docs/api-compat.md): 80 and
// above is good (양호), 60–79 fair (보통), below 60 needs work (개선필요). A measure
// with a target range scores 80 at the edges of the range rising to 100 at
// its centre, and loses 20 points per "tolerance" outside it, so one
// tolerance out is the needs-work boundary. The ranges, and the studies
// behind them:
//
//   - pace: Korean 3.8–5.3 syllables/s (our band, from adults' talking rate,
//     4.2 ± 0.7 syllables/s, up to their reading rate, 5.1 ± 0.4; J. Speech
//     Sciences 9(4), 2002); faster than news announcers (5.8/s) needs work.
//     English 100–165 words per minute (Microsoft Speaker Coach's target),
//     80 and 185 need work.
//   - pauses: 100, minus 15 per pause of 2.5 s or more and 5 per other pause
//     of 1 s or more, per minute of answer (at least one minute is assumed).
//     Pauses under 1 s are natural and cost nothing; pauses are detected
//     from 250 ms (de Jong & Bosker 2013).
//   - fillers: under 2 per 100 words is good, over 5 needs work (the bands
//     of screenpipe's speech coach; spontaneous speech has 2–6, Bortfeld et
//     al. 2001). Without a transcript the audio's filled-pause detector
//     counts per minute with the same numbers.
//   - pitch_variation: the SD of pitch in semitones over 10-s windows; 3–8
//     is good, below 2 needs work (monotone: Hincks' speakers ranged from
//     about 1.9 to 4.1 st, and liveliness ratings followed the measure).
//   - trailing_off: the share of phrases whose last 300 ms fall 6 dB below
//     the phrase; up to 0.2 is good, 0.4 needs work (our band: no published
//     norm).
//   - tremor: the original service's tremor score, unchanged.
//   - eye_contact: the share of speaking time spent looking into the
//     camera lens, package vision's camera gaze within its 9° cone (of all
//     face frames when speech times are unknown); 60 % is good, 80 % and
//     more scores 100, 45 % needs work. Speakers look at their listener less
//     than half the time face to face, and in video interviews looking into
//     the camera was rated better than looking at the screen (Shinya et al.
//     2024), so our 60 % asks a little more than conversation. Its finding
//     suggests a calibration when the report had none.
//   - look_away: the longest look away from the camera; up to 5 s is good,
//     10 s needs work (people prefer mutual gaze of about 3.3 s, Binetti et
//     al. 2016, and looking away while thinking is normal, so only a single
//     look-away over about 5 s is flagged).
//   - head_stability: package vision's head stability × 100 (1 is still,
//     0 at 30°/s), so 6°/s of head movement is the good boundary.
//   - posture: the original service's posture percentage, mapped so its own
//     boundaries (90 % 양호, 70 % 보통) land on ours (80 and 60).
//   - smile: the share of frames with a smile; 10 % is good, 25 % scores 100
//     (our band: there is no norm, but smiling more predicts better ratings,
//     Naim et al.). Only the mouth is measured; no emotion is inferred.
//   - content (star, specificity, structure, relevance, length): the rubric's
//     1–5 points × 20, so 4/5 is good and 3/5 fair.
//
// The summary never judges character: it says "네 번, 2.5초 넘게 멈췄습니다",
// never "자신감이 없습니다": feedback describes behaviour, not traits. Tests
// check both languages against a list of forbidden words.
//
// # The overall score
//
// The original service had no overall score. Ours is the weighted mean of
// the metric scores. Each modality weighs in proportion to how much of it
// was measured, and the weights are renormalised over what was measured, so
// a recording without video is scored on voice and content alone, and a
// filler count from a transcript does not stand in for the whole voice:
//
//   - content 40 %: interviews are decided on what is said. HireVue dropped
//     facial analysis and now scores transcripts only, and in Naim et al.'s
//     study lexical features (unique words, "we" over "I", fewer fillers)
//     predicted interview ratings best.
//   - voice 35 %: delivery is the next strongest predictor (fluent speech,
//     fewer fillers; Naim et al.), and the one students found most useful
//     to be told about (MACH, speaking rate).
//   - vision 25 %: looking at the camera clearly helps in video interviews
//     (Shinya et al. 2024; Basch & Melchers 2024), but camera gaze from a
//     webcam is the least reliable measurement (an eye is 20–30 pixels
//     wide; see package [vision] for its measured accuracy) and expression
//     analysis is contested, so it weighs least.
//
// Inside a modality the weights are: pace 25 %, pauses 25 %, fillers 20 %,
// pitch variation 20 %, trailing off 5 %, tremor 5 % (jitter and shimmer are
// measures for sustained vowels, not running speech); STAR 30 %, specificity
// 25 %, structure 20 %, relevance 15 %, length 10 %; eye contact 45 %, posture
// 20 %, longest look-away 15 %, head movement 10 %, smile 10 %. Fillers
// counted from a transcript belong to modality "transcript" but weigh as
// delivery, inside the voice share. Each metric carries its final
// [Metric.Weight], so the overall score can be recomputed by hand.
//
// # Timeline
//
// [Summary.Timeline] merges the problem moments of every analysis into one
// list: moments that overlap in time become one [Moment] with several
// [Reason] entries (a long pause while looking away is one moment, two
// reasons), each keeping its own times and evidence. Stretches longer than
// [MaxMergeSpan] stay on their own. The original service's fast and slow
// stretches are left out when the voice report has its syllable-based
// measures: they count intensity peaks rather than syllables and flag
// ordinary speech as fast (a LibriVox reading at 2.6 syllables/s is "fast"
// throughout), which would contradict the pace metric; they remain in the
// voice report. [Summary.TopMoments] ranks them: moments where more analyses
// agree come first.
//
// # Progress
//
// With [Options.History] (earlier summaries, oldest first),
// [Summary.Progress] compares each metric with the last session that measured
// it. A change smaller than the just-noticeable difference is reported as
// "unchanged": 10 % for pace (Quené's tempo JND), 0.5 semitones of pitch
// variation, one pause over 2.5 s, one filler per 100 words, one rubric
// point, five points of a score. With three or more sessions a least-squares
// trend is given.
package feedback
