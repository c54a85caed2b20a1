package questions

import (
	"fmt"
	"sort"
	"strings"
)

// EvaluateOffline evaluates an answer with transparent rules over its
// [Metrics], no model involved, and marks the result [SourceOffline]:
//
//   - star: 1 + the number of STAR components whose cue words appear.
//   - relevance: the share of the question's key words (crudely stemmed)
//     that recur in the answer: ≥ 50 % → 5, ≥ 25 % → 4, any → 3, none → 2
//     (overlap cannot prove an answer off topic); 0 without a question.
//   - specificity: numbers plus named things: 0 → 1, 1 → 2, 2 → 3,
//     3–4 → 4, 5 or more → 5.
//   - structure: 5, minus one each for no order or cause markers in a
//     multi-sentence answer, run-on sentences, a filler rate above 5 per 100
//     words, and three or more immediate repetitions.
//   - length: Korean characters or English words against a spoken 1–2
//     minute answer (ko 300–900 characters, en 100–320 words → 5).
//
// The summary is assembled from the weakest and strongest criteria in the
// seed's 2- or 4-sentence form.
func EvaluateOffline(a Answer) (*Evaluation, error) {
	text := strings.TrimSpace(a.Text)
	if text == "" {
		return nil, fmt.Errorf("%w: the answer is empty", ErrNoInput)
	}
	lang := resolveLanguage(a.Language, text)
	m := Measure(text, lang)
	ev := &Evaluation{Metrics: m, Language: lang, LengthClass: LengthClass(text), Source: SourceOffline}
	ev.Rubric = Rubric{
		STAR:        starCriterion(m, lang),
		Relevance:   relevanceCriterion(a.Question, text, lang),
		Specificity: specificityCriterion(text, m, lang),
		Structure:   structureCriterion(text, m, lang),
		Length:      lengthCriterion(m, lang),
	}
	ev.OverallSummary = offlineSummary(ev)
	return ev, nil
}

var starNames = map[string]map[string]string{
	Korean:  {Situation: "상황", Task: "과제", Action: "행동", Result: "결과"},
	English: {Situation: "situation", Task: "task", Action: "action", Result: "result"},
}

func missingSTAR(m Metrics, lang string) []string {
	var missing []string
	for _, c := range starOrder {
		if _, ok := m.STAR[c]; !ok {
			missing = append(missing, starNames[lang][c])
		}
	}
	return missing
}

func starCriterion(m Metrics, lang string) Criterion {
	c := Criterion{Score: 1 + len(m.STAR), Evidence: []string{}}
	for _, comp := range starOrder {
		if s, ok := m.STAR[comp]; ok && !contains(c.Evidence, s) {
			c.Evidence = append(c.Evidence, s)
		}
	}
	missing := missingSTAR(m, lang)
	switch {
	case len(missing) == 0 && lang == Korean:
		c.Reason = "상황, 과제, 행동, 결과를 나타내는 표현이 모두 있습니다."
	case len(missing) == 0:
		c.Reason = "Situation, task, action and result all appear."
	case lang == Korean:
		c.Reason = "빠진 단계: " + strings.Join(missing, ", ") + "."
	default:
		c.Reason = "Missing: " + strings.Join(missing, ", ") + "."
	}
	return c
}

// questionFiller are words every question has, which say nothing about
// whether the answer is on topic.
var questionFiller = []string{"말씀해", "주세요", "무엇", "어떻게", "어떤", "설명해", "있나요", "였나요", "했나요", "본인", "경험",
	"what", "how", "why", "tell", "describe", "about", "time", "your", "you", "when", "walk", "through"}

