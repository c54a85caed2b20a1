package questions

import (
	"fmt"
	"sort"
	"strings"
)

// template is one offline question pattern, used when a key sentence
// carries its signal ("" matches any sentence). %s is filled with the
// candidate's own words: for clause templates, the clause holding the signal
// in reported speech ("Redis 캐시를 도입했다고", "you chose gRPC…"); otherwise
// the named thing or the words around the number, quoted.
type template struct {
	signal string
	typ    string
	clause bool
	ko, en string
}

// The order is the order questions are tried for each key sentence, so the
// most specific questions come first.
var templates = []template{
	{SignalClaim, Job, true,
		"%s 하셨는데, 그 점이 드러난 실제 경험을 하나 골라 상황, 행동, 결과 순서로 말씀해 주세요.",
		"You said %s. Which real experience shows that best? Walk me through it."},
	{SignalClaim, Soft, true,
		"%s 하셨는데, 그 점 때문에 오히려 어려움을 겪었던 경험이 있나요?",
		"You said %s. When did that cause you difficulty?"},
	{SignalClaim, Soft, true,
		"%s 하셨는데, 주변 사람들은 그 점을 어떤 행동에서 알아보던가요?",
		"You said %s. What would colleagues point to as evidence of it?"},
	{SignalImprovement, Job, false,
		"말씀하신 '%s' 수치는 어떤 방법으로 측정했고, 개선 전후를 무엇과 비교했나요?",
		"How did you measure '%s', and what did you compare it against?"},
	{SignalScale, Job, false,
		"말씀하신 '%s' 부분에서 본인이 직접 한 일과 그 결과는 무엇이었나요?",
		"You mention '%s'. What did you personally handle at that scale, and what came of it?"},
	{SignalName, Job, false,
		"'%s' 작업에서 본인이 맡은 역할과 가장 어려웠던 기술적 문제는 무엇이었나요?",
		"What was your part in the work on %s, and what was the hardest problem you solved there?"},
	{SignalProblem, Job, true,
		"%s 하셨는데, 원인을 어떻게 찾았고 같은 문제가 다시 생기지 않도록 무엇을 했나요?",
		"You said %s. How did you find the root cause and prevent a repeat?"},
	{SignalChoice, Job, true,
		"%s 하셨는데, 어떤 기준으로 대안을 비교했고 그 선택의 단점은 무엇이었나요?",
		"You said %s. How did you weigh the alternatives, and what did it cost?"},
	{SignalRole, Job, true,
		"%s 하셨는데, 본인이 책임진 범위와 직접 내린 가장 중요한 결정은 무엇이었나요?",
		"You said %s. What were you responsible for, and what did you decide?"},
	{SignalImprovement, Job, false,
		"'%s' 결과를 얻기 위해 본인이 직접 한 행동을 순서대로 설명해 주세요.",
		"What did you personally do to achieve '%s'? Walk me through the steps."},
	{SignalName, Job, false,
		"지금 '%s' 작업을 다시 한다면 설계에서 무엇을 바꾸고 싶은지, 이유와 함께 말씀해 주세요.",
		"If you started the work on %s again, what would you design differently, and why?"},
	{SignalCollab, Soft, true,
		"%s 하셨는데, 팀원과 의견이 달랐던 순간에 어떻게 합의에 이르렀나요?",
		"You said %s. When did you disagree with a teammate, and how did you settle it?"},
	{SignalLearning, Soft, true,
		"%s 하셨는데, 그 배움을 이후 다른 일에 실제로 적용한 사례가 있나요?",
		"You said %s. Where have you applied that lesson since?"},
	{"", Job, true,
		"%s 하셨는데, 그때의 상황과 본인의 행동, 결과를 순서대로 설명해 주세요.",
		"You said %s. Walk me through the situation, your actions and the result."},
	{"", Soft, true,
		"%s 하셨는데, 그 과정에서 가장 힘들었던 순간은 언제였고 어떻게 끝까지 해냈나요?",
		"You said %s. What was the hardest moment, and how did you keep going?"},
	{"", Job, true,
		"%s 하셨는데, 예상과 달랐던 부분은 무엇이었고 어떻게 대응했나요?",
		"You said %s. What surprised you, and how did you respond?"},
	{"", Soft, true,
		"%s 하셨는데, 그때 함께한 동료는 본인을 어떤 팀원이라고 말할까요?",
		"You said %s. How would a teammate from that time describe you, and why?"},
}

// Templates for job-description requirements. The first takes the
// requirement; the second the requirement and a key sentence in reported
// speech.
const (
	jdKo       = "채용 공고의 '%s' 요건과 관련해, 본인의 경험 중 가장 가까운 사례를 상황, 행동, 결과 순서로 설명해 주세요."
	jdEn       = "The role asks for '%s'. Which of your experiences shows it best? Walk me through it."
	jdLinkedKo = "'%s' 요건에 비추어 보면, %s 하신 경험에서 더 보완하고 싶은 점은 무엇인가요?"
	jdLinkedEn = "The role asks for '%s'. Given that %s, what would you still need to learn for it?"
)

