package server

import (
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
)

// Two databases over one bucket hand out the same session and attempt ids.
// An upload that fails on the second must delete only what it wrote, never
// the first one's recording under the same ids.
func TestFailedUploadKeepsOthersObjects(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			first := newEnv(t, d, envOptions{noWorker: true})
			second := newEnv(t, d, envOptions{noWorker: true, mutate: func(c *Config) {
				c.SupabaseURL, c.MediaValidator = first.fake.URL, &rejectingValidator{}
			}})
			_, sid1 := first.seedFlow(userAlice)
			_, sid2 := second.seedFlow(userAlice)
			if sid1 != sid2 {
				t.Fatalf("session ids %d and %d: the test needs the same ids", sid1, sid2)
			}
			r := first.upload(sid1, 1, userAlice, []byte(webmFile))
			expect(t, r, 200, "")
			kept := r.json(t)["video_url"].(string)

			// Too short for the validator: stored, then rejected and cleaned up.
			r = second.upload(sid2, 1, userAlice, []byte(webmFile[:40]))
			if _, ok := first.fake.Object(bucket, kept); !ok {
				t.Fatalf("the failed upload deleted %s, which the other database's upload wrote", kept)
			}
			if r.status != 415 || !strings.Contains(string(r.body), "invalid_media") {
				t.Fatalf("second upload: %d %s", r.status, r.body)
			}
			if n := first.fake.Count(bucket); n != 1 {
				t.Fatalf("%d objects in the bucket, want only the first upload's", n)
			}
		})
	}
}
