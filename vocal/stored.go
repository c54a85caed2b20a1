package vocal

import "strings"

// StoredScores are the voice numbers the original service kept per attempt
// (feedback_summary: overall_voice, tremor, blank, tone, speed). A nil
// metric was never measured.
type StoredScores struct {
	Overall float64  // overall_voice
	Tremor  *float64 // the "tremor" column
	Pause   *float64 // the "blank" column
	Tone    *float64 // the "tone" column
	Speed   *float64 // the "speed" column
}

// LevelFromScore is the level of a stored score in the original service's
// GET voice-feedback payload, which the server keeps: 양호 from 80, 보통 from
// 60, otherwise 개선필요.
func LevelFromScore(score float64) string {
	switch {
	case score >= 80:
		return "양호"
	case score >= 60:
		return "보통"
	}
	return "개선필요"
}

// StoredSummary rebuilds the Korean summary the original service's GET
// voice-feedback route derives from stored scores, as the server still
// answers it: one sentence for the overall score, then one per measured
// metric in the order tremor, pause, tone, speed, each by the bands of
// LevelFromScore, joined with spaces.
func StoredSummary(s StoredScores) string {
	band := func(score float64) int {
		switch {
		case score >= 80:
			return 0
		case score >= 60:
			return 1
		}
		return 2
	}
	parts := []string{[3]string{
		"전체적으로 안정적인 음성이었습니다.",
		"전체적으로 무난한 음성이었지만, 몇 가지 개선할 부분이 보입니다.",
		"전체적으로 개선이 필요한 음성이었습니다.",
	}[band(s.Overall)]}
	for _, m := range []struct {
		score     *float64
		sentences [3]string
	}{
		{s.Tremor, [3]string{
			"목소리 떨림 없이 비교적 안정적으로 말했습니다.",
			"약간의 떨림이 느껴지지만 전체 흐름에 큰 문제는 없습니다.",
			"긴장으로 인한 목소리 떨림이 자주 느껴졌습니다.",
		}},
		{s.Pause, [3]string{
			"머뭇거림이 거의 없어 답변 흐름이 자연스러웠습니다.",
			"생각을 정리하는 짧은 머뭇거림이 있었지만 전반적으로 무난했습니다.",
			"답변 중 머뭇거림이 길거나 자주 나타나 핵심 메시지가 약해질 수 있습니다.",
		}},
		{s.Tone, [3]string{
			"억양이 자연스럽고 전달력이 좋았습니다.",
			"전반적으로 자연스러운 억양이지만 약간 단조로운 구간이 있습니다.",
			"억양이 다소 단조로운 편이라, 문장 끝을 더 분명하게 처리해 주면 좋습니다.",
		}},
		{s.Speed, [3]string{
			"말 속도가 적절해 듣기 편했습니다.",
			"약간 빠르거나 느린 구간이 있지만 전체적으로는 무난한 속도였습니다.",
			"말 속도가 다소 빠르거나 느려 전달력이 떨어질 수 있습니다.",
		}},
	} {
		if m.score != nil {
			parts = append(parts, m.sentences[band(*m.score)])
		}
	}
	return strings.Join(parts, " ")
}
