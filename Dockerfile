# NEVER MIND API server and worker. Equivalent of the seed's python:3.10-slim + ffmpeg image:
# the same port (8000, or $PORT on Render), FFmpeg inside, one command per role.
#   docker build -t nevermind .
#   docker run -p 8000:8000 -e DATABASE_URL=postgres://… nevermind            # API
#   docker run -e DATABASE_URL=postgres://… nevermind worker                   # analyses
#   docker run -e DATABASE_URL=postgres://… nevermind migrate up               # schema

# Debian trixie ships FFmpeg 7.1, which go-astiav v0.39 (the media package) needs.
FROM golang:1.26-trixie AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      pkg-config gcc libc6-dev \
      libavcodec-dev libavdevice-dev libavfilter-dev libavformat-dev \
      libavutil-dev libswresample-dev libswscale-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/nevermind ./cmd/nevermind

FROM debian:trixie-slim
# The ffmpeg package brings exactly the shared libraries the binary links (as the seed's
# image installed ffmpeg); ca-certificates for Supabase, OpenAI and Google over HTTPS.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /app --create-home nevermind
COPY --from=build /out/nevermind /usr/local/bin/nevermind
USER nevermind
WORKDIR /app
ENV NEVERMIND_MEDIA_DIR=/app/data/media
EXPOSE 8000
ENTRYPOINT ["nevermind"]
CMD ["serve"]
