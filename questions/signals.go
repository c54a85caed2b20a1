package questions

import (
	"regexp"
	"strings"
	"unicode"
)

// Signals a key sentence can carry: the seed's list of what makes a cover
// letter sentence worth asking about.
const (
	SignalRole     = "role"     // role or responsibility
	SignalProblem  = "problem"  // problem solving
	SignalMetric   = "metric"   // numbers or metrics
	SignalChoice   = "choice"   // a choice or trade-off
	SignalCollab   = "collab"   // collaboration or conflict
	SignalLearning = "learning" // learning or reflection
	SignalName     = "name"     // a named project, product or technology
	// SignalImprovement is a metric that moved ("from 1.2 s to 300 ms",
	// "75% 단축"); SignalScale is one that only sizes the work ("30명의 부원").
	SignalImprovement = "improvement"
	SignalScale       = "scale"
	// SignalClaim marks a sentence with no past action: a trait or an
	// aspiration ("성실한 사람입니다", "I want to grow"), which calls for
	// evidence rather than for details of an event.
	SignalClaim = "claim"
)

// signalCues are matched as substrings of the lower-cased sentence; Korean
// cues are stems so that conjugated forms (맡았습니다, 맡아) match.
var signalCues = map[string][]string{
	SignalRole: {"담당", "맡아", "맡았", "맡은", "주도", "리드", "책임", "팀장", "리더", "역할",
		"i led", "led the", "i owned", "responsible for", "in charge", "my role", "i managed", "i designed", "i built", "i implemented"},
	SignalProblem: {"문제", "해결", "원인", "장애", "버그", "오류", "에러", "병목", "개선", "최적화",
		"problem", "issue", "bug", "fixed", "solved", "debug", "root cause", "bottleneck", "improv", "optimi", "outage"},
	SignalChoice: {"선택", "도입", "대신", "비교", "결정", "전환", "채택", "마이그레이션",
		"chose", "choose", "decided", "instead of", "trade-off", "tradeoff", "compared", "migrat", "adopted", "switched"},
	SignalCollab: {"협업", "팀원", "동료", "갈등", "소통", "설득", "의견", "조율", "함께",
		"team", "collaborat", "conflict", "disagree", "persuad", "communicat", "stakeholder", "together"},
	SignalLearning: {"배웠", "배운", "배움", "깨달", "성장", "반성", "교훈", "회고", "느꼈",
		"learned", "learnt", "realized", "realised", "reflect", "lesson", "grew"},
}

// injectionCues mark text that addresses the model rather than the reader.
// Such sentences are never chosen as evidence for offline questions, so
// hostile text cannot end up quoted in the output.
var injectionCues = []string{
	"ignore previous", "ignore all", "ignore the above", "disregard", "system prompt", "previous instructions",
	"you are now", "as an ai", "developer mode", "jailbreak", "print your", "reveal your",
	"이전 지시", "지시를 무시", "지시사항을 무시", "명령을 무시", "프롬프트", "무시하고", "시스템 메시지",
}

func looksLikeInjection(s string) bool {
	l := strings.ToLower(s)
	for _, c := range injectionCues {
		if strings.Contains(l, c) {
			return true
		}
	}
	return false
}

var (
	// improvementCue marks a change in a metric.
	improvementCue = regexp.MustCompile(`단축|감소|증가|개선|향상|줄였|줄이|늘렸|늘리|높였|낮췄|절감|%|배 |배로|\bfrom\b.*\bto\b|reduc|improv|increas|decreas|\bcut\b|faster|slower|saved|grew|dropped|fell|rose|boost|percent|doubled|tripled|tenfold`)
	// pastTense finds a verb in the past: Korean past-tense syllables, or
	// English regular and common irregular past forms.
	pastTense = regexp.MustCompile(`[했었았였됐웠졌왔갔켰쳤]|(?i)\b\w+ed\b|(?i)\b(built|wrote|led|made|ran|took|found|got|won|began|drove|chose|cut|set|grew|fell|rose|spent|taught|brought|sold|kept|met|gave|went|did|was|were|had|saw|thought|learnt|felt)\b`)
	// numberToken finds figures: digits, or spelled-out numbers followed by
	// a unit ("two hours", "ten times"), so that "a team of four" is not a
	// metric while "from two hours to ten minutes" is.
	numberToken = regexp.MustCompile(`\d|(?i)\b(two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|fifty|hundred|thousand|million)\s+(hours?|minutes?|seconds?|days?|weeks?|months?|years?|times|percent|users?|customers?|requests?|people|engineers?|developers?|services?|servers?|million|thousand|hundred)\b|(?i)\b(percent|half|twice|doubled|tripled|tenfold)\b|절반|두 배|세 배`)
	// Quoted or bracketed names: 'X', "X", ‘X’, “X”, 「X」, [X].
	quotedName = regexp.MustCompile(`['"‘“「\[]([^'"’”」\]]{2,30})['"’”」\]]`)
)

