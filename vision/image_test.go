package vision

import (
	"math"
	"testing"
)

// A point found in a rotated or flipped crop maps back, through
// roi.toImage, to where it is in the image.
func TestCropGeometry(t *testing.T) {
	img := rgbImage{w: 200, h: 150, pix: make([]byte, 200*150*3)}
	const dotX, dotY = 120, 60
	for y := dotY - 1; y <= dotY+1; y++ {
		for x := dotX - 1; x <= dotX+1; x++ {
			copy(img.pix[(y*img.w+x)*3:], []byte{255, 255, 255})
		}
	}
	for _, r := range []roi{
		{cx: 100, cy: 75, size: 120},
		{cx: 110, cy: 70, size: 80, angle: 0.4},
		{cx: 110, cy: 70, size: 80, angle: -0.7, flip: true},
		{cx: 125, cy: 55, size: 40, flip: true},
	} {
		const out = 64
		c := img.crop(r, out, nil)
		// Centroid of the bright pixels, at pixel centres.
		var sx, sy, sw float64
		for y := range out {
			for x := range out {
				v := float64(c[(y*out+x)*3])
				sx += v * (float64(x) + 0.5)
				sy += v * (float64(y) + 0.5)
				sw += v
			}
		}
		if sw == 0 {
			t.Fatalf("%+v: the dot is not in the crop", r)
		}
		x, y := r.toImage(sx/sw, sy/sw, out)
		// Pixel (i, j) of the image covers [i, i+1): its centre is i + 0.5.
		if d := math.Hypot(x-(dotX+0.5), y-(dotY+0.5)); d > 0.5 {
			t.Errorf("%+v: dot mapped back to (%.2f, %.2f), want (%.1f, %.1f)", r, x, y, dotX+0.5, dotY+0.5)
		}
		// toModel (the tests' inverse) agrees with toImage.
		mx, my := toModel(r, x, y, out)
		if math.Hypot(mx-sx/sw, my-sy/sw) > 1e-9 {
			t.Errorf("%+v: toModel(toImage(p)) = (%.3f, %.3f), want (%.3f, %.3f)", r, mx, my, sx/sw, sy/sw)
		}
	}
}

func TestMeanLuma(t *testing.T) {
	img := rgbImage{w: 10, h: 10, pix: make([]byte, 300)}
	for i := range img.pix {
		img.pix[i] = 200
	}
	if l := img.meanLuma(0, 0, 10, 10); math.Abs(l-200) > 1e-9 {
		t.Errorf("luma %.2f, want 200", l)
	}
	if l := img.meanLuma(20, 20, 30, 30); l != 0 {
		t.Errorf("luma outside the image %.2f, want 0", l)
	}
}
