// Package media decodes an interview recording once and hands its parts to the analysers:
// mono float32 PCM for the voice, and frames sampled at a fixed rate, scaled and upright, for
// the face and posture models.
//
// It is a thin layer over libav (FFmpeg 7.1, through github.com/asticode/go-astiav). One
// demux pass feeds both consumers, so a recording is read exactly once, whether it comes from
// a file or straight from an upload stream.
//
// # Opening a recording
//
// [Open] takes a path; [OpenReader] takes any [io.Reader], such as an HTTP request body;
// both return a [Decoder]:
//
//	d, err := media.Open(ctx, "answer.webm", media.Options{FPS: 5, Width: 640})
//	if err != nil {
//		return err // errors.Is(err, media.ErrCorrupt), media.ErrUnsupportedCodec, …
//	}
//	defer d.Close()
//	fmt.Println(d.Info().VideoCodec, d.Info().Width, d.Info().Height)
//
// Browser recordings (MediaRecorder WebM) have no duration and no seek index; they are read
// from a plain stream without trouble. An MP4 whose index (moov atom) is at the end cannot be
// demuxed from a stream, so OpenReader spills such a stream to a temporary file, which
// [Decoder.Close] removes.
//
// # Frames and audio
//
// [Decoder.Frames] yields the video frames nearest to each sampling instant 0, 1/FPS, 2/FPS, …
// as RGB24 images [Options.Width] pixels wide, rotated as the container says they are
// displayed ([Frame], the pure-Go type of package [frame]). Only the frame being yielded is
// kept in memory, so an hour-long 1080p video decodes in bounded memory:
//
//	for f, err := range d.Frames(ctx) {
//		if err != nil {
//			return err
//		}
//		analyse(f.Time, f.RGB, f.Width, f.Height)
//	}
//	pcm, err := d.Audio(ctx) // the whole soundtrack, collected during the same pass
//
// A consumer that is done with a frame's pixels may hand it back with [Decoder.Recycle]; the
// next frame then reuses its buffer, and memory stays flat without waiting for the garbage
// collector.
//
// [Decoder.Audio] resamples to [Options.SampleRate] (16 kHz by default) and mixes down to
// mono. A soundtrack that starts late or has gaps is padded with silence, so that sample i
// always lies at time i/SampleRate on the same clock as the frames. Calling Audio without
// Frames decodes only the audio.
//
// # Errors
//
// A failure of the recording wraps one of the sentinel errors ([ErrCorrupt],
// [ErrUnsupportedCodec], [ErrTooLarge], [ErrTooLong], [ErrNoAudio], [ErrNoVideo], and
// [ErrClosed] for a Decoder used after Close), so callers can branch with [errors.Is] while
// the message keeps libav's own explanation. The only other errors are the caller's own: the
// reader's or file's I/O error, the context's, or libav failing to allocate memory. Truncated, corrupted or
// non-media input returns an error; it never panics or hangs, and a cancelled context stops
// decoding promptly.
package media