// sentenceSignals returns the signals found in s, in a fixed order.
func sentenceSignals(s string) []string {
	l := strings.ToLower(s)
	var out []string
	for _, sig := range []string{SignalRole, SignalProblem, SignalMetric, SignalChoice, SignalCollab, SignalLearning, SignalName, SignalClaim} {
		switch sig {
		case SignalMetric:
			if numberToken.MatchString(s) {
				out = append(out, sig)
				if improvementCue.MatchString(l) {
					out = append(out, SignalImprovement)
				} else {
					out = append(out, SignalScale)
				}
			}
		case SignalClaim:
			if !pastTense.MatchString(s) {
				out = append(out, sig)
			}
		case SignalName:
			if namedThing(s) != "" {
				out = append(out, sig)
			}
		default:
			for _, cue := range signalCues[sig] {
				if strings.Contains(l, cue) {
					out = append(out, sig)
					break
				}
			}
		}
	}
	return out
}

// namedThing returns the first named project or technology in s: quoted
// text, a word before 프로젝트/서비스/project, or a Latin-script word that is
// capitalised or an acronym (Redis, AWS, Kubernetes) and not the first word
// of an English sentence.
func namedThing(s string) string {
	if m := quotedName.FindStringSubmatch(s); m != nil {
		return strings.TrimSpace(m[1])
	}
	ws := strings.Fields(s)
	for i, w := range ws {
		w = strings.Trim(w, ".,!?():;")
		// Korean names a project by the word before 프로젝트/서비스
		// (캡스톤 프로젝트); an English word before "project" counts only
		// when capitalised, since "a good project" names nothing.
		if i > 0 && (strings.HasPrefix(ws[i], "프로젝트") || strings.HasPrefix(ws[i], "서비스")) {
			if prev := strings.Trim(ws[i-1], ".,!?():;"); prev != "" && !isStopName(prev) && DetectLanguage(prev) == Korean {
				return prev
			}
		}
		if i == 0 && DetectLanguage(s) == English {
			continue
		}
		if latinName(w) && !isStopName(w) {
			return w
		}
	}
	return ""
}

// techName returns the first capitalised Latin-script word of s that is not
// the first word of an English sentence (Redis, AWS, FastAPI), or "".
func techName(s string) string {
	for i, w := range strings.Fields(s) {
		w = strings.Trim(w, ".,!?():;'\"")
		if i == 0 && DetectLanguage(s) == English {
			continue
		}
		if latinName(w) && !isStopName(w) && !contains(filledPauses[English], strings.ToLower(w)) {
			return w
		}
	}
	return ""
}

// latinName reports whether w starts with an upper-case Latin letter and is
// made of Latin letters, digits and tech punctuation (Node.js, C++, gRPC).
func latinName(w string) bool {
	if w == "" {
		return false
	}
	for i, r := range w {
		if i == 0 && !(r >= 'A' && r <= 'Z') {
			return false
		}
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".+#-", r))) {
			return false
		}
	}
	return len(w) >= 2
}

var stopNames = map[string]bool{
	"I": true, "The": true, "This": true, "That": true, "We": true, "My": true, "Our": true, "In": true,
	"At": true, "As": true, "When": true, "After": true, "Before": true, "It": true, "A": true, "An": true,
	"이": true, "그": true, "저": true, "해당": true, "첫": true, "두": true, "여러": true, "팀": true, "개인": true, "이번": true,
}

func isStopName(w string) bool { return stopNames[w] }

