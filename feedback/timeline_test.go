package feedback

import (
	"reflect"
	"testing"

	"github.com/nevermind-ai/nevermind"
)

func TestMerge(t *testing.T) {
	r := func(kind string, mod nevermind.Part, start, end float64) Reason {
		return Reason{Kind: kind, Part: mod, Start: start, End: end}
	}
	type span struct {
		start, end float64
		kinds      []string
	}
	cases := []struct {
		name string
		in   []Reason
		want []span
	}{
		{"empty", nil, []span{}},
		{"disjoint stay apart",
			[]Reason{r("long_pause", nevermind.Voice, 1, 2), r("look_away", nevermind.Vision, 3, 4)},
			[]span{{1, 2, []string{"long_pause"}}, {3, 4, []string{"look_away"}}}},
		{"pause while looking away is one moment",
			[]Reason{r("look_away", nevermind.Vision, 2.4, 6), r("long_pause", nevermind.Voice, 2.6, 5.4)},
			[]span{{2.4, 6, []string{"look_away", "long_pause"}}}},
		{"touching merges",
			[]Reason{r("long_pause", nevermind.Voice, 1, 2), r("filled_pause", nevermind.Voice, 2, 2.5)},
			[]span{{1, 2.5, []string{"long_pause", "filled_pause"}}}},
		{"chains through overlaps",
			[]Reason{r("a", nevermind.Voice, 0, 2), r("b", nevermind.Vision, 1.5, 3), r("c", nevermind.Voice, 2.9, 4), r("d", nevermind.Voice, 4.1, 5)},
			[]span{{0, 4, []string{"a", "b", "c"}}, {4.1, 5, []string{"d"}}}},
		{"a chain is cut at MaxMergeSpan",
			[]Reason{r("a", nevermind.Voice, 0, 4), r("b", nevermind.Vision, 3, 8), r("c", nevermind.Voice, 7, 12)},
			[]span{{0, 8, []string{"a", "b"}}, {7, 12, []string{"c"}}}},
		{"input order does not matter",
			[]Reason{r("c", nevermind.Voice, 2.9, 4), r("a", nevermind.Voice, 0, 2), r("b", nevermind.Vision, 1.5, 3)},
			[]span{{0, 4, []string{"a", "b", "c"}}}},
		{"long stretch stays alone",
			[]Reason{r("speed_fast", nevermind.Voice, 5, 32), r("long_pause", nevermind.Voice, 12, 15), r("look_away", nevermind.Vision, 14, 16)},
			[]span{{5, 32, []string{"speed_fast"}}, {12, 16, []string{"long_pause", "look_away"}}}},
		{"malformed dropped",
			[]Reason{r("x", nevermind.Voice, 3, 2), r("y", nevermind.Voice, 1, 1.5)},
			[]span{{1, 1.5, []string{"y"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := []span{}
			for _, m := range merge(tc.in) {
				s := span{m.Start, m.End, nil}
				for _, rs := range m.Reasons {
					s.kinds = append(s.kinds, rs.Kind)
				}
				got = append(got, s)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("merge = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTopMoments(t *testing.T) {
	s := &Summary{Timeline: []Moment{
		{Start: 0, End: 3, Reasons: []Reason{{Kind: "long_pause", Part: nevermind.Voice}}},
		{Start: 5, End: 6, Reasons: []Reason{{Kind: "long_pause", Part: nevermind.Voice}, {Kind: "look_away", Part: nevermind.Vision}}},
		{Start: 8, End: 9, Reasons: []Reason{{Kind: "long_pause", Part: nevermind.Voice}, {Kind: "trailing_off", Part: nevermind.Voice}}},
		{Start: 10, End: 14, Reasons: []Reason{{Kind: "long_pause", Part: nevermind.Voice}}},
	}}
	var starts []float64
	for _, m := range s.TopMoments(3) {
		starts = append(starts, m.Start)
	}
	// two modalities first, then two reasons, then the longer single one
	if want := []float64{5, 8, 10}; !reflect.DeepEqual(starts, want) {
		t.Errorf("top moments start at %v, want %v", starts, want)
	}
}
