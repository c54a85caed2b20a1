package praat

import "errors"

// Sentinel errors. Functions wrap them with details; test with errors.Is.
var (
	// ErrTooShort means the sound is shorter than one analysis window
	// (for example 3 periods of the pitch floor for pitch, 6.4 periods for
	// intensity). Praat refuses such sounds too.
	ErrTooShort = errors.New("praat: sound too short for this analysis")
	// ErrBadInput means a parameter or a sample value is out of range
	// (non-positive rate or pitch floor, NaN samples, ceiling below floor...).
	ErrBadInput = errors.New("praat: invalid input")
)
