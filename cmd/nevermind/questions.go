package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/nevermind-ai/nevermind/questions"
)

func runQuestions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("questions", "usage: nevermind questions --cover-letter FILE [--jd FILE] [--lang ko|en] [--count N] [--json]\n\n"+
		"Generates interview questions from a cover letter (plain text, or JSON [{\"q\":…,\"a\":…}]) and a job\n"+
		"description, with the LLM configured by OPENAI_API_KEY (and OPENAI_BASE_URL), or offline without one.", stderr)
	letterPath := fs.String("cover-letter", "", "the cover letter file (required)")
	jdPath := fs.String("jd", "", "the job description file")
	lang := fs.String("lang", "", "language of the questions: ko or en (default: the cover letter's)")
	count := fs.Int("count", 0, fmt.Sprintf("how many questions (default %d, at most %d)", questions.DefaultCount, questions.MaxCount))
	asJSON := fs.Bool("json", false, `print {"questions": [{"text", "type", …}], "source", …}`)
	if rest, err := parseInterspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 || *letterPath == "" {
		fs.Usage()
		return errors.New("questions takes --cover-letter FILE and no other arguments")
	}
	if *lang != "" && *lang != "ko" && *lang != "en" {
		return fmt.Errorf("--lang must be ko or en, not %q", *lang)
	}
	data, err := os.ReadFile(*letterPath)
	if err != nil {
		return err
	}
	letter, err := questions.ParseCoverLetter(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *letterPath, err)
	}
	req := questions.Request{CoverLetter: letter, Language: *lang, Count: *count}
	if *jdPath != "" {
		jd, err := os.ReadFile(*jdPath)
		if err != nil {
			return err
		}
		req.JobDescription = string(jd)
	}
	llm, err := questions.LLMFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	set, err := questions.Generate(ctx, llm, req)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(set)
	}
	fmt.Fprintf(stdout, "%d questions (%s, %s)\n", len(set.Questions), set.Language, set.Source)
	for i, q := range set.Questions {
		fmt.Fprintf(stdout, "%2d. [%s] %s\n", i+1, q.Type, q.Text)
		if q.Evidence != "" {
			fmt.Fprintf(stdout, "    근거: %s\n", q.Evidence)
		}
	}
	return nil
}
