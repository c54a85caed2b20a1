package stttest

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/internal/openaitest"
	"github.com/nevermind-ai/nevermind/stt"
)

// Request is one upload the [Server] accepted, as the client sent it.
type Request struct {
	Model    string
	Prompt   string
	Language string
	// ResponseFormat is "json" or "verbose_json" (stt asks for
	// verbose_json unless the model is a gpt-* one).
	ResponseFormat string
	// TimestampGranularities are the timestamp_granularities[] values,
	// "word" and "segment" for verbose_json.
	TimestampGranularities []string
	// Audio is the uploaded WAV, decoded.
	Audio stt.Audio
	// WAVBytes is the size of the uploaded file.
	WAVBytes int
}

// Reply is what the [Server] answers to an accepted request. For
// response_format json only Text is sent; for verbose_json everything, with
// the audio's duration.
type Reply struct {
	Text string
	// Language is the language as Whisper reports it ("korean",
	// "english"); stt normalises it to ISO 639-1.
	Language string
	Words    []nevermind.Word
	// Segments are sent as they are. Nil means one segment over the whole
	// audio holding Text (none when Text is empty), as Whisper gives for a
	// short answer.
	Segments []Segment
}

// Segment is one verbose_json segment. stt turns AvgLogprob into the
// segment's confidence and drops a segment, and its words, as silence when
// NoSpeechProb is above 0.6 and AvgLogprob below -1, so a test can send a
// Whisper hallucination and see it removed.
type Segment struct {
	Text         string
	Start, End   float64
	AvgLogprob   float64
	NoSpeechProb float64
}

// Server is a fake OpenAI-compatible POST /v1/audio/transcriptions
// endpoint. Create it with [NewServer] and pass its URL as
// [stt.OpenAIConfig].BaseURL. It is safe for concurrent use.
type Server struct {
	// URL is the server's root, http://127.0.0.1:port, with no path.
	URL string

	endpoint *openaitest.Endpoint
	reply    func(Request) (Reply, error)
	mu       sync.Mutex
	requests []Request
}

// NewServer starts a fake transcription endpoint. It accepts the bearer
// token key, or any token when key is "" (as local Whisper servers do). Each
// valid upload is recorded and answered with reply's result; an error from
// reply is answered as OpenAI answers a request it refuses: HTTP 400 with
// the error's text as the message. Close the server when done.
func NewServer(key string, reply func(Request) (Reply, error)) *Server {
	s := &Server{reply: reply}
	s.endpoint = openaitest.Start("/v1/audio/transcriptions", key, s.serveHTTP)
	s.URL = s.endpoint.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.endpoint.Close() }

// FailNext makes the server answer the next requests with these HTTP
// statuses, in order, before it serves any reply, with the error bodies
// OpenAI sends for them. A 429 carries Retry-After: 0, so a retrying client
// tries again at once. A request answered this way is not recorded.
func (s *Server) FailNext(statuses ...int) { s.endpoint.FailNext(statuses...) }

