# Spoor: one static binary in a minimal image.
#
#   docker build -t spoor .
#   docker run -p 8080:8080 -v spoor-data:/data spoor
#
# The key-encryption key: on first run spoor generates /data/kek.key (mode
# 0600). In production give it from elsewhere (a secret mounted as a file
# with SPOOR_KEK_FILE, or SPOOR_KEK), so that the data volume and its backups
# never hold the key that opens them.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Pebble builds without cgo; -trimpath and stripped symbols keep the binary
# small and reproducible.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/spoor ./cmd/spoor
# The data directory, owned by the unprivileged user the server runs as.
RUN mkdir -p /out/data && chown 65532:65532 /out/data && chmod 0700 /out/data

FROM scratch
# CA certificates for an outbound TLS connection to a KurrentDB cluster.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/spoor /spoor
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV SPOOR_ADDR=0.0.0.0:8080 \
    SPOOR_DATA=/data \
    SPOOR_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["/spoor"]
CMD ["serve"]
