package questions

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Languages the package writes in.
const (
	Korean  = "ko"
	English = "en"
)

// DetectLanguage returns "ko" when at least 30 % of the letters in text are
// Hangul and "en" otherwise. Korean answers routinely contain English tech
// terms, hence the low threshold.
func DetectLanguage(text string) string {
	var hangul, letters int
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
			if unicode.Is(unicode.Hangul, r) {
				hangul++
			}
		}
	}
	if letters > 0 && float64(hangul)/float64(letters) >= 0.3 {
		return Korean
	}
	return English
}

func resolveLanguage(lang, text string) string {
	switch strings.ToLower(strings.TrimSpace(lang)) {
	case Korean:
		return Korean
	case English:
		return English
	}
	return DetectLanguage(text)
}

var (
	spaceRun = regexp.MustCompile(`\s+`)
	// A sentence ends at . ! ? (also the full-width forms) followed by space,
	// as the seed splits cover letters.
	sentenceEnd = regexp.MustCompile(`[.!?。！？]+\s`)
)

// splitSentences collapses whitespace and cuts text after sentence-ending
// punctuation; a final fragment without punctuation is kept.
func splitSentences(text string) []string {
	text = strings.TrimSpace(spaceRun.ReplaceAllString(text, " "))
	if text == "" {
		return nil
	}
	var out []string
	for {
		loc := sentenceEnd.FindStringIndex(text)
		if loc == nil {
			break
		}
		if s := strings.TrimSpace(text[:loc[1]]); s != "" {
			out = append(out, s)
		}
		text = text[loc[1]:]
	}
	if s := strings.TrimSpace(text); s != "" {
		out = append(out, s)
	}
	return out
}

// runeLen counts characters, the unit of the seed's 120-character limit.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// truncateRunes shortens s to at most n characters, ending with "…".
func truncateRunes(s string, n int) string {
	if runeLen(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// words splits text into tokens of letters and digits, keeping Korean
// eojeol (space-separated units) whole.
func words(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '%' && r != '.' && r != '\''
	})
}

// cleanWord strips trailing sentence punctuation from a token.
func cleanWord(w string) string { return strings.Trim(w, ".'") }

// neutralise makes untrusted text safe to place between the prompt's tags:
// angle brackets become look-alikes so the text cannot close its own tag or
// open a fake one, and control characters are dropped.
func neutralise(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '<':
			return '‹'
		case r == '>':
			return '›'
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// normaliseForDedup lowercases and drops everything but letters and digits.
func normaliseForDedup(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// bigrams returns the set of adjacent character pairs of s.
func bigrams(s string) map[string]bool {
	r := []rune(s)
	set := make(map[string]bool, len(r))
	for i := 0; i+1 < len(r); i++ {
		set[string(r[i:i+2])] = true
	}
	return set
}

// jaccard is the Jaccard index of two bigram sets: 1 for the same text,
// near 0 for unrelated text.
func jaccard(x, y map[string]bool) float64 {
	if len(x) == 0 || len(y) == 0 {
		if len(x) == len(y) {
			return 1
		}
		return 0
	}
	inter := 0
	for k := range x {
		if y[k] {
			inter++
		}
	}
	return float64(inter) / float64(len(x)+len(y)-inter)
}
