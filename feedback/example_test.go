package feedback_test

import (
	"errors"
	"fmt"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/feedback"
	"github.com/nevermind-ai/nevermind/questions"
)

// Summarising a Korean answer whose transcript was evaluated offline, while
// the video analysis failed: the summary scores what is there and says what
// is missing.
func ExampleSummarize() {
	ev, err := questions.EvaluateOffline(questions.Answer{
		Question: "가장 어려웠던 문제를 어떻게 해결했나요?",
		Text: "지난 프로젝트에서 결제 서비스의 장애가 일주일에 두 번 발생했습니다. 먼저 로그를 분석해 원인이 시간 초과라는 것을 찾았습니다. " +
			"그래서 재시도와 큐를 도입했습니다. 그 결과 장애가 90퍼센트 줄었습니다.",
		Language: "ko",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	sum, err := feedback.Summarize(feedback.Input{
		Content: ev,
		Failed:  nevermind.Failures{nevermind.Vision: errors.New("no face was found in any frame")},
	}, feedback.Options{Language: "ko"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(*sum.OverallScore, sum.OverallGrade.Label().Ko)
	for _, m := range sum.Metrics {
		fmt.Printf("%s %d %s\n", m.Label.Ko, m.Score, m.GradeLabel.Ko)
	}
	fmt.Println(sum.Status(nevermind.Vision).Status)
	fmt.Println(sum.Text.Ko)
	for _, p := range sum.Practice {
		fmt.Println("-", p.Text.Ko)
	}
	// Output:
	// 69 보통
	// 군말 100 양호
	// STAR 구성 80 양호
	// 구체성 40 개선필요
	// 논리 흐름 100 양호
	// 질문 관련성 40 개선필요
	// 답변 길이 40 개선필요
	// failed
	// 이번 답변에서 6개 지표 중 3개가 양호했고, 종합 점수는 69점(보통)입니다. 수치 1개, 프로젝트·도구 이름 0개를 언급했습니다. 질문과의 관련성은 5점 중 2점이었습니다. 다음 분석은 결과를 얻지 못해 점수에 넣지 않았습니다: 영상 분석(no face was found in any frame).
	// - 기간, 규모, 개선 폭 같은 수치와 사용한 도구·프로젝트 이름을 두세 개 넣어 말하세요.
	// - 첫 문장에서 질문에 바로 답한 다음 근거를 덧붙이세요.
	// - 1–2분(약 300–900자) 분량으로 답하는 연습을 하세요.
}