// metricPhrase returns the candidate's words around the figures of s, or ""
// when s has no figure. For English: up to four words before the first
// figure through the word after the last of a chain of figures each within
// three words of the previous one ("page load time from 4 s to 1.5 s"). For
// Korean see koreanMetricPhrase.
func metricPhrase(s, lang string) string {
	ws := strings.Fields(strings.Trim(s, ".!? "))
	// Figures within three words of each other form a chain; the chain with the most
	// figures is the result worth asking about ("800ms에서 200ms로" rather than the
	// "2년간" of the sentence's preamble), the later one on a tie.
	first, last, best := -1, -1, 0
	chainFirst, chainLast, count := -1, -1, 0
	for i := range ws {
		// A figure may be a digit word or a spelled-out number with its unit.
		if !numberToken.MatchString(ws[i]) && !(i+1 < len(ws) && numberToken.MatchString(ws[i]+" "+ws[i+1]) && !numberToken.MatchString(ws[i+1])) {
			continue
		}
		if chainFirst < 0 || i-chainLast > 3 {
			chainFirst, count = i, 0
		}
		chainLast = i
		count++
		if count >= best {
			first, last, best = chainFirst, chainLast, count
		}
	}
	if first < 0 {
		return ""
	}
	if lang == Korean {
		return koreanMetricPhrase(ws, first, last, improvementCue.MatchString(s))
	}
	return strings.Trim(strings.Join(ws[max(first-4, 0):min(last+2, len(ws))], " "), ".,!?")
}

// koreanParticles are stripped from the last word of a quoted phrase, longest
// first; 만 is not among them because it is also a numeral (200만).
var koreanParticles = []string{"으로", "에서", "까지", "부터", "의", "을", "를", "이", "가", "은", "는", "로", "에", "와", "과", "도"}

func stripParticle(w string) string {
	for _, p := range koreanParticles {
		if stem, ok := strings.CutSuffix(w, p); ok && runeLen(stem) > 0 {
			return stem
		}
	}
	return w
}

// koreanMetricPhrase quotes a Korean figure in a form templates can use
// without particles: for an improvement, the words from up to three before
// the first figure (not across a clause break) to the last one plus the
// 하다-verb's noun ("평균 응답 시간을 1.2초에서 300ms로 75% 단축"); for a
// scale, the figure and the noun it counts ("30명의 부원", "200만 원의 후원").
func koreanMetricPhrase(ws []string, first, last int, improvement bool) string {
	if !improvement {
		end := first
		for end < len(ws)-1 && end-first < 2 && !strings.HasSuffix(ws[end], ",") && !endsInObjectParticle(ws[end]) {
			end++
		}
		phrase := append(append([]string(nil), ws[first:end]...), stripParticle(strings.TrimRight(ws[end], ",")))
		return strings.Join(phrase, " ")
	}
	start := first
	for start > 0 && first-start < 3 && !strings.HasSuffix(ws[start-1], ",") && !pastTenseConnective(ws[start-1]) {
		start--
	}
	phrase := append([]string(nil), ws[start:last+1]...)
	if last+1 < len(ws) {
		if stem, _, ok := strings.Cut(ws[last+1], "했"); ok && stem != "" {
			phrase = append(phrase, stem)
		}
	}
	return strings.Join(phrase, " ")
}

func endsInObjectParticle(w string) bool {
	for _, p := range []string{"을", "를", "이", "가", "은", "는"} {
		if strings.HasSuffix(w, p) {
			return true
		}
	}
	return false
}

// clauseFor returns the clause of s that holds the first cue of sig (or
// the first clause), shortened to maxRunes words nearest its predicate for
// Korean and nearest its start for English.
func clauseFor(s, sig, lang string) string {
	clauses := splitClauses(strings.Trim(s, ".!? "), lang)
	pick := clauses[0]
	if sig != "" {
		for _, c := range clauses {
			if hasCue(c, sig) {
				pick = c
				break
			}
		}
	}
	pick = quoteMarks.Replace(pick)
	ws := strings.Fields(pick)
	for len(ws) > 1 && (ws[0] == "저는" || ws[0] == "제가" || ws[0] == "저도") {
		ws = ws[1:]
	}
	for runeLen(strings.Join(ws, " ")) > maxRunesFor(lang) && len(ws) > 1 {
		if lang == Korean {
			ws = ws[1:]
		} else {
			ws = ws[:len(ws)-1]
		}
	}
	for lang != Korean && len(ws) > 1 && danglingWords[strings.ToLower(ws[len(ws)-1])] {
		ws = ws[:len(ws)-1]
	}
	return truncateRunes(strings.Trim(strings.Join(ws, " "), ",;: "), maxRunesFor(lang))
}

