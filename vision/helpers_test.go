package vision

import (
	"encoding/binary"
	"encoding/json"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/media"
)

// Test images (see vision/models/testdata/README.md for their licences):
// astronaut.png from Debian's python3-skimage, which scripts/deps.sh puts
// in ~/.cache/nevermind/testdata, and pigo's sample.jpg from the Go module
// cache.

const refDir = "models/testdata"

func astronautPath(t testing.TB) string {
	t.Helper()
	home, _ := os.UserHomeDir()
	p := filepath.Join(home, ".cache", "nevermind", "testdata", "astronaut.png")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("astronaut.png not available (run scripts/deps.sh): %v", err)
	}
	return p
}

func pigoPath(t testing.TB) string {
	t.Helper()
	p, err := findPigo()
	if err != nil {
		t.Skipf("pigo's sample.jpg not available: %v", err)
	}
	return p
}

// findPigo locates pigo's sample photo in the Go module cache
// (`go mod download github.com/esimov/pigo@v1.4.6` fetches it).
func findPigo() (string, error) {
	out, err := exec.Command("go", "mod", "download", "-json", "github.com/esimov/pigo@v1.4.6").Output()
	if err != nil {
		return "", err
	}
	var m struct{ Dir string }
	if err := json.Unmarshal(out, &m); err != nil {
		return "", err
	}
	p := filepath.Join(m.Dir, "testdata", "sample.jpg")
	_, err = os.Stat(p)
	return p, err
}

func readImageFile(t testing.TB, path string) rgbImage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var pic image.Image
	if strings.HasSuffix(path, ".jpg") {
		pic, err = jpeg.Decode(f)
	} else {
		pic, err = png.Decode(f)
	}
	if err != nil {
		t.Fatal(err)
	}
	b := pic.Bounds()
	img := rgbImage{w: b.Dx(), h: b.Dy(), pix: make([]byte, 0, b.Dx()*b.Dy()*3)}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := pic.At(x, y).RGBA()
			img.pix = append(img.pix, byte(r>>8), byte(g>>8), byte(bl>>8))
		}
	}
	return img
}

func (img rgbImage) frame(sec float64) *media.Frame {
	return &media.Frame{Width: img.w, Height: img.h, RGB: img.pix, Time: secondsToDuration(sec)}
}

func readF32(t testing.TB, path string) []float32 {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, len(raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out
}

type refCase struct {
	Model string    `json:"model"`
	Image string    `json:"image"`
	Crop  []float64 `json:"crop"`
	Input struct {
		File string `json:"file"`
	} `json:"input"`
}

func refCases(t testing.TB) []refCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(refDir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Cases []refCase }
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m.Cases
}

var (
	sharedOnce     sync.Once
	sharedAnalyzer *Analyzer
	sharedErr      error
)

// testAnalyzer loads the models once for the whole test binary.
func testAnalyzer(t testing.TB) *Analyzer {
	t.Helper()
	sharedOnce.Do(func() { sharedAnalyzer, sharedErr = New(Options{}) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedAnalyzer
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func secondsToDuration(s float64) time.Duration {
	return time.Duration(math.Round(s * float64(time.Second)))
}
