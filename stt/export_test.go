package stt

// The OpenAI tests live in package stt_test, since they use stttest, which
// imports this package; these are the internal test helpers they share
// with the Google tests.
var (
	Speech          = speech
	VoicedRegions   = voicedRegions
	FastRetryClient = fastRetryClient
)
