package feedback

import "errors"

// Sentinel errors returned (wrapped) by [Summarize]; test with [errors.Is].
var (
	// ErrNoInput means Input holds no analysis and names no failed one,
	// so there is nothing to summarise.
	ErrNoInput = errors.New("feedback: nothing to summarise")
	// ErrInvalidInput means a field of Input is malformed: a negative or
	// non-finite duration, or a Failed key that is not a part.
	ErrInvalidInput = errors.New("feedback: invalid input")
	// ErrLanguage means Options.Language is neither "ko", "en" nor "".
	ErrLanguage = errors.New("feedback: unsupported language")
)
