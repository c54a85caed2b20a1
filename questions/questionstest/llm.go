package questionstest

import (
	"context"
	"sync"

	"github.com/nevermind-ai/nevermind/questions"
)

// LLM is a scripted [questions.LLM]: call n returns Replies[n], the last
// reply again once they run out, or Err when it is set. Every prompt is
// recorded. Set the fields before the first call; it is safe for
// concurrent use.
type LLM struct {
	Replies []string
	Err     error

	mu      sync.Mutex
	prompts []questions.Prompt
}

// Complete implements [questions.LLM].
func (l *LLM) Complete(ctx context.Context, p questions.Prompt) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prompts = append(l.prompts, p)
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if l.Err != nil {
		return "", l.Err
	}
	if len(l.Replies) == 0 {
		return "", nil
	}
	return l.Replies[min(len(l.prompts), len(l.Replies))-1], nil
}

// Prompts returns the prompts received so far, oldest first.
func (l *LLM) Prompts() []questions.Prompt {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]questions.Prompt(nil), l.prompts...)
}
