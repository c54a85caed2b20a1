package media

import (
	"errors"
	"fmt"

	"github.com/asticode/go-astiav"
)

// openCodec finds and opens the decoder for a stream's parameters.
func openCodec(cp *astiav.CodecParameters, threads int) (*astiav.CodecContext, error) {
	codec := astiav.FindDecoder(cp.CodecID())
	if codec == nil {
		return nil, fmt.Errorf("%w: no decoder for %s in this build", ErrUnsupportedCodec, cp.CodecID().Name())
	}
	cc := astiav.AllocCodecContext(codec)
	if cc == nil {
		return nil, errors.New("media: allocating codec context failed")
	}
	if err := cc.FromCodecParameters(cp); err != nil {
		cc.Free()
		return nil, fmt.Errorf("%w: %s parameters: %v", ErrCorrupt, codec.Name(), err)
	}
	if threads > 0 {
		cc.SetThreadCount(threads)
	}
	if err := cc.Open(codec, nil); err != nil {
		cc.Free()
		return nil, fmt.Errorf("%w: opening the %s decoder: %v", ErrUnsupportedCodec, codec.Name(), err)
	}
	return cc, nil
}

// decodePacket sends pkt to the decoder (nil drains it at the end of the stream) and
// hands every frame it yields, decoded into frame, to take. Damaged packets and frames
// are counted and skipped: one bad packet must not cost the candidate the recording.
func decodePacket(cc *astiav.CodecContext, pkt *astiav.Packet, frame *astiav.Frame, kind string, st *Stats, take func() error) error {
	receive := func() error {
		for {
			err := cc.ReceiveFrame(frame)
			switch {
			case errors.Is(err, astiav.ErrEagain), errors.Is(err, astiav.ErrEof):
				return nil
			case errors.Is(err, astiav.ErrInvaliddata):
				st.CorruptPackets++
				continue
			case err != nil:
				return fmt.Errorf("%w: decoding %s: %v", ErrCorrupt, kind, err)
			}
			if err := take(); err != nil {
				return err
			}
		}
	}
	for {
		err := cc.SendPacket(pkt)
		switch {
		case errors.Is(err, astiav.ErrEagain):
			// The decoder's output is full: drain it, then the packet goes in.
			if err := receive(); err != nil {
				return err
			}
			continue
		case errors.Is(err, astiav.ErrInvaliddata):
			st.CorruptPackets++
			return nil
		case err != nil && !(pkt == nil && errors.Is(err, astiav.ErrEof)):
			return fmt.Errorf("%w: decoding %s: %v", ErrCorrupt, kind, err)
		}
		return receive()
	}
}
