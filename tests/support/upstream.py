"""Passing a request through to the registry behind a test proxy and its answer back, shared by the
proxies that sit in front of a real registry (fault_proxy, referrers_proxy)."""
import http.client

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
       "proxy-authenticate"}


def forward(handler, host, port, body, timeout=60):
    """Sends handler's request (method, path, headers, `body`) to host:port; (status, headers, data)."""
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    # Header by header: clients send several Accept lines, which a dict would fold into one.
    conn.putrequest(handler.command, handler.path, skip_host=True, skip_accept_encoding=True)
    for k, v in handler.headers.items():
        if k.lower() not in HOP and k.lower() != "content-length":
            conn.putheader(k, v)
    if body is not None:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, resp.getheaders(), data


def relay(handler, status, headers, data):
    """Answers handler's client with what the registry answered."""
    handler.send_response(status)
    for k, v in headers:
        if k.lower() not in HOP and k.lower() != "content-length":
            handler.send_header(k, v)
    handler.send_header("Content-Length", str(len(data)) if handler.command != "HEAD" else
                        dict((k.lower(), v) for k, v in headers).get("content-length", "0"))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(data)
