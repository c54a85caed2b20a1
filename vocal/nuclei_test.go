package vocal

import (
	"fmt"
	"math"
	"testing"
	"unicode"

	"github.com/nevermind-ai/nevermind/vocal/internal/testaudio"
)

// TestSyllableNucleiKorean compares the syllable-nuclei count with the
// number of Hangul syllables of the text espeak-ng spoke (every Hangul
// character is one syllable). The mean absolute error must be within
// ±10 % of the Hangul count; it is reported in benchmarks/vocal/README.md.
func TestSyllableNucleiKorean(t *testing.T) {
	testaudio.Need(t, "espeak-ng", "sox")
	dir := t.TempDir()
	texts := []string{
		"안녕하세요. 저는 지난 삼 년 동안 백엔드 개발자로 일했습니다.",
		"그 프로젝트에서 가장 어려웠던 점은 팀원들과의 일정 조율이었습니다.",
		"고객의 불편을 줄이기 위해 모니터링 시스템을 직접 구축했습니다.",
		"입사하게 된다면 첫 일 년 동안 서비스 안정화에 집중하겠습니다.",
	}
	var sumAbs float64
	n := 0
	for i, text := range texts {
		for _, rate := range []int{130, 170} {
			want := 0
			for _, r := range text {
				if unicode.Is(unicode.Hangul, r) {
					want++
				}
			}
			wav := testaudio.Espeak(t, dir, fmt.Sprintf("ko%d-%d", i, rate), "ko", text, 50, rate)
			r := analyzeFile(t, wav, Options{Language: "ko"})
			if r.Fluency == nil {
				t.Fatalf("no fluency: %s", r.Quality.Message)
			}
			rel := float64(r.Fluency.Syllables-want) / float64(want)
			sumAbs += math.Abs(rel)
			n++
			t.Logf("rate %d: %d nuclei for %d syllables (%+.0f%%)", rate, r.Fluency.Syllables, want, 100*rel)
		}
	}
	mae := sumAbs / float64(n)
	t.Logf("mean absolute error %.0f%%", 100*mae)
	if mae > 0.10 {
		t.Errorf("syllable nuclei are off by %.0f%% on average", 100*mae)
	}
}
