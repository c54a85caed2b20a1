package servertest

import (
	"context"
	"fmt"

	"github.com/nevermind-ai/nevermind/server"
)

// Coach is a fake [server.QuestionGenerator] and [server.AnswerEvaluator]
// standing in for the questions package, whose output a test can predict:
// for each cover-letter item two job questions quoting the item's question
// and two soft questions (a session starts with at least two of a type),
// and for an answer an overall_summary giving its
// length in characters.
type Coach struct{}

// GenerateQuestions implements [server.QuestionGenerator].
func (Coach) GenerateQuestions(_ context.Context, qas []server.QA) ([]server.Question, error) {
	var out []server.Question
	for _, qa := range qas {
		out = append(out,
			server.Question{Text: fmt.Sprintf("'%s'에 쓰신 경험에서 맡은 역할은 무엇이었나요?", qa.Question), Type: "job"},
			server.Question{Text: fmt.Sprintf("'%s'에 쓰신 결과는 어떻게 측정했나요?", qa.Question), Type: "job"},
			server.Question{Text: "함께 일한 사람과 의견이 달랐던 때를 말씀해 주세요.", Type: "soft"},
			server.Question{Text: "가장 힘들었던 순간을 어떻게 넘겼나요?", Type: "soft"})
	}
	return out, nil
}

// EvaluateAnswer implements [server.AnswerEvaluator].
func (Coach) EvaluateAnswer(_ context.Context, answer string) (map[string]any, error) {
	return map[string]any{"overall_summary": fmt.Sprintf("%d자 답변입니다.", len([]rune(answer)))}, nil
}
