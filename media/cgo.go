package media

//#cgo pkg-config: libavutil
//#include <libavutil/frame.h>
//#include <libavutil/channel_layout.h>
//#include <libavutil/avutil.h>
//
// // Decoders of raw formats (WAV, some MP4 PCM) may leave the channel order unspecified.
// // swresample then normalises its own copy of the layout at init and reports every later
// // frame as a configuration change, so give such frames the default layout for their count.
// static void nevermind_default_layout(AVFrame *f) {
// 	if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
// 		int n = f->ch_layout.nb_channels;
// 		av_channel_layout_uninit(&f->ch_layout);
// 		av_channel_layout_default(&f->ch_layout, n);
// 	}
// }
import "C"

import "github.com/asticode/go-astiav"

func defaultChannelLayout(f *astiav.Frame) {
	C.nevermind_default_layout((*C.AVFrame)(f.UnsafePointer()))
}

// LibavVersion is the version of the FFmpeg libraries linked in, e.g. "7.1.5-0+deb13u1".
func LibavVersion() string { return C.GoString(C.av_version_info()) }