func relevanceCriterion(question, answer, lang string) Criterion {
	c := Criterion{Evidence: []string{}}
	question = strings.TrimSpace(question)
	if question == "" {
		c.Reason = map[string]string{Korean: "질문이 주어지지 않아 평가하지 않았습니다.", English: "Not assessed: no question was given."}[lang]
		return c
	}
	lowerQ := strings.ToLower(question)
	for _, f := range questionFiller {
		lowerQ = strings.ReplaceAll(lowerQ, f, " ")
	}
	total := 0
	var shared []string
	ansWords := map[string]bool{}
	for _, w := range words(strings.ToLower(answer)) {
		ansWords[stem(cleanWord(w), lang)] = true
	}
	for _, w := range words(lowerQ) {
		w = cleanWord(w)
		if runeLen(w) < 2 || (lang == English && len(w) < 3) || contentStopwords[w] {
			continue
		}
		total++
		if ansWords[stem(w, lang)] {
			shared = append(shared, stem(w, lang))
		}
	}
	share := 0.0
	if total > 0 {
		share = float64(len(shared)) / float64(total)
	}
	// Word overlap can confirm that an answer is on topic but cannot prove
	// it is off topic (synonyms), so the scale stops at 2.
	switch {
	case share >= 0.5:
		c.Score = 5
	case share >= 0.25:
		c.Score = 4
	case share > 0:
		c.Score = 3
	default:
		c.Score = 2
	}
	for _, s := range splitSentences(answer) {
		for _, w := range shared {
			if strings.Contains(strings.ToLower(s), strings.ToLower(w)) {
				c.Evidence = append(c.Evidence, s)
				break
			}
		}
		if len(c.Evidence) == 2 {
			break
		}
	}
	if lang == Korean {
		c.Reason = fmt.Sprintf("질문의 핵심어 %d개 중 %d개가 답변에 나옵니다(단어 일치만 보는 기준입니다).", total, len(shared))
	} else {
		c.Reason = fmt.Sprintf("%d of the question's %d key words recur in the answer (a word-overlap measure).", len(shared), total)
	}
	return c
}

// stem cuts a word to a crude stem without a dictionary: the first five
// letters of an English word ("measure"/"measured"), the first two
// syllables of a Korean eojeol ("개선해"/"개선했습니다").
func stem(w, lang string) string {
	r := []rune(w)
	n := 5
	if lang == Korean {
		n = 2
	}
	if len(r) > n {
		return string(r[:n])
	}
	return w
}

func specificityCriterion(answer string, m Metrics, lang string) Criterion {
	n := m.Numbers + m.Names
	c := Criterion{Evidence: []string{}}
	switch {
	case n >= 5:
		c.Score = 5
	case n >= 3:
		c.Score = 4
	default:
		c.Score = n + 1
	}
	for _, s := range splitSentences(answer) {
		if len(c.Evidence) < 3 && (numberToken.MatchString(s) || namedThing(s) != "") {
			c.Evidence = append(c.Evidence, s)
		}
	}
	if lang == Korean {
		c.Reason = fmt.Sprintf("수치 %d개, 고유한 이름(프로젝트·도구) %d개가 있습니다.", m.Numbers, m.Names)
	} else {
		c.Reason = fmt.Sprintf("%d numbers and %d named projects or tools.", m.Numbers, m.Names)
	}
	return c
}

// runOn is the average sentence length above which sentences are too long
// to follow when spoken.
func runOn(lang string) (limit int, unit func(string) int) {
	if lang == Korean {
		return 120, func(s string) int { return runeLen(strings.ReplaceAll(s, " ", "")) }
	}
	return 40, func(s string) int { return len(strings.Fields(s)) }
}

func structureCriterion(answer string, m Metrics, lang string) Criterion {
	c := Criterion{Score: 5, Evidence: []string{}}
	var problems []string
	sentences := splitSentences(answer)
	if len(sentences) >= 2 && m.Connectives == 0 {
		c.Score--
		problems = append(problems, map[string]string{Korean: "순서나 인과를 알려 주는 표현이 없습니다", English: "no order or cause markers"}[lang])
	}
	limit, unit := runOn(lang)
	longest := ""
	for _, s := range sentences {
		if unit(s) > unit(longest) {
			longest = s
		}
	}
	if longest != "" && unit(longest) > limit {
		c.Score--
		c.Evidence = append(c.Evidence, longest)
		problems = append(problems, map[string]string{Korean: "지나치게 긴 문장이 있습니다", English: "a run-on sentence"}[lang])
	}
	if m.FillerRate > 5 {
		c.Score--
		problems = append(problems, fmt.Sprintf(map[string]string{Korean: "군말이 100단어당 %.1f회입니다", English: "%.1f fillers per 100 words"}[lang], m.FillerRate))
	}
	if m.Repeats >= 3 {
		c.Score--
		problems = append(problems, fmt.Sprintf(map[string]string{Korean: "같은 말을 연달아 반복한 곳이 %d번 있습니다", English: "%d immediate repetitions"}[lang], m.Repeats))
	}
	c.Score = max(c.Score, 1)
	switch {
	case len(problems) == 0 && lang == Korean:
		c.Reason = "흐름을 방해하는 구조적 문제가 보이지 않습니다."
	case len(problems) == 0:
		c.Reason = "No structural problems found."
	case lang == Korean:
		c.Reason = strings.Join(problems, ", ") + "."
	default:
		c.Reason = strings.ToUpper(problems[0][:1]) + strings.Join(problems, ", ")[1:] + "."
	}
	return c
}

