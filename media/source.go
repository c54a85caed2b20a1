package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// source is where libav gets its bytes: a file it opens itself (path), or a reader behind
// its read callback.
type source struct {
	path   string
	r      io.Reader
	seeker io.Seeker // nil when the input cannot seek
	size   int64     // -1 when unknown
	file   *os.File  // closed by close, when we opened it
	spill  string    // temporary copy to remove on close
	empty  bool
}

func (s *source) close() error {
	var err error
	if s.file != nil {
		err = s.file.Close()
	}
	if s.spill != "" {
		if rmErr := os.Remove(s.spill); rmErr != nil && err == nil {
			err = rmErr
		}
	}
	return err
}

// maxMP4Prefix bounds how much of a stream is held in memory while looking for the moov
// atom in front of the media data.
const maxMP4Prefix = 4 << 20

// newSource wraps a caller's reader. Seekable readers are used as they are. A non-seekable
// stream is sniffed: an MP4 whose media data precedes its index cannot be demuxed from a
// stream, so it is spilled to a temporary file.
func newSource(ctx context.Context, r io.Reader) (*source, error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		if cur, err := rs.Seek(0, io.SeekCurrent); err == nil {
			if end, err := rs.Seek(0, io.SeekEnd); err == nil {
				if _, err := rs.Seek(cur, io.SeekStart); err == nil {
					return &source{r: rs, seeker: &offsetSeeker{rs, cur}, size: end - cur, empty: end == cur}, nil
				}
			}
		}
	}
	prefix, spill, err := sniffMP4(r)
	if err != nil {
		return nil, fmt.Errorf("media: reading input: %w", err)
	}
	stream := io.MultiReader(bytes.NewReader(prefix), r)
	if !spill {
		return &source{r: stream, size: -1, empty: len(prefix) == 0}, nil
	}
	f, err := os.CreateTemp("", "nevermind-media-*.mp4")
	if err != nil {
		return nil, fmt.Errorf("media: spilling a non-faststart MP4: %w", err)
	}
	src := &source{file: f, spill: f.Name()}
	n, err := io.Copy(f, &ctxReader{ctx, stream})
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		src.close()
		return nil, fmt.Errorf("media: spilling a non-faststart MP4: %w", err)
	}
	src.r, src.seeker, src.size = f, f, n
	return src, nil
}

// sniffMP4 reads the top-level boxes of an ISO-BMFF stream up to the first moov or mdat box
// and reports whether mdat comes first. It returns what it consumed so it can be replayed.
// Anything that is not ISO-BMFF returns after its first 8 bytes.
func sniffMP4(r io.Reader) (prefix []byte, mdatFirst bool, err error) {
	var buf bytes.Buffer
	for buf.Len() < maxMP4Prefix {
		hdr := make([]byte, 8)
		n, err := io.ReadFull(r, hdr)
		buf.Write(hdr[:n])
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return buf.Bytes(), false, nil
			}
			return nil, false, err
		}
		typ := string(hdr[4:8])
		if buf.Len() == 8 && typ != "ftyp" {
			return buf.Bytes(), false, nil
		}
		switch typ {
		case "moov":
			return buf.Bytes(), false, nil
		case "mdat":
			return buf.Bytes(), true, nil
		}
		size := int64(binary.BigEndian.Uint32(hdr[:4]))
		body := size - 8
		if size == 1 {
			ext := make([]byte, 8)
			n, err := io.ReadFull(r, ext)
			buf.Write(ext[:n])
			if err != nil {
				return buf.Bytes(), false, nil
			}
			body = int64(binary.BigEndian.Uint64(ext)) - 16
		}
		if size == 0 || body < 0 || int64(buf.Len())+body > maxMP4Prefix {
			// A box running to the end, a nonsensical size or a huge box before the index:
			// let libav judge it from a seekable copy.
			return buf.Bytes(), true, nil
		}
		if _, err := io.CopyN(&buf, r, body); err != nil {
			if errors.Is(err, io.EOF) {
				return buf.Bytes(), false, nil
			}
			return nil, false, err
		}
	}
	return buf.Bytes(), true, nil
}

// offsetSeeker makes a ReadSeeker that was handed over mid-way look like it starts at 0.
type offsetSeeker struct {
	rs   io.ReadSeeker
	base int64
}

func (o *offsetSeeker) Seek(offset int64, whence int) (int64, error) {
	if whence == io.SeekStart {
		offset += o.base
	}
	n, err := o.rs.Seek(offset, whence)
	return n - o.base, err
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
