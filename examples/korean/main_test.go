package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind/internal/testmedia"
)

func TestRun(t *testing.T) {
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	path, err := testmedia.Make(t.TempDir(), testmedia.Recording{Format: "webm", Segments: []testmedia.Segment{
		{Text: "저는 지난 프로젝트에서 네 명의 개발자와 함께 결제 시스템을 만들었습니다.", Voice: "ko", Rate: 150},
		{Silence: 2},
		{Text: "그 결과 응답 시간을 절반으로 줄였습니다.", Voice: "ko", Rate: 150},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), path, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"음성 종합", "떨림", "공백", "억양", "속도", "초당", "1초 이상 멈춤 1번"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
