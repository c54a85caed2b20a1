package questions

import (
	"regexp"
	"sort"
	"strings"
)

// Metrics are transparent measurements of an answer's transcript. Every
// number is a count anyone can redo by hand; the offline rubric is built only
// from these.
type Metrics struct {
	// Characters counts characters other than ASCII spaces (the seed's
	// length measure); Words counts space-separated tokens.
	Characters int `json:"characters"`
	Words      int `json:"words"`
	Sentences  int `json:"sentences"`
	// FilledPauses are 음, 어, um, uh…; DiscourseFillers are words used as
	// padding (이제, 그러니까, like, you know…). Counted separately because
	// they have different causes.
	FilledPauses     int            `json:"filled_pauses"`
	DiscourseFillers int            `json:"discourse_fillers"`
	Fillers          map[string]int `json:"fillers"`
	// FillerRate is filled pauses plus discourse fillers per 100 words:
	// under 2 is excellent, 2–5 good, above 5 needs work.
	FillerRate float64 `json:"filler_rate"`
	// Hedges count softeners such as "I think", "maybe", "것 같습니다".
	Hedges int `json:"hedges"`
	// Repeats counts a word said twice in a row ("저는 저는", "the the").
	Repeats int `json:"repeats"`
	// OverusedWords are content words making up more than 4 % of the answer
	// and used at least 4 times, most frequent first.
	OverusedWords []string `json:"overused_words"`
	// Numbers and Names count figures and named projects or technologies.
	Numbers int `json:"numbers"`
	Names   int `json:"names"`
	// STAR lists, per component found (situation, task, action, result), the
	// first sentence that shows it.
	STAR map[string]string `json:"star"`
	// Connectives counts order and cause markers (먼저, 그 결과, first, so…).
	Connectives int `json:"connectives"`
}

// STAR components.
const (
	Situation = "situation"
	Task      = "task"
	Action    = "action"
	Result    = "result"
)

var starOrder = []string{Situation, Task, Action, Result}

// Cue lists per language. Korean cues are stems matched inside words;
// English cues are matched on word boundaries of the lower-cased text.
var (
	filledPauses = map[string][]string{
		Korean:  {"음", "어", "으", "흠", "아"},
		English: {"um", "uh", "er", "erm", "ah", "hmm", "umm", "uhh"},
	}
	discourseFillers = map[string][]string{
		Korean:  {"이제", "약간", "좀", "그러니까", "아무튼", "사실", "뭐", "그냥"},
		English: {"like", "you know", "i mean", "basically", "actually", "literally", "right"},
	}
	hedges = map[string][]string{
		Korean:  {"것 같", "아마", "글쎄", "듯합니다", "듯해요"},
		English: {"i think", "maybe", "probably", "i guess", "sort of", "kind of", "perhaps"},
	}
	starCues = map[string]map[string][]string{
		Korean: {
			Situation: {"당시", "상황", "때", "프로젝트에서", "중에", "에서는"},
			Task:      {"목표", "과제", "맡", "해야", "역할", "담당", "책임"},
			Action:    {"구현", "도입", "설계", "분석", "제안", "개발", "작성", "적용", "시도", "정리", "조율", "찾아"},
			Result:    {"결과", "개선", "단축", "증가", "감소", "달성", "배웠", "성과", "줄였", "늘렸", "높였", "깨달"},
		},
		English: {
			Situation: {"when", "at the time", "situation", "during", "last year", "in my", "we were"},
			Task:      {"goal", "task", "needed to", "had to", "responsible", "my role", "was asked", "in charge"},
			Action:    {"i implemented", "i built", "i designed", "i decided", "i wrote", "i analysed", "i analyzed", "i proposed", "i added", "i led", "i changed", "so i", "i started", "i created"},
			Result:    {"as a result", "result", "reduced", "increased", "improved", "achieved", "saved", "learned", "outcome", "cut", "grew", "dropped"},
		},
	}
	connectiveCues = map[string][]string{
		Korean:  {"먼저", "우선", "다음으로", "그래서", "따라서", "결과적으로", "그 결과", "마지막으로", "왜냐하면", "덕분에", "첫째", "둘째"},
		English: {"first", "then", "after that", "finally", "as a result", "because", "so ", "therefore", "next", "second"},
	}
	contentStopwords = map[string]bool{
		"the": true, "and": true, "that": true, "this": true, "with": true, "for": true, "was": true, "were": true,
		"have": true, "had": true, "our": true, "you": true, "are": true, "but": true, "not": true, "from": true,
		"저는": true, "제가": true, "그리고": true, "있습니다": true, "했습니다": true, "합니다": true, "그": true, "수": true, "것": true,
	}
)

// firstPersonAction finds an English action in the first person: "I
// profiled", "we built", "I set up".
var firstPersonAction = regexp.MustCompile(`(?i)\b(i|we)\s+(\w+ed|built|wrote|led|made|ran|set|chose|took|found|drove|brought|began|taught|got|rewrote|split|cut)\b`)

