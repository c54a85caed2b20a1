package vision

import (
	"math"
)

// rgbImage is a packed 8-bit RGB image, Width*3 bytes a row, as frame.Frame
// delivers it.
type rgbImage struct {
	w, h int
	pix  []byte
}

// roi is a square region of interest in source pixels: a centre, a side and
// a rotation. Angle is the direction, in radians in image coordinates (y
// down), of the region's x axis; 0 is an axis-aligned square. Flip mirrors
// the region horizontally (the iris model wants left eyes flipped).
type roi struct {
	cx, cy, size, angle float64
	flip                bool
}

// toImage maps a point given in the pixels of an out×out crop of r back to
// source pixels.
func (r roi) toImage(px, py, out float64) (x, y float64) {
	u := (px/out - 0.5) * r.size
	v := (py/out - 0.5) * r.size
	if r.flip {
		u = -u
	}
	sin, cos := math.Sincos(r.angle)
	return r.cx + u*cos - v*sin, r.cy + u*sin + v*cos
}

// crop samples r into an out×out RGB image with bilinear interpolation at
// pixel centres; source pixels outside the image are black, like a
// letterbox. For an axis-aligned region this is exactly the sampling of the
// reference pipeline (tools/refgen), rounding included, so model inputs
// agree byte for byte.
func (img rgbImage) crop(r roi, out int, dst []byte) []byte {
	n := out * out * 3
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	if r.angle == 0 {
		// Axis-aligned: the reference's exact per-pixel expression, computed
		// once per column and row.
		xs := make([]float64, out)
		for ox := range xs {
			if r.flip {
				xs[ox] = (r.cx + r.size/2) - (float64(ox)+0.5)*r.size/float64(out) - 0.5
			} else {
				xs[ox] = (r.cx - r.size/2) + (float64(ox)+0.5)*r.size/float64(out) - 0.5
			}
		}
		for oy := 0; oy < out; oy++ {
			sy := (r.cy - r.size/2) + (float64(oy)+0.5)*r.size/float64(out) - 0.5
			row := dst[oy*out*3:]
			for ox, sx := range xs {
				img.sample(sx, sy, row[ox*3:])
			}
		}
		return dst
	}
	sin, cos := math.Sincos(r.angle)
	step := r.size / float64(out)
	for oy := 0; oy < out; oy++ {
		v := (float64(oy)+0.5)*step - r.size/2
		for ox := 0; ox < out; ox++ {
			u := (float64(ox)+0.5)*step - r.size/2
			if r.flip {
				u = -u
			}
			img.sample(r.cx+u*cos-v*sin-0.5, r.cy+u*sin+v*cos-0.5, dst[(oy*out+ox)*3:])
		}
	}
	return dst
}

// sample writes the bilinear RGB value at (sx, sy) to dst[0:3].
func (img rgbImage) sample(sx, sy float64, dst []byte) {
	if sx >= 0 && sy >= 0 {
		// int() truncates, which is floor for non-negative values and much
		// cheaper than math.Floor.
		ix, iy := int(sx), int(sy)
		if ix+1 < img.w && iy+1 < img.h {
			fx, fy := sx-float64(ix), sy-float64(iy)
			i00 := (iy*img.w + ix) * 3
			p := img.pix[i00 : i00+img.w*3+6]
			q := p[img.w*3:]
			for c := 0; c < 3; c++ {
				v := (1-fy)*((1-fx)*float64(p[c])+fx*float64(p[3+c])) +
					fy*((1-fx)*float64(q[c])+fx*float64(q[3+c]))
				// v lies in [0, 255]: rounding half up is a truncation.
				dst[c] = byte(int(v + 0.5))
			}
			return
		}
	}
	x0, y0 := math.Floor(sx), math.Floor(sy)
	fx, fy := sx-x0, sy-y0
	ix, iy := int(x0), int(y0)
	for c := 0; c < 3; c++ {
		v := (1-fy)*((1-fx)*img.at(ix, iy, c)+fx*img.at(ix+1, iy, c)) +
			fy*((1-fx)*img.at(ix, iy+1, c)+fx*img.at(ix+1, iy+1, c))
		dst[c] = roundByte(v)
	}
}

func (img rgbImage) at(x, y, c int) float64 {
	if x < 0 || y < 0 || x >= img.w || y >= img.h {
		return 0
	}
	return float64(img.pix[(y*img.w+x)*3+c])
}

// roundByte rounds half up, as JavaScript's Math.round does in the reference.
func roundByte(v float64) byte {
	r := math.Floor(v + 0.5)
	if r < 0 {
		return 0
	}
	if r > 255 {
		return 255
	}
	return byte(r)
}

// letterbox is the square region that holds the whole image centred, the
// way the detector and the reference pipeline see a frame.
func (img rgbImage) letterbox() roi {
	side := float64(max(img.w, img.h))
	return roi{cx: float64(img.w) / 2, cy: float64(img.h) / 2, size: side}
}

// meanLuma is the mean BT.601 luma (0..255) of the pixels inside the
// axis-aligned box (x0, y0)–(x1, y1), clipped to the image, sampled on a
// grid of at most about 64×64 points to stay cheap.
func (img rgbImage) meanLuma(x0, y0, x1, y1 float64) float64 {
	ax, ay := max(0, int(x0)), max(0, int(y0))
	bx, by := min(img.w, int(math.Ceil(x1))), min(img.h, int(math.Ceil(y1)))
	if bx <= ax || by <= ay {
		return 0
	}
	sx, sy := max(1, (bx-ax)/64), max(1, (by-ay)/64)
	var sum float64
	var n int
	for y := ay; y < by; y += sy {
		row := img.pix[y*img.w*3:]
		for x := ax; x < bx; x += sx {
			p := row[x*3:]
			sum += 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
			n++
		}
	}
	return sum / float64(n)
}
