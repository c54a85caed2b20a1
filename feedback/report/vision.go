package report

import "github.com/nevermind-ai/nevermind/feedback"

// visionPlots draws eye contact and posture once package vision publishes
// its Report; until then the page has no vision plots.
func visionPlots(feedback.Input, float64, string) []plot { return nil }
