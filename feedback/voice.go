package feedback

import (
	"fmt"
	"math"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/vocal"
)

// Weights of the metrics inside their modality (renormalised over the
// metrics present); the package doc explains them.
var metricWeight = map[string]float64{
	// voice
	"pace": 0.25, "pauses": 0.25, "fillers": 0.20, "pitch_variation": 0.20,
	"trailing_off": 0.05, "tremor": 0.05,
	// vision
	"eye_contact": 0.45, "look_away": 0.15, "head_stability": 0.10, "posture": 0.20, "smile": 0.10,
	// content
	"star": 0.30, "specificity": 0.25, "structure": 0.20, "relevance": 0.15, "length": 0.10,
}

// Speaking-rate norms. Korean: 3.8–5.3 syllables/s spans adults' talking
// rate (4.2 ± 0.7 syllables/s) up to their reading rate (5.1 ± 0.4; J. Speech
// Sciences 9(4), 2002); faster than news announcers (5.8/s) needs work.
// English: Microsoft Speaker Coach's 100–165 wpm; 80 and 185 wpm (the lower
// end of pause-free "pure message" rates) need work.
var (
	paceKo = band{lo: 3.8, hi: 5.3, tolLo: 0.8, tolHi: 0.5}
	paceEn = band{lo: 100, hi: 165, tolLo: 20, tolHi: 20}
)

func voiceMetrics(in Input, lang string, dur float64, words bool) []Metric {
	r := in.Voice
	var out []Metric
	if f := r.Fluency; f != nil {
		if m, ok := paceMetric(f, lang); ok {
			out = append(out, m)
		}
		out = append(out, pauseMetric(f, dur))
	}
	if m := fillerMetric(in, dur, words); m != nil {
		out = append(out, *m)
	}
	if p := r.Prosody; p != nil {
		if m, ok := pitchMetric(p); ok {
			out = append(out, m)
		}
		if m, ok := trailingMetric(p); ok {
			out = append(out, m)
		}
	}
	if m, ok := tremorMetric(r); ok {
		out = append(out, m)
	}
	return out
}

func newMetric(id string, mod nevermind.Part, label Text, score int, value float64, unit, target string, ev map[string]float64) Metric {
	g := GradeOf(score)
	return Metric{
		ID: id, Part: mod, Label: label, Score: score, Grade: g, GradeLabel: g.Label(),
		Value: value, Unit: unit, Target: target, Evidence: clean(ev), Meaning: meanings[id],
	}
}

func paceMetric(f *vocal.Fluency, lang string) (Metric, bool) {
	label := Text{"말하기 속도", "Speaking rate"}
	ev := map[string]float64{"speech_rate_sps": f.SpeechRateSPS, "articulation_rate_sps": float64(f.ArticulationRateSPS), "syllables": float64(f.Syllables)}
	if f.WPM.Valid() {
		ev["wpm"] = float64(f.WPM)
	}
	if lang == "en" {
		wpm := float64(f.WPM)
		if !f.WPM.Valid() {
			return Metric{}, false
		}
		m := newMetric("pace", nevermind.Voice, label, paceEn.score(wpm), round(wpm, 0), "wpm", "100–165", ev)
		est := ""
		if f.WPMEstimated {
			est = " (estimated from syllables)"
		}
		m.Finding = Text{
			Ko: fmt.Sprintf("분당 %.0f단어로 말했습니다(권장 100–165).", wpm),
			En: fmt.Sprintf("You spoke at %.0f words per minute%s; 100–165 is the usual range.", wpm, est),
		}
		if wpm > paceEn.hi {
			m.Finding.Ko = fmt.Sprintf("분당 %.0f단어로, 권장 범위(100–165)보다 빠르게 말했습니다.", wpm)
			m.Finding.En = fmt.Sprintf("You spoke at %.0f words per minute%s, faster than the usual 100–165.", wpm, est)
		} else if wpm < paceEn.lo {
			m.Finding.Ko = fmt.Sprintf("분당 %.0f단어로, 권장 범위(100–165)보다 느리게 말했습니다.", wpm)
			m.Finding.En = fmt.Sprintf("You spoke at %.0f words per minute%s, slower than the usual 100–165.", wpm, est)
		}
		return m, true
	}
	sps := f.SpeechRateSPS
	if !finite(sps) || f.Syllables == 0 {
		return Metric{}, false
	}
	m := newMetric("pace", nevermind.Voice, label, paceKo.score(sps), round(sps, 2), "syllables_per_s", "3.8–5.3", ev)
	m.Finding = Text{
		Ko: fmt.Sprintf("초당 %.1f음절로 말했습니다(권장 3.8–5.3).", sps),
		En: fmt.Sprintf("You spoke at %.1f syllables per second; 3.8–5.3 is the usual range.", sps),
	}
	if sps > paceKo.hi {
		m.Finding.Ko = fmt.Sprintf("초당 %.1f음절로, 권장 범위(3.8–5.3)보다 빠르게 말했습니다.", sps)
		m.Finding.En = fmt.Sprintf("You spoke at %.1f syllables per second, faster than the usual 3.8–5.3.", sps)
	} else if sps < paceKo.lo {
		m.Finding.Ko = fmt.Sprintf("초당 %.1f음절로, 권장 범위(3.8–5.3)보다 느리게 말했습니다.", sps)
		m.Finding.En = fmt.Sprintf("You spoke at %.1f syllables per second, slower than the usual 3.8–5.3.", sps)
	}
	return m, true
}

