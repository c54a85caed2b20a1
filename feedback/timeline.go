package feedback

import (
	"fmt"
	"sort"

	"github.com/nevermind-ai/nevermind"
)

// Moment is one stretch of the answer with one or more problems. When
// problems from different analyses overlap in time (a long pause while
// looking away) they form one moment with several reasons.
type Moment struct {
	Start   float64  `json:"start"`   // seconds from the start of the recording
	End     float64  `json:"end"`     // seconds
	Reasons []Reason `json:"reasons"` // what happened, one per analysis finding
}

// Reason is one problem inside a Moment, as the analysis that found it
// reported it.
type Reason struct {
	Kind  string         `json:"kind"`     // e.g. long_pause, speed_fast, filled_pause, look_away
	Part  nevermind.Part `json:"modality"` // the analysis that found it
	Start float64        `json:"start"`    // seconds
	End   float64        `json:"end"`      // seconds
	// Text describes the problem with its numbers.
	Text     Text               `json:"text"`
	Evidence map[string]float64 `json:"evidence"` // the numbers behind it, as the analysis reported them
}

// Duration is the moment's length in seconds.
func (m Moment) Duration() float64 { return m.End - m.Start }

// Parts counts the distinct parts among the reasons.
func (m Moment) Parts() int {
	seen := map[nevermind.Part]bool{}
	for _, r := range m.Reasons {
		seen[r.Part] = true
	}
	return len(seen)
}

// TopMoments returns up to n moments of [Summary.Timeline], most important
// first: those where more analyses agree, then those with more reasons, then
// the longer ones. Ties keep time order.
func (s *Summary) TopMoments(n int) []Moment {
	top := append([]Moment(nil), s.Timeline...)
	sort.SliceStable(top, func(i, j int) bool {
		a, b := top[i], top[j]
		if a.Parts() != b.Parts() {
			return a.Parts() > b.Parts()
		}
		if len(a.Reasons) != len(b.Reasons) {
			return len(a.Reasons) > len(b.Reasons)
		}
		return a.Duration() > b.Duration()
	})
	if len(top) > n {
		top = top[:n]
	}
	return top
}

// mergeTimeline collects the problem moments of every modality that is not
// failed and merges the ones that overlap in time.
func mergeTimeline(in Input, status map[nevermind.Part]PartStatus) []Moment {
	var rs []Reason
	if in.Voice != nil && status[nevermind.Voice].Status == StatusOK {
		for _, m := range in.Voice.Timeline {
			if seedSpeedSpan(m.Kind) && in.Voice.Fluency != nil {
				continue
			}
			rs = append(rs, vocalReason(m))
		}
	}
	if status[nevermind.Vision].Status == StatusOK {
		rs = append(rs, visionMoments(in)...)
	}
	return merge(rs)
}

// MaxMergeSpan is the longest moment merging makes, in seconds. A problem
// longer than that (a fast-speaking stretch of half a minute) stays a moment
// of its own, and a chain of overlapping problems is cut where it would grow
// longer, so a moment stays something a person can replay and recognise.
const MaxMergeSpan = 10.0

// merge groups reasons whose intervals overlap (touching counts) into
// moments spanning them all, within MaxMergeSpan.
func merge(rs []Reason) []Moment {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Start != rs[j].Start {
			return rs[i].Start < rs[j].Start
		}
		return rs[i].End < rs[j].End
	})
	var out, stretches []Moment
	open := -1 // index in out of the moment still growing
	for _, r := range rs {
		if !finite(r.Start) || !finite(r.End) || r.End < r.Start {
			continue
		}
		if r.End-r.Start > MaxMergeSpan {
			stretches = append(stretches, Moment{Start: r.Start, End: r.End, Reasons: []Reason{r}})
			continue
		}
		if open >= 0 && r.Start <= out[open].End && max(out[open].End, r.End)-out[open].Start <= MaxMergeSpan {
			m := &out[open]
			m.End = max(m.End, r.End)
			m.Reasons = append(m.Reasons, r)
			continue
		}
		out = append(out, Moment{Start: r.Start, End: r.End, Reasons: []Reason{r}})
		open = len(out) - 1
	}
	out = append(out, stretches...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	if out == nil {
		out = []Moment{}
	}
	return out
}

// seedSpeedSpan reports the original service's fast and slow stretches.
// They count intensity peaks, not syllables, and flag ordinary speech: a
// LibriVox reading at 2.6 syllables/s (106 wpm) is "fast" from end to end.
// When the syllable-based measures exist (Fluency), the pace metric speaks
// for speed and these stay in the voice report's seed-compatible Grouped.
func seedSpeedSpan(kind string) bool { return kind == "speed_fast" || kind == "speed_slow" }

func vocalReason(m nevermind.Moment) Reason {
	ev := clean(m.Evidence)
	r := Reason{Kind: m.Kind, Part: nevermind.Voice, Start: round(m.Start, 2), End: round(m.End, 2), Evidence: ev}
	d := m.End - m.Start
	switch m.Kind {
	case "long_pause":
		r.Text = Text{fmt.Sprintf("%.1f초 동안 멈췄습니다.", d), fmt.Sprintf("Paused for %.1f s.", d)}
	case "pause_high":
		r.Text = Text{fmt.Sprintf("%.1f초 동안 말보다 멈춤이 많았습니다.", d), fmt.Sprintf("More silence than speech for %.1f s.", d)}
	case "pause_low":
		r.Text = Text{fmt.Sprintf("%.0f초 동안 쉬지 않고 이어 말했습니다.", d), fmt.Sprintf("Spoke for %.0f s without a breath pause.", d)}
	case "speed_fast":
		r.Text = Text{fmt.Sprintf("%.1f초 동안 빠르게 말했습니다(초당 약 %.1f음절).", d, ev["artic_med"]), fmt.Sprintf("Spoke fast for %.1f s (about %.1f syllables per second).", d, ev["artic_med"])}
	case "speed_slow":
		r.Text = Text{fmt.Sprintf("%.1f초 동안 느리게 말했습니다(초당 약 %.1f음절).", d, ev["artic_med"]), fmt.Sprintf("Spoke slowly for %.1f s (about %.1f syllables per second).", d, ev["artic_med"])}
	case "filled_pause":
		r.Text = Text{fmt.Sprintf("\"음\"/\"어\"처럼 %.1f초 동안 소리를 끌었습니다.", d), fmt.Sprintf(`A drawn-out "um" or "uh" for %.1f s.`, d)}
	case "filler_burst":
		r.Text = Text{"짧은 사이에 군말이 몰려 나왔습니다.", "Several fillers came close together."}
	case "trailing_off":
		r.Text = Text{fmt.Sprintf("말끝 소리가 %.0fdB 작아졌습니다.", ev["drop_db"]), fmt.Sprintf("The phrase ending dropped %.0f dB.", ev["drop_db"])}
	case "tremor":
		r.Text = Text{fmt.Sprintf("목소리 떨림 지수가 주변보다 높았습니다(최대 %.2f).", ev["tremor_max"]), fmt.Sprintf("The voice tremor index rose above its surroundings (peak %.2f).", ev["tremor_max"])}
	default:
		r.Text = Text{fmt.Sprintf("%s (%.1f초)", m.Kind, d), fmt.Sprintf("%s (%.1f s)", m.Kind, d)}
	}
	return r
}
