package questions

import (
	"strings"
	"testing"
)

func BenchmarkMeasureKorean(b *testing.B) {
	answer := strings.Repeat(starKo+" ", 4) // about 2 minutes of speech
	for b.Loop() {
		Measure(answer, Korean)
	}
}

func BenchmarkEvaluateOffline(b *testing.B) {
	a := Answer{Question: "성능을 개선한 경험을 말씀해 주세요.", Text: strings.Repeat(starKo+" ", 4)}
	for b.Loop() {
		if _, err := EvaluateOffline(a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateOffline(b *testing.B) {
	req := Request{CoverLetter: koreanLetter, JobDescription: koreanJD}
	for b.Loop() {
		if _, err := GenerateOffline(req); err != nil {
			b.Fatal(err)
		}
	}
}