// Requests returns the uploads accepted so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// serveHTTP answers a request that passed the endpoint's route, key and
// scripted-failure checks.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	req, err := parseUpload(r)
	if err != nil {
		openaitest.WriteError(w, http.StatusBadRequest, "invalid_request_error", "", err.Error())
		return
	}
	if strings.HasPrefix(req.Model, "gpt-") && req.ResponseFormat == "verbose_json" {
		openaitest.WriteError(w, http.StatusBadRequest, "invalid_request_error", "unsupported_value",
			"response_format 'verbose_json' is not compatible with model '"+req.Model+"'. Use 'json' or 'text' instead.")
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	rep, err := s.reply(req)
	if err != nil {
		openaitest.WriteError(w, http.StatusBadRequest, "invalid_request_error", "", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if req.ResponseFormat != "verbose_json" {
		json.NewEncoder(w).Encode(map[string]any{"text": rep.Text})
		return
	}
	json.NewEncoder(w).Encode(verboseJSON(req.Audio.Duration(), rep))
}

// parseUpload reads the multipart form and decodes its WAV file.
func parseUpload(r *http.Request) (Request, error) {
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		return Request{}, errors.New("Could not parse multipart form")
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		return Request{}, errors.New("you must provide a file")
	}
	data, err := io.ReadAll(file)
	if err != nil {
		return Request{}, err
	}
	audio, err := decodeWAV(data)
	if err != nil {
		return Request{}, fmt.Errorf("Invalid file format: %w", err)
	}
	return Request{
		Model: r.FormValue("model"), Prompt: r.FormValue("prompt"), Language: r.FormValue("language"),
		ResponseFormat:         r.FormValue("response_format"),
		TimestampGranularities: r.MultipartForm.Value["timestamp_granularities[]"],
		Audio:                  audio, WAVBytes: len(data),
	}, nil
}

func verboseJSON(duration float64, rep Reply) map[string]any {
	words := []map[string]any{}
	for _, w := range rep.Words {
		words = append(words, map[string]any{"word": " " + w.Text, "start": w.Start, "end": w.End})
	}
	segs := rep.Segments
	if segs == nil && rep.Text != "" {
		segs = []Segment{{Text: rep.Text, End: duration}}
	}
	segments := []map[string]any{}
	for i, sg := range segs {
		segments = append(segments, map[string]any{
			"id": i, "seek": 0, "start": sg.Start, "end": sg.End, "text": " " + sg.Text, "tokens": []int{i + 1},
			"temperature": 0, "avg_logprob": sg.AvgLogprob, "compression_ratio": 1.2, "no_speech_prob": sg.NoSpeechProb,
		})
	}
	return map[string]any{
		"task": "transcribe", "language": rep.Language, "duration": duration, "text": " " + rep.Text,
		"words": words, "segments": segments,
	}
}

// decodeWAV reads the 16-bit mono PCM WAV that stt uploads, walking the
// RIFF chunks rather than assuming stt's own 44-byte layout, so a broken
// encoder is caught rather than mirrored.
func decodeWAV(data []byte) (stt.Audio, error) {
	if len(data) < 12 || string(data[0:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		return stt.Audio{}, errors.New("not a RIFF/WAVE file")
	}
	var a stt.Audio
	haveFormat := false
	for rest := data[12:]; len(rest) >= 8; {
		id, size := string(rest[0:4]), int(binary.LittleEndian.Uint32(rest[4:8]))
		if size > len(rest)-8 {
			return stt.Audio{}, fmt.Errorf("chunk %q is %d bytes, only %d follow", id, size, len(rest)-8)
		}
		body := rest[8 : 8+size]
		switch id {
		case "fmt ":
			if size < 16 {
				return stt.Audio{}, errors.New("short fmt chunk")
			}
			format, channels, bits := binary.LittleEndian.Uint16(body[0:]), binary.LittleEndian.Uint16(body[2:]), binary.LittleEndian.Uint16(body[14:])
			if format != 1 || channels != 1 || bits != 16 {
				return stt.Audio{}, fmt.Errorf("want 16-bit mono PCM, got format %d, %d channels, %d bits", format, channels, bits)
			}
			a.SampleRate = int(binary.LittleEndian.Uint32(body[4:]))
			haveFormat = true
		case "data":
			if !haveFormat {
				return stt.Audio{}, errors.New("data chunk before fmt chunk")
			}
			a.Samples = make([]float32, size/2)
			for i := range a.Samples {
				a.Samples[i] = float32(int16(binary.LittleEndian.Uint16(body[2*i:]))) / 32768
			}
			return a, nil
		}
		next := min(8+size+size%2, len(rest)) // chunks are padded to even sizes
		rest = rest[next:]
	}
	return stt.Audio{}, errors.New("no data chunk")
}
