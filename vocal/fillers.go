package vocal

import (
	"math"
	"strings"
	"unicode"

	"github.com/nevermind-ai/nevermind"
)

// Fillers counts filler words in the transcript. Spontaneous speech has 2–6
// filled pauses per 100 words (Bortfeld et al. 2001, Language and Speech
// 44(2)); the bands are those of screenpipe's speech coach (< 2 % good,
// > 5 % needs work).
type Fillers struct {
	Words      int                  `json:"words"`         // transcript words
	Count      int                  `json:"count"`         // fillers found
	PerHundred float64              `json:"per_100_words"` // norm for spontaneous speech: 2–6
	Band       string               `json:"band"`          // "good" (< 2), "ok" (2–5), "needs_work" (> 5)
	ByWord     map[string]int       `json:"by_word"`       // count per filler (normalised spelling)
	Bursts     []nevermind.Interval `json:"bursts"`        // ≥ 3 fillers within 10 s: moments of load
	WPM        Num                  `json:"wpm"`           // words per minute over the answer
}

// fillerWords returns the filler lists of a language. "Sure" fillers always
// count; "maybe" fillers are ordinary words too (그 사람, I like it), so they
// count only when a pause of at least 0.3 s touches them, which is how they
// sound as fillers.
func fillerWords(language string) (sure, maybe []string) {
	switch language {
	case "ko":
		return []string{"음", "어", "으", "음음", "어어", "엄", "흠", "아"},
			[]string{"그", "저", "뭐", "이제", "약간", "좀", "그러니까", "아무튼", "사실", "그냥", "막"}
	case "en":
		return []string{"um", "uh", "er", "erm", "uhm", "hmm", "mm", "ah"},
			[]string{"like", "so", "well", "actually", "basically", "literally", "you know", "i mean", "kind of", "sort of"}
	}
	return nil, nil
}

const (
	fillerPauseS = 0.3
	burstCount   = 3
	burstWindowS = 10.0
)

func normalizeWord(s string) string {
	s = strings.ToLower(strings.TrimFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) || r == '…' }))
	// "음음음" and "ummm" are the same filler as "음" and "um".
	var b strings.Builder
	var last rune
	for _, r := range s {
		if r != last {
			b.WriteRune(r)
		}
		last = r
	}
	return b.String()
}

func fillersOf(words []nevermind.Word, language string, duration float64) *Fillers {
	f := &Fillers{Words: len(words), ByWord: map[string]int{}, Bursts: []nevermind.Interval{}, WPM: undefined()}
	if duration > 0 {
		f.WPM = Num(roundTo(float64(len(words))/duration*60, 1))
	}
	langs := []string{language}
	if language == "" {
		langs = []string{"ko", "en"}
	}
	sure, maybe := map[string]bool{}, map[string]bool{}
	for _, l := range langs {
		sw, mw := fillerWords(l)
		for _, w := range sw {
			sure[normalizeWord(w)] = true
		}
		for _, w := range mw {
			maybe[w] = true
		}
	}
	norm := make([]string, len(words))
	for i, w := range words {
		norm[i] = normalizeWord(w.Text)
	}
	pauseAround := func(i, j int) bool { // words i..j inclusive
		before := i == 0 || words[i].Start-words[i-1].End >= fillerPauseS
		after := j == len(words)-1 || words[j+1].Start-words[j].End >= fillerPauseS
		return before || after
	}
	var times []float64
	for i := 0; i < len(words); i++ {
		if sure[norm[i]] {
			f.ByWord[norm[i]]++
			times = append(times, words[i].Start)
			continue
		}
		if i+1 < len(words) {
			if two := norm[i] + " " + norm[i+1]; maybe[two] && pauseAround(i, i+1) {
				f.ByWord[two]++
				times = append(times, words[i].Start)
				i++
				continue
			}
		}
		if maybe[norm[i]] && pauseAround(i, i) {
			f.ByWord[norm[i]]++
			times = append(times, words[i].Start)
		}
	}
	f.Count = len(times)
	if f.Words > 0 {
		f.PerHundred = roundTo(100*float64(f.Count)/float64(f.Words), 2)
	}
	switch {
	case f.PerHundred < 2:
		f.Band = "good"
	case f.PerHundred <= 5:
		f.Band = "ok"
	default:
		f.Band = "needs_work"
	}
	// Bursts: maximal groups where each filler is within 10 s of the group's
	// first and the group holds at least 3.
	for i := 0; i < len(times); {
		j := i
		for j+1 < len(times) && times[j+1]-times[i] <= burstWindowS {
			j++
		}
		if j-i+1 >= burstCount {
			f.Bursts = append(f.Bursts, nevermind.Interval{Start: roundTo(times[i], 2), End: roundTo(math.Max(times[j], times[i]), 2)})
			i = j + 1
		} else {
			i++
		}
	}
	return f
}
