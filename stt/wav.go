package stt

import (
	"encoding/binary"
	"math"
)

// EncodeWAV returns a 16-bit PCM mono RIFF/WAVE file of the audio. Samples
// outside [-1, 1] are clipped. Both backends upload this encoding because
// every speech service accepts it and it needs no codec.
func EncodeWAV(a Audio) []byte {
	dataLen := 2 * len(a.Samples)
	buf := make([]byte, 44+dataLen)
	copy(buf[0:], "RIFF")
	binary.LittleEndian.PutUint32(buf[4:], uint32(36+dataLen))
	copy(buf[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(buf[16:], 16) // fmt chunk size
	binary.LittleEndian.PutUint16(buf[20:], 1)  // PCM
	binary.LittleEndian.PutUint16(buf[22:], 1)  // mono
	binary.LittleEndian.PutUint32(buf[24:], uint32(a.SampleRate))
	binary.LittleEndian.PutUint32(buf[28:], uint32(a.SampleRate*2))
	binary.LittleEndian.PutUint16(buf[32:], 2)  // block align
	binary.LittleEndian.PutUint16(buf[34:], 16) // bits per sample
	copy(buf[36:], "data")
	binary.LittleEndian.PutUint32(buf[40:], uint32(dataLen))
	for i, s := range a.Samples {
		binary.LittleEndian.PutUint16(buf[44+2*i:], uint16(pcm16(s)))
	}
	return buf
}

// wavBytesPerSecond is the upload size of one second of EncodeWAV output.
func wavBytesPerSecond(rate int) int { return 2 * rate }

func pcm16(s float32) int16 {
	v := math.Round(float64(s) * 32767)
	return int16(min(max(v, -32768), 32767))
}
