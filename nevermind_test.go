package nevermind

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

func TestParseInterval(t *testing.T) {
	for in, want := range map[string]Interval{"2-5": {2, 5}, " 1.5 - 4 ": {1.5, 4}, "0-0.4": {0, 0.4}} {
		if got, err := ParseInterval(in); err != nil || got != want {
			t.Errorf("ParseInterval(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "5", "5-2", "3-3", "-1-2", "a-b", "1-inf", "NaN-2"} {
		if _, err := ParseInterval(in); !errors.Is(err, ErrBadInterval) {
			t.Errorf("ParseInterval(%q): %v, want ErrBadInterval", in, err)
		}
	}
}

func TestFailuresJSON(t *testing.T) {
	f := Failures{Voice: fmt.Errorf("%w: 0.2 s", errTest), Vision: errors.New("no face")}
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"vision":"no face","voice":"test sentinel: 0.2 s"}`; string(data) != want {
		t.Errorf("JSON %s, want %s", data, want)
	}
	var back Failures
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[Voice].Error() != f[Voice].Error() {
		t.Errorf("round trip: %v", back)
	}
	if got := f.Parts(); len(got) != 2 || got[0] != Vision || got[1] != Voice {
		t.Errorf("Parts() = %v", got)
	}
}

var errTest = errors.New("test sentinel")

func TestRemoteError(t *testing.T) {
	cause := errors.New("boom")
	for status, want := range map[int]error{401: ErrUnauthorized, 403: ErrUnauthorized, 429: ErrRateLimited, 0: ErrUnavailable, 503: ErrUnavailable, 400: ErrBadRequest, 404: ErrBadRequest} {
		err := RemoteError("stt", status, cause)
		if !errors.Is(err, want) || !errors.Is(err, cause) {
			t.Errorf("status %d: %v, want %v wrapping the cause", status, err, want)
		}
	}
	if err := RemoteError("stt", 200, cause); err != cause {
		t.Errorf("status 200: %v, want the cause as it is", err)
	}
	if got, want := RemoteError("questions", 401, cause).Error(), "questions: credentials rejected (HTTP 401): boom"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}
