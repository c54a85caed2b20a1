package feedback

import (
	"fmt"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/questions"
)

// contentMetrics turns the five rubric criteria (1–5) into scores of 20 per
// point, so 4/5 is the lowest good score and 3/5 fair, matching the grade
// bands. A criterion scored 0 (not assessed) is left out.
func contentMetrics(e *questions.Evaluation) []Metric {
	m := e.Metrics
	crit := []struct {
		id    string
		c     questions.Criterion
		label Text
		find  Text
		ev    map[string]float64
	}{
		{"star", e.Rubric.STAR, Text{"STAR 구성", "STAR structure"},
			Text{fmt.Sprintf("상황·과제·행동·결과 중 %d가지가 드러났습니다.", len(m.STAR)), fmt.Sprintf("%d of situation, task, action and result came through.", len(m.STAR))},
			map[string]float64{"star_components": float64(len(m.STAR))}},
		{"specificity", e.Rubric.Specificity, Text{"구체성", "Specificity"},
			Text{fmt.Sprintf("수치 %d개, 프로젝트·도구 이름 %d개를 언급했습니다.", m.Numbers, m.Names), fmt.Sprintf("You mentioned %s and %s.", plural(m.Numbers, "number", "numbers"), plural(m.Names, "named project or tool", "named projects or tools"))},
			map[string]float64{"numbers": float64(m.Numbers), "names": float64(m.Names)}},
		{"structure", e.Rubric.Structure, Text{"논리 흐름", "Structure"},
			Text{fmt.Sprintf("%d문장에 순서·인과 연결어가 %d개 있었습니다.", m.Sentences, m.Connectives), fmt.Sprintf("%s with %s.", plural(m.Sentences, "sentence", "sentences"), plural(m.Connectives, "order or cause connective", "order or cause connectives"))},
			map[string]float64{"sentences": float64(m.Sentences), "connectives": float64(m.Connectives), "repeats": float64(m.Repeats)}},
		{"relevance", e.Rubric.Relevance, Text{"질문 관련성", "Relevance"},
			Text{"", ""}, map[string]float64{}},
		{"length", e.Rubric.Length, Text{"답변 길이", "Length"},
			Text{fmt.Sprintf("답변은 %d자(%d단어)였습니다.", m.Characters, m.Words), fmt.Sprintf("The answer ran to %s (%s).", plural(m.Words, "word", "words"), plural(m.Characters, "character", "characters"))},
			map[string]float64{"characters": float64(m.Characters), "words": float64(m.Words)}},
	}
	var out []Metric
	for _, c := range crit {
		if c.c.Score < 1 || c.c.Score > 5 {
			continue
		}
		c.ev["rubric_score"] = float64(c.c.Score)
		x := newMetric(c.id, nevermind.Content, c.label, 20*c.c.Score, float64(c.c.Score), "rubric_1_5", "4–5", c.ev)
		x.Finding = c.find
		if c.id == "relevance" {
			x.Finding = Text{fmt.Sprintf("질문과의 관련성은 5점 중 %d점이었습니다.", c.c.Score), fmt.Sprintf("Relevance to the question scored %d of 5.", c.c.Score)}
		}
		x.Note = c.c.Reason
		out = append(out, x)
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// meanings say what each metric is and why it matters, in behaviour terms.
var meanings = map[string]Text{
	"pace": {
		Ko: "말하기 속도(초당 음절, 영어는 분당 단어)입니다. 너무 빠르면 면접관이 내용을 놓치고, 너무 느리면 답이 늘어집니다.",
		En: "How fast you spoke (syllables per second; words per minute in English). Too fast and the interviewer misses points; too slow and the answer drags.",
	},
	"pauses": {
		Ko: "답변 중 말이 멈춘 시간입니다. 1초 안팎의 짧은 멈춤은 자연스럽지만, 2.5초를 넘는 멈춤은 흐름을 끊습니다.",
		En: "Silences inside the answer. Short pauses are natural; pauses over 2.5 s break the flow.",
	},
	"fillers": {
		Ko: "\"음\", \"어\", \"그러니까\" 같은 군말의 빈도입니다. 100단어당 2개 미만이면 잘 들리지 않습니다.",
		En: `How often fillers such as "um", "uh" or "like" came up. Under 2 per 100 words goes unnoticed.`,
	},
	"pitch_variation": {
		Ko: "목소리 높낮이의 변화 폭(반음)입니다. 2반음 미만이면 단조롭게, 3반음 이상이면 생동감 있게 들립니다.",
		En: "How much your pitch moved, in semitones. Below 2 sounds flat; 3 or more sounds lively.",
	},
	"trailing_off": {
		Ko: "구절 끝에서 목소리가 작아진 비율입니다. 말끝이 흐려지면 문장의 마지막 내용이 잘 들리지 않습니다.",
		En: "The share of phrases whose ending got much quieter. When endings fade, the last words are hard to hear.",
	},
	"tremor": {
		Ko: "원래 서비스의 목소리 떨림 지수(지터·시머·배음 대 잡음비 기반)입니다. 연속 발화에서는 참고용입니다.",
		En: "The original service's voice tremor index (from jitter, shimmer and harmonics-to-noise ratio); indicative only for running speech.",
	},
	"star": {
		Ko: "답변에 상황(S)·과제(T)·행동(A)·결과(R)가 드러나는지입니다. 결과까지 말하면 경험이 분명히 전달됩니다.",
		En: "Whether the answer shows situation, task, action and result. Ending on the result makes the experience concrete.",
	},
	"specificity": {
		Ko: "수치와 프로젝트·도구 이름처럼 확인 가능한 사실이 얼마나 들어 있는지입니다.",
		En: "How many checkable facts, such as numbers and the names of projects or tools, the answer contains.",
	},
	"structure": {
		Ko: "문장이 순서와 인과를 따라 이어지는지입니다.",
		En: "Whether the sentences follow an order and show cause and effect.",
	},
	"relevance": {
		Ko: "답변이 받은 질문에 답하는지입니다.",
		En: "Whether the answer addresses the question that was asked.",
	},
	"length": {
		Ko: "답변 길이입니다. 행동 질문에는 1–2분 답변이 일반적입니다.",
		En: "How long the answer was; one to two minutes is usual for a behavioural question.",
	},
	"eye_contact": {
		Ko: "카메라(면접관)를 바라본 시간의 비율입니다. 화상 면접에서는 카메라를 보는 것이 눈을 맞추는 것입니다.",
		En: "The share of time you looked at the camera, which is eye contact in a video interview.",
	},
	"look_away": {
		Ko: "카메라에서 시선을 뗀 가장 긴 시간입니다. 생각할 때 잠깐 보는 것은 자연스럽지만 5초를 넘으면 길게 느껴집니다.",
		En: "The longest time your gaze left the camera. Brief glances while thinking are natural; over 5 s feels long.",
	},
	"head_stability": {
		Ko: "고개가 정면에서 벗어나 있던 시간의 비율입니다.",
		En: "The share of time your head was turned away from the front.",
	},
	"posture": {
		Ko: "어깨 높이와 고개 기울기, 손 위치가 기준 범위 안에 있던 정도입니다.",
		En: "How level your shoulders stayed, how upright your head was, and where your hands were.",
	},
	"smile": {
		Ko: "미소를 지은 시간의 비율입니다. 감정을 판단하는 것이 아니라 입꼬리 움직임만 셉니다.",
		En: "The share of time you smiled; it counts mouth movement only and does not judge emotion.",
	},
}