// perMinute divides a count by the answer's length, but by at least a
// minute, so one pause in a 15-second answer does not count as four.
func perMinute(n int, dur float64) float64 { return float64(n) / math.Max(dur, 60) * 60 }

// pauseMetric scores silent pauses: −15 per pause of 2.5 s or more and −5
// per other pause of 1 s or more, per minute: long pauses are reported from
// 1 s, and the ones over 2.5 s are the moments worth coaching.
func pauseMetric(f *vocal.Fluency, dur float64) Metric {
	p := f.Pauses
	veryLong := p.VeryLongCount
	long := len(p.Long)
	score := clampScore(100 - 15*perMinute(veryLong, dur) - 5*perMinute(long-veryLong, dur))
	ev := map[string]float64{
		"pauses": float64(p.Count), "long_pauses": float64(long), "very_long_pauses": float64(veryLong),
		"pause_total_s": p.TotalS, "pauses_per_minute": p.PerMinute,
	}
	longest := 0.0
	for _, x := range p.Long {
		longest = math.Max(longest, x.End-x.Start)
	}
	if long > 0 {
		ev["longest_pause_s"] = round(longest, 2)
	}
	m := newMetric("pauses", nevermind.Voice, Text{"멈춤", "Pauses"}, score, float64(veryLong), "count", "none ≥ 2.5 s", ev)
	switch {
	case veryLong > 0:
		m.Finding = Text{
			Ko: fmt.Sprintf("%s, 2.5초 넘게 멈췄습니다(가장 긴 멈춤 %.1f초).", koTimes(veryLong), longest),
			En: fmt.Sprintf("You paused for more than 2.5 s %s (longest %.1f s).", enTimes(veryLong), longest),
		}
	case long > 0:
		m.Finding = Text{
			Ko: fmt.Sprintf("1초 넘는 멈춤이 %s 있었고, 2.5초를 넘은 것은 없었습니다.", koTimes(long)),
			En: fmt.Sprintf("You paused for over 1 s %s, never longer than 2.5 s.", enTimes(long)),
		}
	default:
		m.Finding = Text{Ko: "1초 넘게 멈춘 곳이 없었습니다.", En: "No pause lasted longer than 1 s."}
	}
	return m
}

