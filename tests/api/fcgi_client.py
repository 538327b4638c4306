"""A minimal FastCGI client (responder role) for tests that talk to
cwebui-fcgi without a web server, e.g. when spawn-fcgi started it."""
import socket
import struct

FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, \
    FCGI_STDOUT = 1, 3, 4, 5, 6


def _record(kind, content, req_id=1):
    out = b""
    while True:
        chunk, content = content[:65535], content[65535:]
        out += struct.pack("!BBHHBx", 1, kind, req_id, len(chunk), 0) + chunk
        if not content:
            return out


def _pair(k, v):
    k, v = k.encode(), v.encode()

    def ln(n):
        return struct.pack("!B", n) if n < 128 else \
            struct.pack("!I", n | 0x80000000)
    return ln(len(k)) + ln(len(v)) + k + v


def request(path, sock_path, method="GET", body=b"", headers=None,
            timeout=10, params=None):
    """Sends one request; returns (status, headers dict, body bytes).
    params: extra FastCGI params (e.g. CWEBUI_STREAMD)."""
    extra = params
    params = {"REQUEST_METHOD": method, "REQUEST_URI": path,
              "SCRIPT_NAME": "", "PATH_INFO": path.split("?")[0],
              "QUERY_STRING": path.partition("?")[2],
              "CONTENT_LENGTH": str(len(body)),
              "SERVER_NAME": "localhost", "SERVER_PROTOCOL": "HTTP/1.1"}
    for k, v in (headers or {}).items():
        params["HTTP_" + k.upper().replace("-", "_")] = v
    params.update(extra or {})
    if body:
        params["CONTENT_TYPE"] = "application/json"
    data = _record(FCGI_BEGIN_REQUEST, struct.pack("!HB5x", 1, 0))
    data += _record(FCGI_PARAMS, b"".join(_pair(k, v)
                                          for k, v in params.items()))
    data += _record(FCGI_PARAMS, b"")
    if body:
        data += _record(FCGI_STDIN, body)
    data += _record(FCGI_STDIN, b"")
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(sock_path)
    s.sendall(data)
    out, buf = b"", b""
    while True:
        part = s.recv(65536)
        if not part:
            break
        buf += part
    s.close()
    while len(buf) >= 8:
        _, kind, _, clen, plen = struct.unpack("!BBHHB", buf[:7])
        content, buf = buf[8:8 + clen], buf[8 + clen + plen:]
        if kind == FCGI_STDOUT:
            out += content
        elif kind == FCGI_END_REQUEST:
            break
    head, _, payload = out.partition(b"\r\n\r\n")
    hdrs = {}
    for line in head.decode().split("\r\n"):
        k, _, v = line.partition(": ")
        hdrs[k.lower()] = v
    status = int(hdrs.get("status", "200").split()[0])
    return status, hdrs, payload
