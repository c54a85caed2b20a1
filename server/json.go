package server

import (
	"strconv"
	"time"
)

// isoTime marshals like Python's datetime.isoformat() on an aware UTC value,
// as the seed's responses did: 2025-12-10T03:12:45.123456+00:00, without the
// fraction when the microseconds are zero.
type isoTime time.Time

func (t isoTime) MarshalJSON() ([]byte, error) {
	u := time.Time(t).UTC()
	layout := "2006-01-02T15:04:05.000000+00:00"
	if u.Nanosecond()/1000 == 0 {
		layout = "2006-01-02T15:04:05+00:00"
	}
	return []byte(strconv.Quote(u.Format(layout))), nil
}

func isoPtr(t *time.Time) *isoTime {
	if t == nil {
		return nil
	}
	v := isoTime(*t)
	return &v
}

// isoDate marshals as YYYY-MM-DD.
type isoDate time.Time

func (d isoDate) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(time.Time(d).Format(time.DateOnly))), nil
}

func datePtr(t *time.Time) *isoDate {
	if t == nil {
		return nil
	}
	v := isoDate(*t)
	return &v
}

// parseISO parses the timestamps clients send: RFC 3339 with a trailing Z or
// an offset, or a naive time (taken as UTC), as Python's fromisoformat did.
// The UTC value must fall in years 1–9999 (Python's datetime range): an
// offset can push 9999-12-31T23:59-23:59 into year 10000, which SQLite
// stores as text it can no longer read back, and PostgreSQL rejects year 0.
func parseISO(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			if !inYearRange(t) {
				return time.Time{}, strconv.ErrRange
			}
			return t, nil
		}
	}
	return time.Time{}, strconv.ErrSyntax
}

// inYearRange reports whether t lies in years 1–9999, the range both
// databases store and read back.
func inYearRange(t time.Time) bool { return t.Year() >= 1 && t.Year() <= 9999 }