// fillerMetric counts hesitation fillers: from transcript words when the voice
// report has them, else from the content evaluation's transcript count (both
// modality Transcript), else the audio's filled-pause detector (per minute,
// modality Voice). With words false (the transcript failed) only the audio
// counts. Bands: < 2 per 100 words good, > 5 needs work (screenpipe's speech
// coach; spontaneous speech has 2–6); audio: < 2 per minute good, > 5 needs
// work.
func fillerMetric(in Input, dur float64, words bool) *Metric {
	label := Text{"군말", "Fillers"}
	if words && in.Voice != nil && in.Voice.Fillers != nil && in.Voice.Fillers.Words > 0 {
		f := in.Voice.Fillers
		m := newMetric("fillers", nevermind.Transcript, label, atMost(2, 3).score(f.PerHundred), round(f.PerHundred, 2), "per_100_words", "< 2",
			map[string]float64{"fillers": float64(f.Count), "words": float64(f.Words), "per_100_words": f.PerHundred, "bursts": float64(len(f.Bursts))})
		m.Finding = fillerFinding(f.Count, f.Words, f.PerHundred)
		return &m
	}
	if c := in.Content; words && c != nil && c.Metrics.Words > 0 {
		n := c.Metrics.FilledPauses + c.Metrics.DiscourseFillers
		m := newMetric("fillers", nevermind.Transcript, label, atMost(2, 3).score(c.Metrics.FillerRate), round(c.Metrics.FillerRate, 2), "per_100_words", "< 2",
			map[string]float64{"fillers": float64(n), "words": float64(c.Metrics.Words), "per_100_words": c.Metrics.FillerRate,
				"filled_pauses": float64(c.Metrics.FilledPauses), "discourse_fillers": float64(c.Metrics.DiscourseFillers)})
		m.Finding = fillerFinding(n, c.Metrics.Words, c.Metrics.FillerRate)
		return &m
	}
	if in.Voice != nil && in.Voice.Fluency != nil {
		n := len(in.Voice.Fluency.FilledPauses)
		rate := perMinute(n, dur)
		m := newMetric("fillers", nevermind.Voice, label, atMost(2, 3).score(rate), round(rate, 2), "per_minute", "< 2",
			map[string]float64{"filled_pauses": float64(n), "per_minute": round(rate, 2)})
		if n == 0 {
			m.Finding = Text{Ko: "\"음\", \"어\" 같은 소리를 끄는 군말이 들리지 않았습니다.", En: `No drawn-out "um" or "uh" was heard.`}
		} else {
			m.Finding = Text{
				Ko: fmt.Sprintf("\"음\", \"어\"처럼 소리를 끄는 군말이 %s 들렸습니다(분당 %.1f회).", koTimes(n), rate),
				En: fmt.Sprintf(`A drawn-out "um" or "uh" was heard %s (%.1f per minute).`, enTimes(n), rate),
			}
		}
		return &m
	}
	return nil
}

func fillerFinding(n, words int, per100 float64) Text {
	if n == 0 {
		return Text{Ko: fmt.Sprintf("%d단어 중 군말이 없었습니다.", words), En: fmt.Sprintf("No fillers in %d words.", words)}
	}
	return Text{
		Ko: fmt.Sprintf("%d단어 중 군말이 %d개였습니다(100단어당 %.1f개, 권장 2개 미만).", words, n, per100),
		En: fmt.Sprintf("%s in %d words (%.1f per 100 words; under 2 is the aim).", plural(n, "filler", "fillers"), words, per100),
	}
}

// pitchMetric scores pitch variation: the SD of F0 in semitones over 10-s
// windows; below 2 st sounds monotone, 3 st and more lively (pitch
// differences of 2–3 st are needed to be noticed, Grawunder & Bose 2008).
func pitchMetric(p *vocal.Prosody) (Metric, bool) {
	sd := p.PitchSDStWindowed
	if !sd.Valid() {
		sd = p.PitchSDSt
	}
	if !sd.Valid() {
		return Metric{}, false
	}
	v := float64(sd)
	ev := map[string]float64{"pitch_sd_st": float64(p.PitchSDSt), "pitch_sd_st_windowed": float64(p.PitchSDStWindowed), "pvq": float64(p.PVQ), "pitch_median_hz": float64(p.PitchMedianHz)}
	m := newMetric("pitch_variation", nevermind.Voice, Text{"억양 변화", "Pitch variation"}, band{lo: 3, hi: 8, tolLo: 1, tolHi: 4}.score(v), round(v, 2), "semitones", "3–8", ev)
	switch {
	case v < 2:
		m.Finding = Text{Ko: fmt.Sprintf("음높이 변화가 %.1f반음으로 좁아 단조롭게 들립니다(3반음 이상 권장).", v), En: fmt.Sprintf("Pitch varied by only %.1f semitones, which sounds flat (3 or more is lively).", v)}
	case v < 3:
		m.Finding = Text{Ko: fmt.Sprintf("음높이 변화는 %.1f반음이었습니다(3반음 이상 권장).", v), En: fmt.Sprintf("Pitch varied by %.1f semitones (3 or more sounds lively).", v)}
	default:
		m.Finding = Text{Ko: fmt.Sprintf("음높이 변화가 %.1f반음으로 생동감 있게 들립니다.", v), En: fmt.Sprintf("Pitch varied by %.1f semitones, which sounds lively.", v)}
	}
	return m, true
}