// danglingWords cannot end a shortened English clause.
var danglingWords = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "from": true, "to": true, "for": true, "and": true,
	"with": true, "in": true, "on": true, "by": true, "our": true, "my": true, "as": true, "at": true,
}

// quoteMarks are removed from clauses, which are quoted again as a whole.
var quoteMarks = strings.NewReplacer("'", "", "\"", "", "‘", "", "’", "", "“", "", "”", "", "「", "", "」", "")

func maxRunesFor(lang string) int {
	if lang == Korean {
		return koreanClauseRunes
	}
	return englishClauseRunes
}

func hasCue(s, sig string) bool {
	l := strings.ToLower(s)
	for _, cue := range signalCues[sig] {
		if strings.Contains(l, cue) {
			return true
		}
	}
	return false
}

// koreanConnectives end an eojeol that closes a clause: 도입했고, 있었지만…
var koreanConnectives = []string{"고", "며", "지만", "는데", "서", "으나", "면서"}

// splitClauses cuts a sentence at commas and, for Korean, after connective
// endings; for English, before " and ", " but ", " then ", " so ".
func splitClauses(s, lang string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if lang != Korean {
			for _, sep := range []string{" and ", " but ", " then ", " so ", " which "} {
				part = strings.ReplaceAll(part, sep, "\x00"+strings.TrimSpace(sep)+" ")
			}
			for _, p := range strings.Split(part, "\x00") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
			continue
		}
		var cur []string
		for _, w := range strings.Fields(part) {
			cur = append(cur, w)
			if len(cur) >= 2 && pastTenseConnective(w) {
				out = append(out, strings.Join(cur, " "))
				cur = nil
			}
		}
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
		}
	}
	if len(out) == 0 {
		out = []string{s}
	}
	return out
}

// pastTenseConnective reports whether a Korean word is a past-tense verb
// with a clause-joining ending (했고, 있었지만, 만들었으며).
func pastTenseConnective(w string) bool {
	for _, c := range koreanConnectives {
		if stem, ok := strings.CutSuffix(w, c); ok && endsInPast(strings.TrimSuffix(stem, "으")) {
			return true
		}
	}
	return false
}

func endsInPast(stem string) bool {
	r := []rune(stem)
	if len(r) == 0 {
		return false
	}
	switch r[len(r)-1] {
	case '했', '었', '았', '였', '됐', '웠', '졌', '왔', '갔', '켰', '쳤', '셨':
		return true
	}
	return false
}

// reported turns a clause into reported speech for a question's opening:
// Korean "Redis 캐시를 도입했고" becomes "Redis 캐시를 도입했다고", English
// "I chose gRPC" becomes "you chose gRPC". Clauses it cannot convert are
// quoted as they are.
func reported(clause, lang string) string {
	ws := strings.Fields(clause)
	if len(ws) == 0 {
		return "''"
	}
	if lang == Korean {
		last := ws[len(ws)-1]
		r := []rune(last)
		for i := len(r) - 1; i >= 0; i-- {
			if endsInPast(string(r[:i+1])) {
				ws[len(ws)-1] = string(r[:i+1]) + "다고"
				return strings.Join(ws, " ")
			}
		}
		return "'" + clause + "'라고"
	}
	swap := map[string]string{"I": "you", "my": "your", "me": "you", "I'm": "you're", "I've": "you've", "myself": "yourself", "our": "your", "us": "you", "am": "are", "was": "were"}
	if ws[0] == "We" {
		ws[0] = "we"
	}
	if ws[0] != "I" && ws[0] != "we" {
		return "'" + clause + "'"
	}
	for i, w := range ws {
		if v, ok := swap[w]; ok && (w != "was" || i == 1) && (w != "am" || i == 1) {
			ws[i] = v
		}
	}
	return strings.Join(ws, " ")
}

// cueIndex returns the index of the first word holding a cue of sig, or 0.
func cueIndex(ws []string, sig string) int {
	for i, w := range ws {
		lw := strings.ToLower(w)
		for _, cue := range signalCues[sig] {
			if strings.Contains(lw, longestField(cue)) {
				return i
			}
		}
	}
	return 0
}

func longestField(s string) string {
	best := ""
	for _, f := range strings.Fields(s) {
		if len(f) > len(best) {
			best = f
		}
	}
	return best
}
