package feedback

import (
	"reflect"
	"testing"
)

func TestMerge(t *testing.T) {
	r := func(kind string, mod Modality, start, end float64) Reason {
		return Reason{Kind: kind, Modality: mod, Start: start, End: end}
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
			[]Reason{r("long_pause", Voice, 1, 2), r("look_away", Vision, 3, 4)},
			[]span{{1, 2, []string{"long_pause"}}, {3, 4, []string{"look_away"}}}},
		{"pause while looking away is one moment",
			[]Reason{r("look_away", Vision, 2.4, 6), r("long_pause", Voice, 2.6, 5.4)},
			[]span{{2.4, 6, []string{"look_away", "long_pause"}}}},
		{"touching merges",
			[]Reason{r("long_pause", Voice, 1, 2), r("filled_pause", Voice, 2, 2.5)},
			[]span{{1, 2.5, []string{"long_pause", "filled_pause"}}}},
		{"chains through overlaps",
			[]Reason{r("a", Voice, 0, 2), r("b", Vision, 1.5, 3), r("c", Voice, 2.9, 4), r("d", Voice, 4.1, 5)},
			[]span{{0, 4, []string{"a", "b", "c"}}, {4.1, 5, []string{"d"}}}},
		{"a chain is cut at MaxMergeSpan",
			[]Reason{r("a", Voice, 0, 4), r("b", Vision, 3, 8), r("c", Voice, 7, 12)},
			[]span{{0, 8, []string{"a", "b"}}, {7, 12, []string{"c"}}}},
		{"input order does not matter",
			[]Reason{r("c", Voice, 2.9, 4), r("a", Voice, 0, 2), r("b", Vision, 1.5, 3)},
			[]span{{0, 4, []string{"a", "b", "c"}}}},
		{"long stretch stays alone",
			[]Reason{r("speed_fast", Voice, 5, 32), r("long_pause", Voice, 12, 15), r("look_away", Vision, 14, 16)},
			[]span{{5, 32, []string{"speed_fast"}}, {12, 16, []string{"long_pause", "look_away"}}}},
		{"malformed dropped",
			[]Reason{r("x", Voice, 3, 2), r("y", Voice, 1, 1.5)},
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
		{Start: 0, End: 3, Reasons: []Reason{{Kind: "long_pause", Modality: Voice}}},
		{Start: 5, End: 6, Reasons: []Reason{{Kind: "long_pause", Modality: Voice}, {Kind: "look_away", Modality: Vision}}},
		{Start: 8, End: 9, Reasons: []Reason{{Kind: "long_pause", Modality: Voice}, {Kind: "trailing_off", Modality: Voice}}},
		{Start: 10, End: 14, Reasons: []Reason{{Kind: "long_pause", Modality: Voice}}},
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
