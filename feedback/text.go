package feedback

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nevermind-ai/nevermind"
)

var partName = map[nevermind.Part]Text{
	nevermind.Voice:      {"음성 분석", "Voice analysis"},
	nevermind.Vision:     {"영상 분석", "Video analysis"},
	nevermind.Transcript: {"음성 인식", "Transcription"},
	nevermind.Content:    {"답변 내용 평가", "Content evaluation"},
}

// byNeed orders metrics from the one most in need of work: lowest score
// first, heavier weight first among equal scores.
func byNeed(ms []Metric) []Metric {
	out := append([]Metric(nil), ms...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score < out[j].Score
		}
		return out[i].Weight > out[j].Weight
	})
	return out
}

// summaryText writes 2–4 sentences: the overview, the one or two measures
// that most need work (or the strongest one), and what could not be
// analysed. Every sentence states what happened, with numbers.
func summaryText(s *Summary) Text {
	var ko, en []string
	add := func(t Text) {
		if t.Ko != "" && len(ko) < 4 {
			ko, en = append(ko, t.Ko), append(en, t.En)
		}
	}
	if len(s.Metrics) == 0 {
		add(Text{"측정할 수 있는 지표가 없었습니다.", "Nothing could be measured."})
	} else {
		good := 0
		for _, m := range s.Metrics {
			if m.Grade == Good {
				good++
			}
		}
		which := Text{"이번 답변에서", "In this answer"}
		if s.Duration >= 0.5 {
			which = Text{fmt.Sprintf("%.0f초 분량의 답변에서", s.Duration), fmt.Sprintf("In this %.0f-second answer", s.Duration)}
		}
		add(Text{
			Ko: fmt.Sprintf("%s %d개 지표 중 %d개가 양호했고, 종합 점수는 %d점(%s)입니다.", which.Ko, len(s.Metrics), good, *s.OverallScore, s.OverallGrade.Label().Ko),
			En: fmt.Sprintf("%s %d of %d measures were good, and the overall score is %d/100 (%s).", which.En, good, len(s.Metrics), *s.OverallScore, s.OverallGrade.Label().En),
		})
		need := byNeed(s.Metrics)
		problems := 0
		for _, m := range need {
			if m.Grade != Good && problems < 2 {
				add(m.Finding)
				problems++
			}
		}
		if problems < 2 {
			add(need[len(need)-1].Finding) // the strongest measure
		}
	}
	var gone []string
	var goneEn []string
	for _, st := range s.Parts {
		if st.Status == StatusFailed || (st.Status == StatusUnavailable && st.Part == nevermind.Voice && st.Reason != notAnalysed) {
			gone = append(gone, fmt.Sprintf("%s(%s)", partName[st.Part].Ko, st.Reason.Ko))
			goneEn = append(goneEn, fmt.Sprintf("%s (%s)", strings.ToLower(partName[st.Part].En), st.Reason.En))
		}
	}
	if len(gone) > 0 {
		t := Text{
			Ko: "다음 분석은 결과를 얻지 못해 점수에 넣지 않았습니다: " + strings.Join(gone, ", ") + ".",
			En: "Not included in the score because they produced no result: " + strings.Join(goneEn, ", ") + ".",
		}
		if len(ko) == 4 {
			ko, en = ko[:3], en[:3]
		}
		add(t)
	}
	return Text{Ko: strings.Join(ko, " "), En: strings.Join(en, " ")}
}

// practice picks up to three metrics below good, the ones whose shortfall
// costs the overall score most (weight × missing points) first. When every
// metric is good it names the weakest one, so there is always a next step.
func practice(ms []Metric) []Practice {
	var cand []Metric
	for _, m := range ms {
		if m.Grade != Good {
			cand = append(cand, m)
		}
	}
	sort.SliceStable(cand, func(i, j int) bool {
		return cand[i].Weight*float64(100-cand[i].Score) > cand[j].Weight*float64(100-cand[j].Score)
	})
	if len(cand) == 0 && len(ms) > 0 {
		cand = byNeed(ms)[:1]
	}
	out := []Practice{}
	for _, m := range cand {
		if len(out) == 3 {
			break
		}
		if t, ok := tip(m); ok {
			out = append(out, Practice{Metric: m.ID, Text: t})
		}
	}
	return out
}

