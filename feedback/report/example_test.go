package report_test

import (
	"fmt"
	"os"

	"github.com/nevermind-ai/nevermind/feedback"
	"github.com/nevermind-ai/nevermind/feedback/report"
	"github.com/nevermind-ai/nevermind/questions"
)

// A transcript-only summary (no audio or video) printed for a terminal.
func ExampleText() {
	ev, err := questions.EvaluateOffline(questions.Answer{
		Question: "Tell me about a time you improved a process.",
		Text: "At my last job our release took two days. First I measured each step. " +
			"Then I automated the tests with GitHub Actions. As a result, releases now take 40 minutes.",
		Language: "en",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	sum, err := feedback.Summarize(feedback.Input{Content: ev}, feedback.Options{Language: "en"})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := report.Text(os.Stdout, sum, report.Options{Title: "answer.txt"}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Interview answer feedback — answer.txt
	// ======================================
	// Overall  73/100  fair
	//
	//   Measure         Score  Grade       Finding
	//   Fillers           100  good        No fillers in 30 words.
	//   STAR structure     60  fair        2 of situation, task, action and result came through.
	//   Specificity        80  good        You mentioned 1 number and 2 named projects or tools.
	//   Structure         100  good        4 sentences with 3 order or cause connectives.
	//   Relevance          40  needs work  Relevance to the question scored 2 of 5.
	//   Length             40  needs work  The answer ran to 30 words (131 characters).
	//
	// Top moments
	// -----------
	//   No problem moments.
	//
	// Summary
	// -------
	//   In this answer 3 of 6 measures were good, and the overall score is 73/100
	//   (fair). Relevance to the question scored 2 of 5. The answer ran to 30 words
	//   (131 characters).
	//
	// Practise next
	// -------------
	//   1. Build the answer as situation, task, action and result, and close with a
	//      measurable result.
	//   2. Answer the question in your first sentence, then add the supporting
	//      detail.
	//   3. Practise answers of one to two minutes (about 150–300 words).
	//
	// Not included
	// ------------
	//   voice: unavailable (not analysed)
	//   video: unavailable (not analysed)
}

// Writing the HTML report of a summary to a file. in must hold the analyses
// the summary was made from: the voice report made with
// vocal.Options{Series: true} gives the pitch and loudness plots, the video
// report made with vision.AnalyzeOptions{Series: true} the eye-contact and
// posture plots.
func ExampleHTML() {
	in := feedback.Input{ /* Vocal: …, Vision: …, Content: … */ }
	sum, err := feedback.Summarize(in, feedback.Options{Language: "ko"})
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := os.Create("report.html")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	if err := report.HTML(f, sum, in, report.Options{Title: "answer.webm"}); err != nil {
		fmt.Println(err)
	}
}
