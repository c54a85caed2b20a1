package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// The seed returned absolute signed URLs, and the frontend puts video_url
// straight into a <video> on its own origin, so a relative /media/… link
// would be fetched from the frontend's host. Local storage therefore needs
// the server's external origin: Config.PublicURL when set, otherwise the one
// the request reached.

type originKey struct{}

// withOrigin stores the request's external origin (scheme://host) in its
// context. X-Forwarded-Proto and X-Forwarded-Host are honoured only when the
// direct peer is one of Config.TrustedProxies; from anyone else they could
// point replay links at a host the attacker chooses.
func (s *Server) withOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, host := "http", r.Host
		if r.TLS != nil {
			scheme = "https"
		}
		if s.trustedPeer(r.RemoteAddr) {
			if p := firstForwarded(r.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
				scheme = p
			}
			if h := firstForwarded(r.Header.Get("X-Forwarded-Host")); validHost(h) {
				host = h
			}
		}
		if validHost(host) {
			r = r.WithContext(context.WithValue(r.Context(), originKey{}, scheme+"://"+host))
		}
		next.ServeHTTP(w, r)
	})
}

// absoluteURL makes a storage URL absolute. Supabase's signed URLs already
// are, and so are local ones when Config.PublicURL is set; otherwise they
// start with "/" and get the request's origin.
func (s *Server) absoluteURL(ctx context.Context, u string) string {
	if !strings.HasPrefix(u, "/") {
		return u
	}
	if origin, ok := ctx.Value(originKey{}).(string); ok {
		return origin + u
	}
	return u
}

func (s *Server) trustedPeer(remoteAddr string) bool {
	ip := peerAddr(remoteAddr)
	return ip.IsValid() && s.trustedAddr(ip)
}

// peerAddr parses a request's RemoteAddr (host:port, or a bare address);
// the zero Addr if it is neither.
func peerAddr(remoteAddr string) netip.Addr {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap()
}

// trustedAddr reports whether ip is one of Config.TrustedProxies.
func (s *Server) trustedAddr(ip netip.Addr) bool {
	for _, p := range s.trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// firstForwarded is the first value of a comma-separated forwarding header:
// the one the outermost proxy, the one facing the browser, set.
func firstForwarded(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.ToLower(strings.TrimSpace(v))
}

// validHost accepts host[:port] with only the characters a DNS name, an IPv4
// or a bracketed IPv6 address can hold, so no header can inject a path,
// userinfo or a second URL into the link.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range h {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.ContainsRune(".-:[]", c):
		default:
			return false
		}
	}
	return true
}

// parseTrustedProxies reads Config.TrustedProxies: IP addresses or CIDR
// prefixes.
func parseTrustedProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range list {
		f = strings.TrimSpace(f)
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("NEVERMIND_TRUSTED_PROXIES: %q: %w", f, err)
			}
			out = append(out, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("NEVERMIND_TRUSTED_PROXIES: %q: %w", f, err)
		}
		ip = ip.Unmap()
		out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return out, nil
}