func lengthCriterion(m Metrics, lang string) Criterion {
	c := Criterion{Evidence: []string{}}
	if lang == Korean {
		n := m.Characters
		switch {
		case n < 80:
			c.Score = 1
		case n < 200:
			c.Score = 2
		case n < 300:
			c.Score = 3
		case n <= 900:
			c.Score = 5
		case n <= 1200:
			c.Score = 4
		default:
			c.Score = 3
		}
		c.Reason = fmt.Sprintf("공백을 뺀 %d자로, 1~2분 답변(약 300~900자)과 비교한 점수입니다.", n)
		return c
	}
	n := m.Words
	switch {
	case n < 20:
		c.Score = 1
	case n < 60:
		c.Score = 2
	case n < 100:
		c.Score = 3
	case n <= 320:
		c.Score = 5
	case n <= 450:
		c.Score = 4
	default:
		c.Score = 3
	}
	c.Reason = fmt.Sprintf("%d words, against 100–320 for a one-to-two-minute answer.", n)
	return c
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// ranked returns the assessed criteria from strongest to weakest, ties in
// rubric order.
func ranked(r *Rubric) []string {
	type item struct {
		name  string
		score int
	}
	var items []item
	for _, c := range r.criteria() {
		if c.c.Score > 0 {
			items = append(items, item{c.name, c.c.Score})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].score > items[j].score })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.name
	}
	return out
}

// summaryWords is the offline summary's phrasing in one language.
type summaryWords struct {
	strength, remedy map[string]string // per criterion
	// short is for a very short answer: its size (count words) and what to add.
	short                                       string
	count                                       func(Metrics) int
	shortAdd                                    string
	impression                                  [3]string // average score < 3, ≥ 3, ≥ 4
	overall                                     string    // impression, strength
	fillers                                     string    // top filler, count
	repeats                                     string    // overused word
	fluent                                      string    // filler count
	longSentences, noConnectives, goodStructure string
	keepGoing, focusOne, focusTwo               string
}

var summaryPhrasing = map[string]summaryWords{
	Korean: {
		strength: map[string]string{"star": "상황과 결과를 순서대로 제시한", "relevance": "질문의 요지에 맞춘", "specificity": "수치와 이름으로 근거를 든", "structure": "흐름을 잘 정리한", "length": "분량을 알맞게 맞춘"},
		remedy:   map[string]string{"star": "빠진 단계를 한 문장씩 채우기", "relevance": "첫 문장에서 질문에 바로 답하기", "specificity": "수치나 도구 이름으로 근거 보강하기", "structure": "순서 표현으로 흐름 정리하기", "length": "1~2분 분량 맞추기"},
		short: "답변이 공백을 빼고 %d자로 짧아 어떤 상황에서 무엇을 했는지가 아직 드러나지 않습니다. " +
			"다음에는 %s에 해당하는 내용을 한두 문장씩 덧붙여 말해 보시기 바랍니다.",
		count:         func(m Metrics) int { return m.Characters },
		shortAdd:      "상황, 행동, 결과",
		impression:    [3]string{"방향은 보이지만 근거가 부족한", "핵심은 전달되지만 보완할 부분이 있는", "구체적이고 짜임새 있는"},
		overall:       "전반적으로 %s 답변이며, 특히 %s 점이 강점입니다.",
		fillers:       "'%s' 같은 군말이 모두 %d회 나와 말의 흐름이 자주 끊깁니다.",
		repeats:       "'%s'라는 표현이 여러 번 반복되어 다른 말로 바꿔 보면 전달력이 좋아집니다.",
		fluent:        "군말이 %d회로 적고 반복되는 표현이 없어 말의 흐름이 안정적입니다.",
		longSentences: "한 문장이 길어 핵심이 묻히므로, 긴 문장을 둘로 나누어 말하는 편이 좋습니다.",
		noConnectives: "'먼저', '그 결과'처럼 순서를 알려 주는 표현을 쓰면 구조가 더 분명해집니다.",
		goodStructure: "문장 길이가 적당하고 연결 표현이 있어 구조를 따라가기 쉽습니다.",
		keepGoing:     "지금처럼 결과를 수치로 말하는 습관을 유지하면서, 꼬리 질문에도 같은 구조로 답하는 연습을 이어 가시기 바랍니다.",
		focusOne:      "앞으로는 %s에 집중해 연습하시기 바랍니다.",
		focusTwo:      "앞으로는 %s, 그리고 %s에 집중해 연습하시기 바랍니다.",
	},
	English: {
		strength: map[string]string{"star": "laying out situation and result in order", "relevance": "staying on the question", "specificity": "backing claims with numbers and names", "structure": "a clear flow", "length": "a well-judged length"},
		remedy:   map[string]string{"star": "filling in the missing STAR steps", "relevance": "answering the question in your first sentence", "specificity": "adding numbers and the names of tools", "structure": "signposting the order of events", "length": "aiming for one to two minutes"},
		short: "At %d words the answer is too short to show what the situation was and what you did. " +
			"Next time, add a sentence or two for the %s.",
		count:         func(m Metrics) int { return m.Words },
		shortAdd:      "situation, action and result",
		impression:    [3]string{"has a clear direction but little evidence", "gets the main point across but leaves gaps", "is concrete and well organised"},
		overall:       "Overall the answer %s, and its strength is %s.",
		fillers:       "Fillers such as '%s' came up %d times and break the flow.",
		repeats:       "You repeat '%s' often; varying it would make the answer sound sharper.",
		fluent:        "With %d fillers and no repeated phrases, your delivery flows well.",
		longSentences: "Some sentences run long enough to bury the point, so split them in two.",
		noConnectives: "Markers such as 'first' and 'as a result' would make the structure easier to follow.",
		goodStructure: "Sentence length and linking words make the structure easy to follow.",
		keepGoing:     "Keep quantifying your results, and practise giving follow-up answers in the same structure.",
		focusOne:      "Focus your practice on %s.",
		focusTwo:      "Focus your practice on %s and on %s.",
	},
}