// trailingMetric scores the share of phrases whose last 300 ms fall 6 dB
// below the phrase; our own band (no published norm): up to 20 % is good,
// 40 % needs work. Fewer than three phrases say too little.
func trailingMetric(p *vocal.Prosody) (Metric, bool) {
	if p.Phrases < 3 || !p.TrailingOffRatio.Valid() {
		return Metric{}, false
	}
	v := float64(p.TrailingOffRatio)
	m := newMetric("trailing_off", nevermind.Voice, Text{"말끝 흐림", "Trailing off"}, atMost(0.2, 0.2).score(v), round(v, 3), "ratio", "≤ 0.2",
		map[string]float64{"phrases": float64(p.Phrases), "trailing_off": float64(p.TrailingOff)})
	m.Finding = Text{
		Ko: fmt.Sprintf("%d개 구절 중 %d개에서 말끝 소리가 6dB 이상 작아졌습니다.", p.Phrases, p.TrailingOff),
		En: fmt.Sprintf("%d of %d phrases ended 6 dB or more quieter than the rest of the phrase.", p.TrailingOff, p.Phrases),
	}
	if p.TrailingOff == 0 {
		m.Finding = Text{
			Ko: fmt.Sprintf("%d개 구절 모두 말끝까지 같은 크기로 말했습니다.", p.Phrases),
			En: fmt.Sprintf("All %d phrases kept their volume to the end.", p.Phrases),
		}
	}
	return m, true
}

// tremorMetric carries the seed's tremor score unchanged. Jitter and shimmer
// are measures for sustained vowels, not running speech, so it weighs
// little.
func tremorMetric(r *vocal.Report) (Metric, bool) {
	for _, sm := range r.Metrics {
		if sm.ID != "tremor" || sm.Level == "정보부족" {
			continue
		}
		d, ok := sm.Details.(*vocal.TremorDetails)
		if !ok || !d.ZMax.Valid() {
			return Metric{}, false
		}
		ev := map[string]float64{"z_max": float64(d.ZMax), "jitter_pct": float64(d.JitterPct), "shimmer_pct": float64(d.ShimmerPct), "hnr_db": float64(d.HNRdB)}
		m := newMetric("tremor", nevermind.Voice, Text{"목소리 떨림", "Voice tremor"}, sm.Score, float64(d.ZMax), "index", "< 0.8", ev)
		m.Finding = Text{
			Ko: fmt.Sprintf("떨림 지수는 최대 %.2f였습니다(0.8 미만 양호).", float64(d.ZMax)),
			En: fmt.Sprintf("The tremor index peaked at %.2f (under 0.8 is good).", float64(d.ZMax)),
		}
		return m, true
	}
	return Metric{}, false
}

// koTimes writes a count of occurrences the way Korean says it: 한 번, 네 번, 12번.
func koTimes(n int) string {
	native := []string{"", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉", "열"}
	if n > 0 && n < len(native) {
		return native[n] + " 번"
	}
	return fmt.Sprintf("%d번", n)
}

func enTimes(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	words := []string{"", "", "", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
	if n < len(words) {
		return words[n] + " times"
	}
	return fmt.Sprintf("%d times", n)
}
