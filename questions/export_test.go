package questions

// Fixtures and helpers of the internal tests that the model-path tests in
// llm_test.go (package questions_test) share.
const (
	StarKo        = starKo
	HostileAnswer = hostileAnswer
	HostileKo     = hostileKo
	KoreanJD      = koreanJD
	PromptCanary  = promptCanary
)

var (
	KoreanLetter   = koreanLetter
	HostileLetter  = hostileLetter
	SplitSentences = splitSentences
)