// Measure computes the transcript metrics of an answer; lang is "ko" or "en"
// ("" detects it).
func Measure(answer, lang string) Metrics {
	lang = resolveLanguage(lang, answer)
	m := Metrics{Fillers: map[string]int{}, STAR: map[string]string{}, OverusedWords: []string{}}
	m.Characters = runeLen(strings.ReplaceAll(answer, " ", ""))
	raw := strings.Fields(answer)
	m.Words = len(raw)
	sentences := splitSentences(answer)
	m.Sentences = len(sentences)

	lower := " " + strings.ToLower(spaceRun.ReplaceAllString(answer, " ")) + " "
	freq := map[string]int{}
	prev := ""
	for _, w := range raw {
		bare := strings.ToLower(strings.Trim(w, ".,!?…~\"'()"))
		if bare == "" {
			continue
		}
		if FillerKind(bare, lang) == FilledPause {
			m.FilledPauses++
			m.Fillers[bare]++
		}
		// 그 and 저 are fillers only when followed by a pause mark: "그, 저…"
		if lang == Korean && (bare == "그" || bare == "저") && strings.ContainsAny(w, ",…") {
			m.FilledPauses++
			m.Fillers[bare]++
		}
		if bare == prev {
			m.Repeats++
		}
		prev = bare
		if runeLen(bare) >= 2 && !contentStopwords[bare] {
			freq[bare]++
		}
		if numberToken.MatchString(w) {
			m.Numbers++
		}
	}
	for _, s := range sentences {
		m.Names += countNames(s, lang)
	}
	for _, f := range discourseFillers[lang] {
		n := countPhrase(lower, f, lang)
		if n > 0 {
			m.DiscourseFillers += n
			m.Fillers[f] += n
		}
	}
	for _, h := range hedges[lang] {
		m.Hedges += countPhrase(lower, h, lang)
	}
	for _, c := range connectiveCues[lang] {
		m.Connectives += countPhrase(lower, c, lang)
	}
	if m.Words > 0 {
		m.FillerRate = 100 * float64(m.FilledPauses+m.DiscourseFillers) / float64(m.Words)
	}
	for w, n := range freq {
		if n >= 4 && float64(n) > 0.04*float64(m.Words) {
			m.OverusedWords = append(m.OverusedWords, w)
		}
	}
	sort.Slice(m.OverusedWords, func(i, j int) bool {
		a, b := m.OverusedWords[i], m.OverusedWords[j]
		if freq[a] != freq[b] {
			return freq[a] > freq[b]
		}
		return a < b
	})
	for _, comp := range starOrder {
		for _, s := range sentences {
			if containsAnyCue(s, starCues[lang][comp], lang) || (comp == Action && lang == English && firstPersonAction.MatchString(s)) {
				m.STAR[comp] = s
				break
			}
		}
	}
	return m
}

// countPhrase counts cue in the padded lower-cased text: anywhere for
// Korean stems, on word boundaries for English.
func countPhrase(lower, cue, lang string) int {
	if cue == "" {
		return 0
	}
	if lang == Korean {
		if runeLen(cue) <= 2 && !strings.Contains(cue, " ") {
			// Short Korean fillers must be whole words: 좀 but not 좀비.
			n := 0
			for _, w := range strings.Fields(lower) {
				if strings.Trim(w, ".,!?…~") == cue {
					n++
				}
			}
			return n
		}
		return strings.Count(lower, cue)
	}
	n := 0
	for rest := lower; ; {
		i := strings.Index(rest, cue)
		if i < 0 {
			return n
		}
		before, after := rest[:i], rest[i+len(cue):]
		if boundary(before, true) && boundary(after, false) {
			n++
		}
		rest = after
	}
}

func boundary(s string, atEnd bool) bool {
	if s == "" {
		return true
	}
	var r byte
	if atEnd {
		r = s[len(s)-1]
	} else {
		r = s[0]
	}
	return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
}

func containsAnyCue(s string, cues []string, lang string) bool {
	lower := " " + strings.ToLower(s) + " "
	for _, c := range cues {
		if lang == Korean {
			if strings.Contains(lower, c) {
				return true
			}
		} else if countPhrase(lower, c, lang) > 0 {
			return true
		}
	}
	return false
}

// countNames counts capitalised Latin-script words and acronyms (Redis, AWS,
// FastAPI), skipping an English sentence's first word and capitalised
// fillers such as "Um".
func countNames(sentence, lang string) int {
	n := 0
	for i, w := range strings.Fields(sentence) {
		w = strings.Trim(w, ".,!?()'\"")
		if i == 0 && lang == English {
			continue
		}
		if latinName(w) && !isStopName(w) && !contains(filledPauses[English], strings.ToLower(w)) {
			n++
		}
	}
	return n
}

// Filler kinds returned by [FillerKind].
const (
	FilledPause     = "filled_pause" // 음, 어, um, uh
	DiscourseFiller = "discourse"    // 이제, 그러니까, like, basically
)

// FillerKind classifies one transcript word, as a word-timed transcript
// (nevermind.Word) gives them, so callers can place fillers on a timeline:
// FilledPause, DiscourseFiller or "" for an ordinary word. Punctuation
// around the word is ignored; multi-word fillers ("you know") are counted
// by [Measure] only. lang is "ko" or "en".
func FillerKind(word, lang string) string {
	w := strings.ToLower(strings.Trim(word, ".,!?…~\"'() "))
	if contains(filledPauses[lang], w) {
		return FilledPause
	}
	if !strings.Contains(w, " ") && contains(discourseFillers[lang], w) {
		return DiscourseFiller
	}
	return ""
}