func generateOffline(in prepared) *Set {
	set := &Set{Source: SourceOffline, Language: in.lang, Questions: []Question{}, KeySentences: keySentences(in.sentences)}
	var candidates []Question
	for _, tpl := range templates {
		for _, key := range set.KeySentences {
			// A claim has no event to ask about, so it gets only the claim
			// templates, which ask for one.
			claim := hasSignal(key.Signals, SignalClaim)
			if (tpl.signal != "" && !hasSignal(key.Signals, tpl.signal)) || (claim && tpl.signal != SignalClaim) {
				continue
			}
			phrase := phraseFor(key.Text, tpl.signal, in.lang)
			if tpl.clause {
				phrase = reported(clauseFor(key.Text, tpl.signal, in.lang), in.lang)
			}
			text := tpl.en
			if in.lang == Korean {
				text = tpl.ko
			}
			candidates = append(candidates, Question{
				Text: fmt.Sprintf(text, phrase), Type: tpl.typ, Basis: BasisCoverLetter,
				Evidence: key.Text, EvidenceIndex: key.Index,
			})
		}
	}
	for i, req := range in.requirements {
		r := strings.TrimRight(truncateRunes(req, snippetRunes), ".")
		pattern, linked := jdEn, jdLinkedEn
		if in.lang == Korean {
			pattern, linked = jdKo, jdLinkedKo
		}
		q := Question{Text: fmt.Sprintf(pattern, r), Type: Job, Basis: BasisJobDescription, Evidence: req}
		// JD questions go near the front: tailoring to the posting is what
		// the seed lacked.
		candidates = insertAt(candidates, min(2*i+1, len(candidates)), q)
		if i < len(set.KeySentences) {
			key := set.KeySentences[i]
			candidates = append(candidates, Question{
				Text: fmt.Sprintf(linked, r, reported(clauseFor(key.Text, "", in.lang), in.lang)), Type: Job, Basis: BasisJobDescription, Evidence: req,
			})
		}
	}
	for _, b := range BankFor(in.lang, "") {
		candidates = append(candidates, Question{Text: b.Text, Type: b.Label, Basis: BasisBank})
	}
	set.Questions = pickByRatio(candidates, in.count)
	return set
}

func insertAt(qs []Question, i int, q Question) []Question {
	qs = append(qs, Question{})
	copy(qs[i+1:], qs[i:])
	qs[i] = q
	return qs
}

func hasSignal(signals []string, s string) bool {
	for _, x := range signals {
		if x == s {
			return true
		}
	}
	return false
}

// phraseFor is the candidate's own wording for a template: the named thing,
// the words around the number, or a snippet around the signal's cue.
func phraseFor(sentence, signal, lang string) string {
	switch signal {
	case SignalName:
		if n := namedThing(sentence); n != "" {
			return truncateRunes(n, snippetRunes)
		}
	case SignalMetric, SignalImprovement, SignalScale:
		if m := metricPhrase(sentence, lang); m != "" {
			return truncateRunes(m, maxRunesFor(lang))
		}
	}
	return clauseFor(sentence, signal, lang)
}

// keySentences scores every sentence (two points per signal, three more for
// a number, since metrics make the most checkable questions) and keeps the top three in
// their original order. Sentences that look like instructions to an AI score
// nothing and are never chosen.
func keySentences(sentences []string) []KeySentence {
	type scored struct {
		KeySentence
		score int
	}
	var all []scored
	for i, s := range sentences {
		if looksLikeInjection(s) || runeLen(s) < 8 {
			continue
		}
		sig := sentenceSignals(s)
		score := 2 * len(sig)
		if hasSignal(sig, SignalMetric) {
			score += 3
		}
		all = append(all, scored{KeySentence{Index: i + 1, Text: s, Signals: sig}, score})
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].score > all[b].score })
	all = all[:min(len(all), maxKeySentences)]
	sort.Slice(all, func(a, b int) bool { return all[a].Index < all[b].Index })
	out := make([]KeySentence, len(all))
	for i, s := range all {
		out[i] = s.KeySentence
	}
	return out
}

// pickByRatio takes candidates in order, skipping near-duplicates, until it
// has n questions at about 7 job to 3 soft; if one type runs out, the other
// fills the rest.
func pickByRatio(candidates []Question, n int) []Question {
	wantJob := (n*jobShareNumerator + 5) / 10
	wantSoft := n - wantJob
	var out uniqueQuestions
	var spare []Question
	for _, q := range candidates {
		if len(out.list) == n {
			break
		}
		if runeLen(q.Text) > MaxQuestionRunes {
			continue
		}
		jobs := countType(out.list, Job)
		if (q.Type == Job && jobs >= wantJob) || (q.Type == Soft && len(out.list)-jobs >= wantSoft) {
			spare = append(spare, q)
			continue
		}
		out.add(q)
	}
	for _, q := range spare {
		if len(out.list) == n {
			break
		}
		if runeLen(q.Text) <= MaxQuestionRunes {
			out.add(q)
		}
	}
	return out.questions()
}

func countType(qs []Question, typ string) int {
	n := 0
	for _, q := range qs {
		if q.Type == typ {
			n++
		}
	}
	return n
}

// requirementCues mark a job-description line as a requirement.
var requirementCues = []string{
	"경험", "우대", "이해", "능숙", "가능", "필수", "역량", "활용", "지식",
	"experience", "familiar", "proficien", "knowledge", "required", "preferred", "plus", "understanding", "ability", "skill",
}

// requirements returns up to three requirement lines of a job description:
// bullet lines or sentences that carry a requirement cue, without hostile
// lines, at most 80 characters each.
func requirements(jd string) []string {
	var out []string
	for _, line := range strings.Split(jd, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "-*•·▪◦0123456789.) "))
		for _, s := range splitSentences(line) {
			if len(out) == maxKeySentences {
				return out
			}
			l := strings.ToLower(s)
			if runeLen(s) < 6 || looksLikeInjection(s) {
				continue
			}
			for _, cue := range requirementCues {
				if strings.Contains(l, cue) {
					out = append(out, truncateRunes(strings.TrimRight(s, ".;"), 80))
					break
				}
			}
		}
	}
	return out
}
