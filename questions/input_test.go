package questions

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseCoverLetter(t *testing.T) {
	want := []QA{{Q: "동기", A: "저는 백엔드를 담당했습니다."}}
	for _, in := range []string{
		`[{"q":"동기","a":" 저는 백엔드를 담당했습니다. "}]`,
		`[{"question":"동기","answer":"저는 백엔드를 담당했습니다."},{"question":"빈 답","answer":""}]`,
		`{"content_id": 3, "qas":[{"q":"동기","a":"저는 백엔드를 담당했습니다."}]}`,
		`{"items":[{"question":"동기","answer":"저는 백엔드를 담당했습니다."}]}`,
	} {
		got, err := ParseCoverLetter([]byte(in))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, %v", in, got, err)
		}
	}
	got, err := ParseCoverLetter([]byte("  I led the team.\nWe shipped.  "))
	if err != nil || !reflect.DeepEqual(got, []QA{{A: "I led the team.\nWe shipped."}}) {
		t.Errorf("plain text: %+v, %v", got, err)
	}
	for _, in := range []string{"", "  ", `[]`, `[{"q":"x","a":""}]`, `{"qas":[]}`} {
		if _, err := ParseCoverLetter([]byte(in)); !errors.Is(err, ErrNoInput) {
			t.Errorf("%q: %v, want ErrNoInput", in, err)
		}
	}
	if _, err := ParseCoverLetter([]byte(`[{"q":1}]`)); err == nil || errors.Is(err, ErrNoInput) {
		t.Errorf("malformed JSON: %v, want a JSON error", err)
	}
}

func TestLLMFromEnv(t *testing.T) {
	llm, err := LLMFromEnv(func(string) string { return "" })
	if llm != nil || err != nil {
		t.Errorf("no key: %v, %v; want nil, nil (offline)", llm, err)
	}
	env := map[string]string{EnvLLMKey: "sk", EnvLLMBaseURL: "http://localhost:8000", EnvLLMModel: "qwen2.5"}
	llm, err = LLMFromEnv(func(k string) string { return env[k] })
	if o, ok := llm.(*OpenAI); err != nil || !ok || o.model != "qwen2.5" {
		t.Errorf("with key: %#v, %v", llm, err)
	}
	env[EnvLLMBaseURL] = "::bad"
	if _, err := LLMFromEnv(func(k string) string { return env[k] }); !errors.Is(err, ErrConfig) {
		t.Errorf("bad URL: %v", err)
	}
}
