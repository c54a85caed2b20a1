package questions_test

import (
	"context"
	"fmt"
	"log"

	"github.com/nevermind-ai/nevermind/questions"
)

// Without a model, questions come from the cover letter's key sentences and
// quote the candidate's own numbers and names.
func ExampleGenerate_offline() {
	letter, err := questions.ParseCoverLetter([]byte(`[{"q":"Describe a project.","a":
		"I led a team of four building a booking app. I cut page load time from 4 s to 1.5 s by adding a CDN and lazy loading."}]`))
	if err != nil {
		log.Fatal(err)
	}
	set, err := questions.Generate(context.Background(), nil, questions.Request{CoverLetter: letter, Count: 3})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(set.Source, set.Language)
	for _, q := range set.Questions {
		fmt.Printf("[%s] %s\n", q.Type, q.Text)
	}
	// Output:
	// offline en
	// [job] How did you measure 'page load time from 4 s to 1.5 s', and what did you compare it against?
	// [job] What was your part in the work on CDN, and what was the hardest problem you solved there?
	// [soft] You said you led a team of four building a booking app. What was the hardest moment, and how did you keep going?
}

// The offline rubric is computed from counts anyone can check.
func ExampleEvaluateOffline() {
	ev, err := questions.EvaluateOffline(questions.Answer{
		Question: "Tell me about a time you improved performance.",
		Text: "Um, when I was an intern our search API was slow. My task was to make it faster. " +
			"First I profiled it and added a Redis cache. As a result, latency dropped from 900 ms to 120 ms.",
	})
	if err != nil {
		log.Fatal(err)
	}
	r := ev.Rubric
	fmt.Println("length class:", ev.LengthClass)
	fmt.Println("star:", r.STAR.Score, "specificity:", r.Specificity.Score, "structure:", r.Structure.Score)
	fmt.Printf("fillers: %d in %d words\n", ev.Metrics.FilledPauses+ev.Metrics.DiscourseFillers, ev.Metrics.Words)
	// Output:
	// length class: normal
	// star: 5 specificity: 4 structure: 5
	// fillers: 1 in 38 words
}

// Follow-ups probe what an answer left open: here the outcome is missing,
// and the claimed figure invites a question about how it was measured.
func ExampleFollowUpsOffline() {
	set, err := questions.FollowUpsOffline(questions.FollowUpRequest{
		Question: "성능을 개선한 경험을 말씀해 주세요.",
		Answer:   "저는 팀에서 서버를 담당했습니다. 응답 시간을 40% 줄이려고 Redis 캐시를 도입했습니다.",
		Count:    2,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, q := range set.Questions {
		fmt.Println(q.Text)
	}
	// Output:
	// 그래서 최종 결과는 어땠나요? 수치나 사용자 반응처럼 확인할 수 있는 근거로 말씀해 주세요.
	// '응답 시간을 40%'라고 하셨는데, 그 수치는 어떻게 측정했고 무엇과 비교한 값인가요?
}