func tip(m Metric) (Text, bool) {
	switch m.ID {
	case "pace":
		slow := (m.Unit == "wpm" && m.Value < paceEn.lo) || (m.Unit != "wpm" && m.Value < paceKo.lo)
		if slow {
			return Text{
				"말할 요점을 미리 정해 두고, 문장 사이 멈춤을 1초 안으로 줄여 초당 4음절 이상으로 말해 보세요.",
				"Decide your points in advance and keep gaps between sentences under 1 s, aiming for at least 110 words a minute.",
			}, true
		}
		return Text{
			"문장마다 끝에서 짧게 숨을 고르고, 초당 5음절(1분에 약 300음절) 이하로 말하는 연습을 하세요.",
			"Take a short breath at the end of each sentence and aim for at most 160 words a minute.",
		}, true
	}
	t, ok := tips[m.ID]
	return t, ok
}

var tips = map[string]Text{
	"pauses": {
		"답변의 요점 세 가지를 먼저 정하고 요점을 잇는 문장을 연습해, 멈춤이 2초를 넘지 않게 해 보세요.",
		"Outline three points before you start and rehearse the sentence that links them, so no silence runs past 2 s.",
	},
	"fillers": {
		"군말이 나올 것 같으면 소리 내지 말고 잠깐 멈추세요. 녹음해 들으며 100단어당 2개 미만을 목표로 하세요.",
		"When a filler is coming, pause silently instead; record yourself and aim for under 2 per 100 words.",
	},
	"pitch_variation": {
		"숫자와 결과 같은 핵심 단어에서 목소리를 올리고 문장 끝은 내려, 3반음 이상 높낮이를 주어 말해 보세요.",
		"Lift your voice on key words such as numbers and results and let it fall at sentence ends, for 3 or more semitones of movement.",
	},
	"trailing_off": {
		"문장의 마지막 단어까지 같은 크기로 또렷하게 말하는 연습을 하세요.",
		"Keep your volume up through the last word of each sentence.",
	},
	"tremor": {
		"말하기 전에 천천히 숨을 내쉬고, 첫 문장을 편한 음높이로 시작해 보세요.",
		"Breathe out slowly before you speak and start the first sentence at a comfortable pitch.",
	},
	"star": {
		"상황–과제–행동–결과 순서로 답을 구성하고, 결과는 숫자로 마무리하세요.",
		"Build the answer as situation, task, action and result, and close with a measurable result.",
	},
	"specificity": {
		"기간, 규모, 개선 폭 같은 수치와 사용한 도구·프로젝트 이름을 두세 개 넣어 말하세요.",
		"Add two or three figures (time, scale, improvement) and the names of the tools or projects involved.",
	},
	"structure": {
		"\"먼저\", \"그래서\", \"그 결과\"처럼 순서와 인과를 알리는 말로 문장을 이으세요.",
		`Link sentences with words that mark order and cause, such as "first", "so" and "as a result".`,
	},
	"relevance": {
		"첫 문장에서 질문에 바로 답한 다음 근거를 덧붙이세요.",
		"Answer the question in your first sentence, then add the supporting detail.",
	},
	"length": {
		"1–2분(약 300–900자) 분량으로 답하는 연습을 하세요.",
		"Practise answers of one to two minutes (about 150–300 words).",
	},
	"eye_contact": {
		"답하는 동안 화면 속 자신이나 질문이 아니라 카메라 렌즈를 보세요. 렌즈에서 몇 도만 벗어나도 상대는 눈을 맞추지 않는다고 느낍니다.",
		"While answering, look into the camera lens, not at yourself or the question on screen: a few degrees off the lens already reads as not meeting the interviewer's eyes.",
	},
	"look_away": {
		"생각하느라 시선을 돌리더라도 3초 안에 카메라로 돌아오세요.",
		"If you look away to think, come back to the camera within 3 s.",
	},
	"head_stability": {
		"고개를 정면으로 두고 화면 중앙을 향하게 하세요.",
		"Keep your head facing the centre of the screen.",
	},
	"posture": {
		"어깨를 수평으로 두고 고개를 곧게 세운 채, 손은 어깨 아래에 두세요.",
		"Keep your shoulders level and your head upright, with your hands below shoulder height.",
	},
	"smile": {
		"답변을 시작할 때와 마칠 때 가볍게 미소 지어 보세요.",
		"Try a light smile as you start and as you finish the answer.",
	},
}