func offlineSummary(ev *Evaluation) string {
	m, r := ev.Metrics, &ev.Rubric
	w := summaryPhrasing[English]
	if ev.Language == Korean {
		w = summaryPhrasing[Korean]
	}
	if ev.LengthClass == VeryShort {
		add := w.shortAdd
		if missing := missingSTAR(m, ev.Language); len(missing) > 0 {
			add = strings.Join(missing, ", ")
		}
		return fmt.Sprintf(w.short, w.count(m), add)
	}
	order := ranked(r)
	best, worst := order[0], order[len(order)-1]
	impression := w.impression[0]
	switch avg := average(r); {
	case avg >= 4:
		impression = w.impression[2]
	case avg >= 3:
		impression = w.impression[1]
	}
	s1 := fmt.Sprintf(w.overall, impression, w.strength[best])
	var s2 string
	switch top := topFiller(m); {
	case m.FillerRate > 5 && top != "":
		s2 = fmt.Sprintf(w.fillers, top, m.FilledPauses+m.DiscourseFillers)
	case len(m.OverusedWords) > 0:
		s2 = fmt.Sprintf(w.repeats, m.OverusedWords[0])
	default:
		s2 = fmt.Sprintf(w.fluent, m.FilledPauses+m.DiscourseFillers)
	}
	s3 := w.goodStructure
	limit, _ := runOn(ev.Language)
	switch {
	case averageSentence(ev) > float64(limit):
		s3 = w.longSentences
	case m.Connectives == 0:
		s3 = w.noConnectives
	}
	second := order[max(len(order)-2, 0)]
	var s4 string
	switch {
	case r.criterion(worst).Score >= 4:
		s4 = w.keepGoing
	case r.criterion(second).Score >= 4 || second == worst:
		s4 = fmt.Sprintf(w.focusOne, w.remedy[worst])
	default:
		s4 = fmt.Sprintf(w.focusTwo, w.remedy[worst], w.remedy[second])
	}
	return strings.Join([]string{s1, s2, s3, s4}, " ")
}

func (r *Rubric) criterion(name string) Criterion {
	for _, c := range r.criteria() {
		if c.name == name {
			return *c.c
		}
	}
	return Criterion{}
}

func average(r *Rubric) float64 {
	sum, n := 0, 0
	for _, c := range r.criteria() {
		if c.c.Score > 0 {
			sum += c.c.Score
			n++
		}
	}
	return float64(sum) / float64(max(n, 1))
}

// averageSentence is the mean sentence length in runOn's unit: characters
// without spaces for Korean, words for English.
func averageSentence(ev *Evaluation) float64 {
	if ev.Metrics.Sentences == 0 {
		return 0
	}
	total := ev.Metrics.Words
	if ev.Language == Korean {
		total = ev.Metrics.Characters
	}
	return float64(total) / float64(ev.Metrics.Sentences)
}

// topFiller is the most frequent filler, ties broken alphabetically.
func topFiller(m Metrics) string {
	best, n := "", 0
	for f, c := range m.Fillers {
		if c > n || (c == n && f < best) {
			best, n = f, c
		}
	}
	return best
}
