package questionstest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/nevermind-ai/nevermind/questions"
	"github.com/nevermind-ai/nevermind/questions/questionstest"
)

// The scripted model's reply goes through the package's checks like a real
// one, and the prompt it was sent can be inspected.
func ExampleLLM() {
	llm := &questionstest.LLM{Replies: []string{`{"questions":[
		{"text":"How did you measure the 40% cut in latency?","type":"job","evidence":"I cut latency by 40% with a cache."},
		{"text":"What did you do on the team besides this?","type":"soft","evidence":"a sentence nobody said"}]}`}}
	set, err := questions.FollowUps(context.Background(), llm, questions.FollowUpRequest{
		Question: "Tell me about a performance problem you solved.",
		Answer:   "I cut latency by 40% with a cache.",
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, q := range set.Questions {
		fmt.Printf("%s [%s] evidence %q\n", q.Text, q.Type, q.Evidence)
	}
	p := llm.Prompts()[0]
	fmt.Println(set.Source, p.Schema.Name, len(llm.Prompts()))
	// Output:
	// How did you measure the 40% cut in latency? [job] evidence "I cut latency by 40% with a cache."
	// What did you do on the team besides this? [soft] evidence ""
	// llm follow_up_questions 1
}

// The fake endpoint records the HTTP request the client sent, and scripted
// failures become the package's sentinel errors.
func ExampleServer() {
	chat := questionstest.NewServer("sk-test", `{"questions":[{"text":"How did you measure the 40% cut?","type":"job","evidence":""}]}`)
	defer chat.Close()
	llm, err := questions.NewOpenAI(questions.OpenAIConfig{APIKey: "sk-test", BaseURL: chat.URL, HTTPClient: http.DefaultClient})
	if err != nil {
		log.Fatal(err)
	}
	req := questions.FollowUpRequest{Answer: "I cut latency by 40% with a cache."}
	set, err := questions.FollowUps(context.Background(), llm, req)
	if err != nil {
		log.Fatal(err)
	}
	sent := chat.Requests()[0]
	fmt.Println(set.Questions[0].Text)
	fmt.Println(sent.Model, sent.ResponseFormat.Type, sent.ResponseFormat.JSONSchema.Name)

	chat.FailNext(http.StatusServiceUnavailable)
	_, err = questions.FollowUps(context.Background(), llm, req)
	fmt.Println(errors.Is(err, questions.ErrUnavailable))
	// Output:
	// How did you measure the 40% cut?
	// gpt-4o-mini json_schema follow_up_questions
	// true
}
