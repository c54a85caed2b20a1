package questions

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

//go:embed bank.json
var bankJSON []byte

// BankQuestion is one question of the embedded basic bank. Label is the
// seed's basic_question label: [Job] or [Soft].
type BankQuestion struct {
	Text  string `json:"text"`
	Label string `json:"label"`
	Lang  string `json:"lang"`
}

// Bank returns the embedded basic question bank: 60 Korean and 60 English
// interview questions for junior developers, labelled job or soft, in a fixed
// order. The server seeds its basic_question table from it. The slice is a
// fresh copy the caller may modify.
func Bank() []BankQuestion {
	var qs []BankQuestion
	if err := json.Unmarshal(bankJSON, &qs); err != nil {
		// bank.json is part of the source tree and checked by the tests.
		panic(fmt.Sprintf("questions: embedded bank.json is invalid: %v", err))
	}
	return qs
}

// BankFor returns the bank's questions in one language ("ko" or "en") and,
// unless label is "", with one label.
func BankFor(lang, label string) []BankQuestion {
	var out []BankQuestion
	for _, q := range Bank() {
		if q.Lang == lang && (label == "" || q.Label == label) {
			out = append(out, q)
		}
	}
	return out
}
