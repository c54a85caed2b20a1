package vocal

import "testing"

func TestStoredSummary(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	got := StoredSummary(StoredScores{Overall: 79.5, Tremor: f(90), Pause: f(60), Tone: f(59.9), Speed: nil})
	want := "전체적으로 무난한 음성이었지만, 몇 가지 개선할 부분이 보입니다. " +
		"목소리 떨림 없이 비교적 안정적으로 말했습니다. " +
		"생각을 정리하는 짧은 머뭇거림이 있었지만 전반적으로 무난했습니다. " +
		"억양이 다소 단조로운 편이라, 문장 끝을 더 분명하게 처리해 주면 좋습니다."
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	for score, level := range map[float64]string{80: "양호", 79.9: "보통", 60: "보통", 59: "개선필요"} {
		if got := LevelFromScore(score); got != level {
			t.Errorf("LevelFromScore(%v) = %s, want %s", score, got, level)
		}
	}
}
